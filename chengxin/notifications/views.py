"""The unit's notice list, and reminders sent on demand by the ministry or a province."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from chengxin.campaigns.selectors import campaign_get
from chengxin.core.errors import DomainError
from chengxin.notifications import services
from chengxin.notifications.selectors import notices_for_unit


@require_GET
@login_required
def notice_list(request):
    notices = list(notices_for_unit(request.user.unit)[:200])
    return render(
        request,
        "notifications/list.html",
        {"notices": notices, "unread": sum(1 for n in notices if not n.is_read)},
    )


@require_POST
@login_required
def mark_all_read(request):
    if request.user.unit is None:
        raise Http404
    count = services.notices_mark_all_read(unit=request.user.unit, acting_user=request.user)
    if count:
        messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notifications:list")


def _next(request, default: str) -> str:
    """Where to go back to: the posted `next` if it is a path on this site, else `default`."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return default


@require_POST
@login_required
def remind(request, year: int):
    """Remind the chosen units (`unit`, one or more codes) or every unit in scope that has not submitted
    (`all_missing=1`): the ministry its direct units, a province its own direct sub-units."""
    campaign = campaign_get(year)
    unit_codes = None if request.POST.get("all_missing") == "1" else request.POST.getlist("unit")
    default = reverse("analytics:completeness", kwargs={"year": year}) if request.user.is_national else reverse("home")
    try:
        result = services.reminders_send(campaign=campaign, unit_codes=unit_codes, acting_user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect(_next(request, default))
    if result.units_reminded:
        messages.success(
            request,
            _("已提醒 %(units)d 个单位（发送邮件 %(emails)d 封）")
            % {"units": result.units_reminded, "emails": result.emails_sent},
        )
    elif not result.skipped_recent:
        messages.info(request, _("没有需要提醒的单位：所选单位都已报送。"))
    if result.skipped_recent:
        count = len(result.skipped_recent)
        messages.info(
            request,
            ngettext(
                "%(count)d 个单位在 %(hours)d 小时内已提醒过，这次未重复提醒：%(units)s",
                "%(count)d 个单位在 %(hours)d 小时内已提醒过，这次未重复提醒：%(units)s",
                count,
            )
            % {
                "count": count,
                "hours": settings.CHENGXIN_REMIND_AGAIN_HOURS,
                "units": _("、").join(u.name for u in result.skipped_recent),
            },
        )
    if result.without_email:
        count = len(result.without_email)
        messages.warning(
            request,
            ngettext(
                "%(count)d 个单位没有登记邮箱，只收到站内通知：%(units)s",
                "%(count)d 个单位没有登记邮箱，只收到站内通知：%(units)s",
                count,
            )
            % {"count": count, "units": _("、").join(u.name for u in result.without_email)},
        )
    if result.email_error:
        messages.error(request, _("邮件发送失败（已记入日志），各单位仍可在站内通知中看到提醒。"))
    if result.skipped_submitted and result.units_reminded:
        messages.info(
            request,
            _("%(units)s已报送，未提醒。") % {"units": _("、").join(u.name for u in result.skipped_submitted)},
        )
    return redirect(_next(request, default))
