from django.utils.functional import SimpleLazyObject


def unread_notices(request):
    """`unread_notice_count` for the header: the signed-in account's unit's unread notices, counted only when
    a template uses it."""
    from chengxin.notifications.selectors import notices_unread_count

    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return notices_unread_count(user.unit_id)  # the id: no query for the unit itself

    return {"unread_notice_count": SimpleLazyObject(count)}
