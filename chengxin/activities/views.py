"""The activity registry's pages: a unit's list, the form, the detail page with photos, and a lead body's view
of everything registered under its plan activity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengxin.activities import bounds, selectors, services
from chengxin.activities.models import Activity, ActivityStatus, Mode
from chengxin.campaigns.models import Campaign
from chengxin.campaigns.selectors import campaign_get
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.uploads import safe_filename
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit

# The activity's own fields; its outputs are the campaign form's activity figures, named by figure code.
FORM_FIELDS = (
    "title",
    "plan_activity",
    "start_date",
    "end_date",
    "region_code",
    "place",
    "mode",
    "organiser",
    "audience",
    "links",
    "epidemic_plan_text",
)
PER_PAGE = 50


def _may_write(user, unit: Unit) -> bool:
    return user.reports_for(unit) or user.is_national_admin


def _raw(post, campaign: Campaign) -> dict[str, str]:
    codes = [f.code for f in form_definition(campaign).activity_figures]
    return {name: post.get(name, "") for name in (*FORM_FIELDS, *codes)}


def _initial(activity: Activity) -> dict[str, str]:
    values = {name: getattr(activity, name) for name in FORM_FIELDS if name != "plan_activity"}
    values["plan_activity"] = activity.plan_activity.number if activity.plan_activity else ""
    values["start_date"] = activity.start_date.isoformat()
    values["end_date"] = activity.end_date.isoformat()
    outputs = selectors.activity_outputs(activity)
    values.update({f.code: outputs.get(f.code, 0) for f in form_definition(activity.campaign).activity_figures})
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _units(campaign: Campaign) -> list[Unit]:
    """The units that may register activities: the campaign's participants and its organiser (商务部)."""
    units = Unit.objects.filter(Q(participations__campaign=campaign) | Q(pk=campaign.organiser_id))
    return list(units.distinct().order_by("sort_order", "code"))


def _form_context(campaign: Campaign, *, activity=None, unit=None, values=None, error=None) -> dict:
    errors: dict[str, list[str]] = {}
    for e in error.errors if error else []:
        errors.setdefault(e.field, []).append(e.message)
    first_date, last_date = bounds.allowed_dates(campaign)
    return {
        "campaign": campaign,
        "activity": activity,
        "unit": unit,
        "values": values or {},
        "error": error,
        "field_errors": errors,
        "plan_activities": list(campaign.plan_activities.select_related("lead_body")),
        "modes": Mode.choices,
        "outputs": selectors.activity_output_fields(form_definition(campaign)),
        "units": _units(campaign),
        "first_date": first_date,
        "last_date": last_date,
        "grace_days": bounds.grace_days(campaign),
    }


@require_GET
@login_required
def activity_list(request, year: int):
    """The unit's own activities; ministry staff see every unit's, filtered by unit and status."""
    campaign = campaign_get(year)
    user = request.user
    unit = None
    if user.is_national:
        code = request.GET.get("unit", "")
        unit = Unit.objects.filter(code=code).first() if code else None
        activities = selectors.activities_all(campaign, unit, request.GET.get("status", ""))
    elif user.unit_id:
        unit = user.unit
        activities = selectors.activities_of_unit(campaign, unit)
    else:
        raise Http404
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/list.html",
        {
            "campaign": campaign,
            "unit": unit,
            "page": page,
            "status": request.GET.get("status", ""),
            "statuses": ActivityStatus.choices,
            "units": _units(campaign) if user.is_national else [],
            "led_plans": selectors.plan_activities_led_by(campaign, None if user.is_national else user.unit),
            "can_create": user.is_national_admin or (user.unit_id is not None and not user.is_national),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request, year: int):
    campaign = campaign_get(year)
    user = request.user
    if user.is_national_admin:
        code = request.POST.get("unit") or request.GET.get("unit", "")
        unit = Unit.objects.filter(code=code).first() if code else None
    elif user.unit_id and not user.is_national:
        unit = user.unit
    else:
        raise Http404
    if request.method == "GET":
        values = {"region_code": bounds.unit_default_region(unit) if unit else "", "mode": Mode.OFFLINE}
        return render(request, "activities/form.html", _form_context(campaign, unit=unit, values=values))
    values = _raw(request.POST, campaign)
    try:
        if unit is None:
            message = _("请选择登记单位")
            raise DomainError(message, errors=[FieldError("unit", message)])
        activity = services.activity_create(
            campaign=campaign,
            unit=unit,
            raw=values,
            acting_user=user,
            plan_file=request.FILES.get("epidemic_plan"),
        )
    except DomainError as exc:
        context = _form_context(campaign, unit=unit, values=values, error=exc)
        return render(request, "activities/form.html", context, status=_status(exc))
    messages.success(request, _("活动“%(title)s”已保存为草稿。") % {"title": activity.title})
    return redirect("activities:detail", year=year, pk=activity.pk)


