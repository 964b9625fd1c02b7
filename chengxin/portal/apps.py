"""Public pages (no login): the campaign page per year with its published national totals and activities, the
logo downloads, the case library and the national credit systems."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# Other apps' models whose changes show on the public pages. Their services may also call portal_cache_bump()
# themselves; these receivers make sure a write that forgets to (or a change made in the admin) cannot leave a
# public page stale for longer than one request.
SHOWN_ON_PUBLIC_PAGES = ("campaigns.Campaign", "activities.Activity")


def _bump(sender, **kwargs):
    from chengxin.core.public_cache import portal_cache_bump

    portal_cache_bump()


class Config(AppConfig):
    name = "chengxin.portal"
    label = "portal"

    def ready(self):
        for model in SHOWN_ON_PUBLIC_PAGES:
            post_save.connect(_bump, sender=model, dispatch_uid=f"portal-bump-save-{model}")
            post_delete.connect(_bump, sender=model, dispatch_uid=f"portal-bump-delete-{model}")
        from chengxin.core.generations import bump_on_change

        # The national menu's count of cases waiting (site.context_processors).
        bump_on_change("portal.Case", lambda c: ("cases",), "portal.case_changed")
