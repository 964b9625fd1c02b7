"""Campaign pages: the year's overview; for the national administrator its dates and per-unit exceptions,
a new year copied from an earlier one, the form's definition, and publishing the national totals."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.selectors import (
    campaign_get,
    campaign_overview,
    participants_with_exceptions,
    publish_notice_text,
)
from chengxin.campaigns.services import (
    campaign_copy,
    campaign_publish,
    campaign_set_dates,
    earlier_years_left,
    participant_grant_exception,
    shift_year,
    with_year,
)
from chengxin.core.errors import DomainError
from chengxin.core.forms import DateField, YearField, cleaned
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.models import StatForm
from chengxin.statform.selectors import form_definition
from chengxin.statform.services import form_as_spec, form_edit, form_has_submissions
from chengxin.units.models import Unit
from chengxin.units.permissions import national_admin_required


@require_GET
@login_required
def overview(request, year: int):
    campaign = campaign_get(year)
    return render(request, "campaigns/overview.html", {"campaign": campaign, **campaign_overview(campaign)})


class DatesForm(forms.Form):
    deadline = DateField(label=gettext_lazy("报送截止日期"))
    lock_date = DateField(label=gettext_lazy("锁定日期"), required=False)


class ExceptionForm(forms.Form):
    unit = forms.CharField(max_length=20)
    deadline_override = DateField(label=gettext_lazy("延长的截止日期"), required=False)
    lock_override = DateField(label=gettext_lazy("延长的锁定日期"), required=False)
    reason = forms.CharField(required=False, max_length=500)


class NewCampaignForm(forms.Form):
    year = YearField(label=gettext_lazy("年度"))
    title = forms.CharField(required=False, max_length=200)
    theme = forms.CharField(required=False, max_length=200)
    period_start = DateField(label=gettext_lazy("活动开始日期"))
    period_end = DateField(label=gettext_lazy("活动结束日期"))
    deadline = DateField(label=gettext_lazy("报送截止日期"))


@require_http_methods(["GET", "POST"])
@national_admin_required
def settings_page(request, year: int):
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "dates":
                data = cleaned(DatesForm(request.POST))
                campaign_set_dates(
                    campaign=campaign, deadline=data["deadline"], lock_date=data["lock_date"], acting_user=request.user
                )
                messages.success(request, _("日期已保存。"))
            else:
                unit = get_object_or_404(Unit, code=request.POST.get("unit", ""))
                data = cleaned(ExceptionForm(request.POST))
                participant_grant_exception(
                    campaign=campaign,
                    unit=unit,
                    deadline=data["deadline_override"],
                    lock_date=data["lock_override"],
                    reason=data["reason"],
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


# --- Publishing a campaign being prepared -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@national_admin_required
def publish_page(request, year: int):
    """GET: what publishing does (who is told, with the words of the notice), to confirm. POST: publish."""
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        try:
            campaign_publish(campaign=campaign, acting_user=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("%(title)s已发布：活动页面已公开，各报送单位将收到站内通知和邮件。") % {"title": campaign.title},
            )
            return redirect("campaigns:overview", year=campaign.year)
    participants = list(
        Participant.objects.filter(campaign=campaign).select_related("unit").order_by("unit__sort_order")
    )
    return render(
        request,
        "campaigns/publish.html",
        {
            "campaign": campaign,
            "participants": participants,
            "fills": sum(1 for p in participants if p.fills_statistics),
            "sample": publish_notice_text(campaign, participants[0]) if participants else None,
            "warnings": earlier_years_left(campaign),
            "error": error,
        },
        status=(error.status if error.status >= 400 else 422) if error else 200,
    )


@require_GET
@national_admin_required
def history_page(request, year: int):
    """The history of the campaign's settings and texts: publishing, dates, wording fixes."""
    campaign = campaign_get(year)
    changes = campaign.changes.select_related("by", "by__unit")
    return render(request, "campaigns/history.html", {"campaign": campaign, "changes": changes})


# --- A new year's campaign, copied from an earlier one ---------------------------------------------------------


def _copy_defaults(source: Campaign, year: int) -> dict[str, str]:
    """The new campaign's fields as the copy would set them, for pre-filling the page."""
    delta = year - source.year

    def day(value):
        shifted = shift_year(value, delta)
        return shifted.isoformat() if shifted else ""

    return {
        "year": str(year),
        "title": with_year(source.title, source.year, year),
        "theme": with_year(source.theme, source.year, year),
        "period_start": day(source.period_start),
        "period_end": day(source.period_end),
        "deadline": day(source.deadline),
    }


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
            data = cleaned(NewCampaignForm(request.POST))
            campaign = campaign_copy(
                source=source,
                year=data["year"],
                acting_user=request.user,
                title=data["title"],
                theme=data["theme"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                deadline=data["deadline"],
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _(
                    "已根据%(source)s年的活动创建%(year)s年的活动（筹备中：只有国家管理员看得到）。"
                    "请核对通知文字、主要活动安排和统计表，再发布并通知各单位。"
                )
                % {"source": source.year, "year": campaign.year},
            )
            for place in earlier_years_left(campaign):
                messages.warning(request, _("文字中仍有往年年份，请核对：%(place)s") % {"place": place})
            return redirect("campaigns:settings", year=campaign.year)
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
