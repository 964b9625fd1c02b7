"""Campaign pages: the year's overview; for the national administrator its dates and per-unit exceptions,
a new year copied from an earlier one, the form's definition, and publishing the national totals."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.selectors import campaign_get, campaign_overview, participants_with_exceptions
from chengxin.campaigns.services import (
    campaign_copy,
    campaign_publish_totals,
    campaign_set_dates,
    campaign_unpublish_totals,
    shift_year,
)
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.permissions import national_admin_required
from chengxin.reporting.services import participant_grant_exception
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.models import StatForm
from chengxin.statform.selectors import form_definition
from chengxin.statform.services import form_as_spec, form_edit, form_has_submissions
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


# --- A new year's campaign, copied from an earlier one ---------------------------------------------------------


def _copy_defaults(source: Campaign, year: int) -> dict[str, str]:
    """The new campaign's fields as the copy would set them, for pre-filling the page."""
    delta = year - source.year

    def day(value):
        shifted = shift_year(value, delta)
        return shifted.isoformat() if shifted else ""

    return {
        "year": str(year),
        "title": source.title.replace(str(source.year), str(year)),
        "theme": source.theme,
        "period_start": day(source.period_start),
        "period_end": day(source.period_end),
        "deadline": day(source.deadline),
    }


def _year(raw: str) -> int:
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        message = _("年度应为四位数字，如 2021")
        raise DomainError(message, errors=[FieldError("year", message)])
    return int(raw)


@require_http_methods(["GET", "POST"])
@national_admin_required
def new_campaign(request):
    campaigns = list(Campaign.objects.order_by("-year"))
    if not campaigns:
        raise Http404
    newest = campaigns[0]
    wanted = request.POST.get("source") or request.GET.get("source") or ""
    source = next((c for c in campaigns if str(c.year) == wanted), newest)
    error = None
    values = _copy_defaults(source, newest.year + 1)
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            year = _year(values["year"])
            campaign = campaign_copy(
                source=source,
                year=year,
                acting_user=request.user,
                title=values["title"],
                theme=values["theme"],
                period_start=_date(request.POST, "period_start", _("活动开始日期"), required=True),
                period_end=_date(request.POST, "period_end", _("活动结束日期"), required=True),
                deadline=_date(request.POST, "deadline", _("报送截止日期"), required=True),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("已根据%(source)s年的活动创建%(year)s年的活动。请核对主要活动安排和统计表，再通知各单位。")
                % {"source": source.year, "year": campaign.year},
            )
            return redirect("campaigns:overview", year=campaign.year)
    return render(
        request,
        "campaigns/new.html",
        {
            "campaigns": campaigns,
            "source": source,
            "values": values,
            "error": error,
            "error_fields": {e.field for e in error.errors} if error else set(),
        },
        status=422 if error else 200,
    )


# --- The form's definition ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@national_admin_required
def form_page(request, year: int):
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        text = request.POST.get("spec", "")
        try:
            form = form_edit(campaign=campaign, text=text, acting_user=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("统计表已保存：%(figures)s 项指标，%(rules)s 条校验规则。")
                % {"figures": form.figures.count(), "rules": form.rules.count()},
            )
            return redirect("campaigns:form", year=year)
    else:
        text = spec_to_toml(form_as_spec(StatForm.objects.get(campaign=campaign)))
    definition = form_definition(campaign)
    return render(
        request,
        "campaigns/form.html",
        {
            "campaign": campaign,
            "text": text,
            "error": error,
            "locked": form_has_submissions(campaign),
            "definition": definition,
            "lines": definition.table_lines(),
        },
        status=422 if error else 200,
    )


# --- Publishing the national totals ---------------------------------------------------------------------------


@require_POST
@national_admin_required
def publish_totals(request, year: int):
    campaign = campaign_get(year)
    try:
        campaign = campaign_publish_totals(campaign=campaign, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("全国汇总已发布（%(units)s 个单位已审核的统计表），公众可在活动公开页面查看。")
            % {"units": campaign.published_totals["units"]},
        )
    return redirect("campaigns:settings", year=year)


@require_POST
@national_admin_required
def unpublish_totals(request, year: int):
    campaign = campaign_get(year)
    try:
        campaign_unpublish_totals(campaign=campaign, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回全国汇总，公开页面不再显示。"))
    return redirect("campaigns:settings", year=year)