def _status(exc: DomainError) -> int:
    return 422 if exc.status == 400 else exc.status


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request, year: int, pk: int):
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    if not _may_write(request.user, activity.unit):
        raise Http404
    if request.method == "GET":
        context = _form_context(campaign, activity=activity, unit=activity.unit, values=_initial(activity))
        return render(request, "activities/form.html", context)
    values = _raw(request.POST, campaign)
    try:
        services.activity_update(
            activity=activity,
            raw=values,
            acting_user=request.user,
            plan_file=request.FILES.get("epidemic_plan"),
            remove_plan_file=request.POST.get("remove_plan") == "1",
        )
    except DomainError as exc:
        context = _form_context(campaign, activity=activity, unit=activity.unit, values=values, error=exc)
        return render(request, "activities/form.html", context, status=_status(exc))
    messages.success(request, _("已保存修改。"))
    return redirect("activities:detail", year=year, pk=activity.pk)


@require_GET
@login_required
def activity_detail(request, year: int, pk: int):
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    return render(request, "activities/detail.html", _detail_context(request, activity))


def _detail_context(request, activity: Activity, error: DomainError | None = None) -> dict:
    return {
        "campaign": activity.campaign,
        "activity": activity,
        "photos": list(activity.photos.all()),
        "can_write": _may_write(request.user, activity.unit),
        "error": error,
        "outputs": selectors.activity_output_fields(
            form_definition(activity.campaign), selectors.activity_outputs(activity)
        ),
    }


def _transition(request, year: int, pk: int, action, done: str):
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    try:
        action(activity=activity, acting_user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return render(request, "activities/detail.html", _detail_context(request, activity, exc), status=_status(exc))
    messages.success(request, done)
    return redirect("activities:detail", year=year, pk=pk)


@require_POST
@login_required
def activity_publish(request, year: int, pk: int):
    return _transition(request, year, pk, services.activity_publish, _("活动已发布，公众页面可以看到。"))


@require_POST
@login_required
def activity_withdraw(request, year: int, pk: int):
    return _transition(request, year, pk, services.activity_withdraw, _("活动已撤回，公众页面不再显示。"))


@require_POST
@login_required
def activity_delete(request, year: int, pk: int):
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    try:
        services.activity_delete(activity=activity, acting_user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return render(request, "activities/detail.html", _detail_context(request, activity, exc), status=_status(exc))
    messages.success(request, _("草稿“%(title)s”已删除。") % {"title": activity.title})
    return redirect("activities:list", year=year)


@require_POST
@login_required
def photo_add(request, year: int, pk: int):
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    try:
        photo = services.activity_add_photo(
            activity=activity, uploaded_file=request.FILES.get("photo"), acting_user=request.user
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return render(request, "activities/detail.html", _detail_context(request, activity, exc), status=_status(exc))
    messages.success(request, _("照片“%(name)s”已上传。") % {"name": photo.original_name})
    return redirect("activities:detail", year=year, pk=pk)


@require_GET
@login_required
def photo_file(request, year: int, pk: int, photo_pk: int):
    """A photo, shown inline (or downloaded with ?download=1), to whoever may see the activity."""
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    photo = activity.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    name = safe_filename(photo.original_name, f"photo.{'png' if photo.kind == 'png' else 'jpg'}")
    response = FileResponse(
        photo.file.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=name,
        content_type=photo.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def plan_file(request, year: int, pk: int):
    """The epidemic-prevention plan document, as an attachment."""
    campaign = campaign_get(year)
    activity = selectors.activity_for_user(campaign, pk, request.user)
    if not activity.epidemic_plan:
        raise Http404
    extension = activity.epidemic_plan.name.rsplit(".", 1)[-1]
    name = safe_filename(activity.epidemic_plan_name, f"epidemic-plan.{extension}")
    return FileResponse(activity.epidemic_plan.open("rb"), as_attachment=True, filename=name)


@require_GET
@login_required
def lead_body_view(request, year: int, number: int):
    """Everything registered under plan activity N, across units: for the lead body's reporters and ministry
    staff only (404 for everybody else)."""
    campaign = campaign_get(year)
    plan = selectors.plan_activity_for_user(campaign, number, request.user)
    view = selectors.activities_for_lead_body(campaign, plan.lead_body, number)
    return render(request, "activities/plan.html", {"campaign": campaign, "plan": plan, **view})
