"""The national administrator's pages that edit a campaign (issue 17), under /campaigns/<year>/edit/: its texts and
period, focus areas, requirements, the plan with its lead bodies and the expected units. Every change lands in the
campaign's history (campaigns:history, views.history_page).
Each view parses the page's form, calls one service of `campaigns.editing` and shows its refusal next to the form
(422); what each state of the campaign allows is the services' to say."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from chengxin.campaigns import editing
from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement
from chengxin.campaigns.selectors import campaign_get
from chengxin.core.errors import DomainError
from chengxin.core.forms import DateField, cleaned
from chengxin.units.permissions import national_admin_required


def _whole_number(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        error_messages={
            "required": format_lazy(gettext_lazy("请填写{label}"), label=label),
            "invalid": format_lazy(gettext_lazy("{label}应为整数"), label=label),
        },
    )


class TextsForm(forms.Form):
    title = forms.CharField(required=False)
    theme = forms.CharField(required=False)
    notice_title = forms.CharField(required=False)
    receiver = forms.CharField(required=False)
    contact_name = forms.CharField(required=False)
    contact_department = forms.CharField(required=False)
    contact_phone = forms.CharField(required=False)
    contact_fax = forms.CharField(required=False)
    logo_source = forms.CharField(required=False)
    period_start = DateField(label=gettext_lazy("活动开始日期"))
    period_end = DateField(label=gettext_lazy("活动结束日期"))
    notice_date = DateField(label=gettext_lazy("通知日期"))
    activity_grace_days = _whole_number(gettext_lazy("活动日期宽限天数"))


class SectionForm(forms.Form):
    number = _whole_number(gettext_lazy("序号"))
    title = forms.CharField(required=False)
    body = forms.CharField(required=False)


class PlanActivityForm(forms.Form):
    number = _whole_number(gettext_lazy("序号"))
    title = forms.CharField(required=False)
    lead_body = forms.CharField(required=False)
    description = forms.CharField(required=False)


@dataclass(frozen=True)
class SectionPages:
    """The pages of one kind of numbered section of the notice."""

    model: type
    list_url: str
    item_url: str
    delete_url: str


SECTIONS = {
    "focus_area": SectionPages(
        FocusArea, "campaigns:edit_focus_areas", "campaigns:edit_focus_area", "campaigns:delete_focus_area"
    ),
    "requirement": SectionPages(
        Requirement, "campaigns:edit_requirements", "campaigns:edit_requirement", "campaigns:delete_requirement"
    ),
}


def _render(request, template: str, campaign: Campaign, error: DomainError | None, **context):
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "error": error,
            "error_fields": {e.field for e in error.errors} if error else set(),
            **context,
        },
        status=422 if error else 200,
    )


def _posted(request, names) -> dict:
    return {name: request.POST.get(name, "").strip() for name in names}


# --- The campaign's texts and period ---------------------------------------------------------------------------


def _texts_of(campaign: Campaign) -> dict:
    values = {name: getattr(campaign, name) for name in editing.EDITABLE_FIELDS}
    for name in ("period_start", "period_end", "notice_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    return values


@require_http_methods(["GET", "POST"])
@national_admin_required
def edit_texts(request, year: int):
    campaign = campaign_get(year)
    error = None
    values = _texts_of(campaign)
    if request.method == "POST":
        values = _posted(request, editing.EDITABLE_FIELDS)
        try:
            changes = editing.campaign_edit_texts(
                campaign=campaign, acting_user=request.user, **cleaned(TextsForm(request.POST))
            )
        except DomainError as exc:
            error = exc
        else:
            if changes:
                messages.success(request, _("已保存，修改了 %(count)s 项。") % {"count": len(changes)})
            else:
                messages.info(request, _("没有修改。"))
            return redirect("campaigns:edit", year=year)
    return _render(request, "campaigns/edit_texts.html", campaign, error, values=values)


# --- Focus areas and requirements ------------------------------------------------------------------------------


def _section(campaign: Campaign, kind: str, number: int):
    return get_object_or_404(SECTIONS[kind].model, campaign=campaign, number=number)


@require_http_methods(["GET", "POST"])
@national_admin_required
def sections(request, year: int, kind: str):
    """The list of focus areas (or requirements), and the form that adds one."""
    pages = SECTIONS[kind]
    campaign = campaign_get(year)
    error = None
    items = pages.model.objects.filter(campaign=campaign).order_by("number")
    values = {"number": max((i.number for i in items), default=0) + 1, "title": "", "body": ""}
    if request.method == "POST":
        values = _posted(request, ("number", "title", "body"))
        try:
            item = editing.section_add(
                campaign=campaign, model=pages.model, acting_user=request.user, **cleaned(SectionForm(request.POST))
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已增加“%(title)s”。") % {"title": item.title})
            return redirect(pages.list_url, year=year)
    return _render(
        request,
        "campaigns/edit_sections.html",
        campaign,
        error,
        kind=kind,
        pages=pages,
        label=editing.SECTION_LABELS[pages.model],
        items=items,
        values=values,
    )


@require_http_methods(["GET", "POST"])
@national_admin_required
def section(request, year: int, number: int, kind: str):
    """One focus area (or requirement): its number, title and body."""
    pages = SECTIONS[kind]
    campaign = campaign_get(year)
    item = _section(campaign, kind, number)
    error = None
    values = {"number": item.number, "title": item.title, "body": item.body}
    if request.method == "POST":
        values = _posted(request, ("number", "title", "body"))
        try:
            editing.section_edit(item=item, acting_user=request.user, **cleaned(SectionForm(request.POST)))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已保存。"))
            return redirect(pages.list_url, year=year)
    return _render(
        request,
        "campaigns/edit_section.html",
        campaign,
        error,
        pages=pages,
        part=editing.section_part(pages.model, item.number),
        item=item,
        values=values,
    )


@require_http_methods(["GET", "POST"])
@national_admin_required
def section_delete(request, year: int, number: int, kind: str):
    """Asks first (GET), deletes on the confirming POST."""
    pages = SECTIONS[kind]
    campaign = campaign_get(year)
    item = _section(campaign, kind, number)
    error = None
    if request.method == "POST":
        try:
            editing.section_delete(item=item, acting_user=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已删除“%(title)s”。") % {"title": item.title})
            return redirect(pages.list_url, year=year)
    return _render(
        request,
        "campaigns/edit_delete.html",
        campaign,
        error,
        part=editing.section_part(pages.model, item.number),
        title=item.title,
        text=item.body,
        back=pages.list_url,
    )


# --- The plan's main activities ----------------------------------------------------------------------------------


def _plan_activity(campaign: Campaign, number: int) -> PlanActivity:
    return get_object_or_404(PlanActivity.objects.select_related("lead_body"), campaign=campaign, number=number)


@require_http_methods(["GET", "POST"])
@national_admin_required
def plan(request, year: int):
    """The plan: each main activity with its lead body, and the form that adds one."""
    campaign = campaign_get(year)
    error = None
    activities = editing.plan_for_editing(campaign)
    values = {
        "number": max((a.number for a in activities), default=0) + 1,
        "title": "",
        "lead_body": "",
        "description": "",
    }
    if request.method == "POST":
        values = _posted(request, ("number", "title", "lead_body", "description"))
        try:
            added = editing.plan_activity_add(
                campaign=campaign, acting_user=request.user, **cleaned(PlanActivityForm(request.POST))
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已增加主要活动“%(title)s”。") % {"title": added.title})
            return redirect("campaigns:edit_plan", year=year)
    return _render(
        request,
        "campaigns/edit_plan.html",
        campaign,
        error,
        activities=activities,
        bodies=editing.national_bodies(),
        values=values,
    )


@require_http_methods(["GET", "POST"])
@national_admin_required
def plan_activity(request, year: int, number: int):
    campaign = campaign_get(year)
    item = _plan_activity(campaign, number)
    error = None
    values = {
        "number": item.number,
        "title": item.title,
        "lead_body": item.lead_body.code,
        "description": item.description,
    }
    if request.method == "POST":
        values = _posted(request, ("number", "title", "lead_body", "description"))
        try:
            editing.plan_activity_edit(
                plan_activity=item, acting_user=request.user, **cleaned(PlanActivityForm(request.POST))
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已保存。"))
            return redirect("campaigns:edit_plan", year=year)
    return _render(
        request,
        "campaigns/edit_plan_activity.html",
        campaign,
        error,
        item=item,
        part=editing.plan_part(item.number),
        registered=editing.registered_count(item),
        bodies=editing.national_bodies(),
        values=values,
    )


@require_http_methods(["GET", "POST"])
@national_admin_required
def plan_activity_delete(request, year: int, number: int):
    """Asks first (GET), deletes on the confirming POST."""
    campaign = campaign_get(year)
    item = _plan_activity(campaign, number)
    error = None
    if request.method == "POST":
        try:
            editing.plan_activity_delete(plan_activity=item, acting_user=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已删除主要活动“%(title)s”。") % {"title": item.title})
            return redirect("campaigns:edit_plan", year=year)
    return _render(
        request,
        "campaigns/edit_delete.html",
        campaign,
        error,
        part=editing.plan_part(item.number),
        title=f"{item.title}（{item.lead_body.name}）",
        text=item.description,
        back="campaigns:edit_plan",
    )


# --- The expected units --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@national_admin_required
def units(request, year: int):
    """The expected units, whether each fills the statistics table (one form for all), and the form that adds one."""
    campaign = campaign_get(year)
    error = None
    posted = {}
    if request.method == "POST":
        posted = request.POST
        try:
            if request.POST.get("form") == "add":
                participant = editing.participant_add(
                    campaign=campaign,
                    unit_code=request.POST.get("unit", ""),
                    fills_statistics=request.POST.get("fills_statistics") == "1",
                    acting_user=request.user,
                )
                messages.success(request, _("已增加报送单位%(unit)s。") % {"unit": participant.unit.name})
            else:
                # Each editable row sends its code in `units`; the ticked ones also in `fills`.
                ticked = set(request.POST.getlist("fills"))
                filling = {code: code in ticked for code in request.POST.getlist("units")}
                changes = editing.participants_set_statistics(
                    campaign=campaign, filling=filling, acting_user=request.user
                )
                if changes:
                    messages.success(request, _("已保存，修改了 %(count)s 个单位。") % {"count": len(changes)})
                else:
                    messages.info(request, _("没有修改。"))
            return redirect("campaigns:edit_units", year=year)
        except DomainError as exc:
            error = exc
    participants = editing.participants_for_editing(campaign)
    return _render(
        request,
        "campaigns/edit_units.html",
        campaign,
        error,
        participants=participants,
        filling=sum(1 for p in participants if p.fills_statistics),
        addable=editing.units_to_add(campaign),
        posted=posted,
    )


@require_POST
@national_admin_required
def unit_remove(request, year: int, unit_code: str):
    """Remove one expected unit (the page's button asks first)."""
    campaign = campaign_get(year)
    participant = get_object_or_404(Participant.objects.select_related("unit"), campaign=campaign, unit__code=unit_code)
    try:
        editing.participant_remove(participant=participant, acting_user=request.user)
    except DomainError as exc:
        participants = editing.participants_for_editing(campaign)
        return _render(
            request,
            "campaigns/edit_units.html",
            campaign,
            exc,
            participants=participants,
            filling=sum(1 for p in participants if p.fills_statistics),
            addable=editing.units_to_add(campaign),
            posted={},
        )
    messages.success(request, _("已将%(unit)s从报送单位中移除。") % {"unit": participant.unit.name})
    return redirect("campaigns:edit_units", year=year)
