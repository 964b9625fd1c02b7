"""Campaign pages: the year's overview, and its dates and per-unit exceptions (national administrator)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.models import Participant
from chengxin.campaigns.selectors import campaign_get, campaign_overview, participants_with_exceptions
from chengxin.campaigns.services import campaign_set_dates
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.permissions import national_admin_required
from chengxin.reporting.services import participant_grant_exception
from chengxin.units.models import Unit


@require_GET
@login_required
def overview(request, year: int):
    campaign = campaign_get(year)
    return render(request, "campaigns/overview.html", {"campaign": campaign, **campaign_overview(campaign)})


def _date(post, name: str, label: str, *, required: bool) -> dt.date | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        if required:
            message = _("请填写%(label)s") % {"label": label}
            raise DomainError(message, errors=[FieldError(name, message)])
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            _("%(label)s格式不对") % {"label": label},
            errors=[FieldError(name, _("%(label)s应为 年-月-日，如 2020-11-25") % {"label": label})],
        ) from None


@require_http_methods(["GET", "POST"])
@national_admin_required
def settings_page(request, year: int):
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "dates":
                campaign_set_dates(
                    campaign=campaign,
                    deadline=_date(request.POST, "deadline", _("报送截止日期"), required=True),
                    lock_date=_date(request.POST, "lock_date", _("锁定日期"), required=False),
                    acting_user=request.user,
                )
                messages.success(request, _("日期已保存。"))
            else:
                unit = get_object_or_404(Unit, code=request.POST.get("unit", ""))
                participant_grant_exception(
                    campaign=campaign,
                    unit=unit,
                    deadline=_date(request.POST, "deadline_override", _("延长的截止日期"), required=False),
                    lock_date=_date(request.POST, "lock_override", _("延长的锁定日期"), required=False),
                    reason=request.POST.get("reason", ""),
                    acting_user=request.user,
                )
                messages.success(request, _("已为%(unit)s单独延期。") % {"unit": unit.name})
            return redirect("campaigns:settings", year=year)
        except DomainError as exc:
            error = exc
            campaign.refresh_from_db()
    participants = Participant.objects.filter(campaign=campaign).select_related("unit").order_by("unit__sort_order")
    return render(
        request,
        "campaigns/settings.html",
        {
            "campaign": campaign,
            "participants": participants,
            "exceptions": participants_with_exceptions(campaign),
            "error": error,
            "post": request.POST if error else {},
        },
        status=422 if error else 200,
    )
