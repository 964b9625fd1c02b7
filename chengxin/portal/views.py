"""Public pages: no login, cached, the same for every visitor (they extend portal/public_base.html, which shows no
signed-in header and no CSRF token). The logo upload and the case editing and moderation pages are for signed-in
users and are never cached. A case's photos are files, not pages: public with a published case, else only for
those who may see the case."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from chengxin.campaigns.selectors import campaign_current, campaign_get, campaign_overview
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.forms import DateField, cleaned
from chengxin.core.public_cache import public_page
from chengxin.core.uploads import safe_filename
from chengxin.portal import selectors, services
from chengxin.portal.models import MAX_CASE_PHOTOS, Case, CaseDomain, CaseKind, CasePhoto, CaseStatus, LogoKind
from chengxin.portal.services import case_publish, case_reject, case_save, logo_upload
from chengxin.units.capabilities import Action, can
from chengxin.units.permissions import national_admin_required, national_required

CASES_PER_PAGE = 12
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_GET
def newest(request):
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    return redirect("portal:campaign", year=campaign.year)


@require_safe
@public_page
def campaign_page(request, year: int):
    campaign = campaign_get(year)
    activities = selectors.published_activities(campaign)
    provinces = selectors.activities_by_province(activities)
    return render(
        request,
        "portal/campaign.html",
        {
            "campaign": campaign,
            "published": selectors.published_totals(campaign),
            "logos": selectors.campaign_logos(campaign),
            "activities": activities,
            "provinces": [{"region_code": p.region_code, "name": p.name, "value": p.value} for p in provinces],
            "province_rows": provinces,
            "years": selectors.published_years(),
            **campaign_overview(campaign),
        },
    )


@require_safe
def logo_download(request, year: int, kind: str):
    """The logo as a download; the SVG under a policy that lets it run nothing even if opened directly."""
    campaign = campaign_get(year)
    logo = selectors.campaign_logo(campaign, kind)
    if logo is None or not logo.file:
        raise Http404
    name = safe_filename(f"{campaign.year}年诚信兴商宣传月活动标识.{kind}", fallback=f"logo.{kind}")
    response = FileResponse(
        logo.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="image/svg+xml" if kind == LogoKind.SVG else "image/png",
    )
    if kind == LogoKind.SVG:
        response["Content-Security-Policy"] = SVG_POLICY
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_http_methods(["GET", "POST"])
@national_admin_required
def logo_admin(request, year: int):
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise DomainError(_("请选择要上传的文件"), errors=[FieldError("file", _("请选择要上传的文件"))])
            if uploaded.size > 5 * 1024 * 1024:
                raise DomainError(_("文件不能超过 5 MB"), errors=[FieldError("file", _("文件不能超过 5 MB"))])
            logo_upload(
                campaign=campaign,
                kind=request.POST.get("kind", ""),
                content=uploaded.read(),
                acting_user=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("活动标识已上传。"))
            return redirect("portal:logo_admin", year=campaign.year)
    response = render(
        request,
        "portal/logo_admin.html",
        {"campaign": campaign, "logos": selectors.campaign_logos(campaign), "kinds": LogoKind.choices, "error": error},
        status=error.status if error else 200,
    )
    return response


@require_safe
@public_page
def credit_page(request):
    return render(request, "portal/credit.html", {"systems": selectors.credit_systems()})


@require_safe
@public_page(query=("kind", "domain", "page"))
def case_list(request):
    kind = request.GET.get("kind", "")
    domain = request.GET.get("domain", "")
    kind = kind if kind in CaseKind.values else ""
    domain = domain if domain in CaseDomain.values else ""
    page = Paginator(selectors.cases_public(kind=kind, domain=domain), CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/case_list.html",
        {"page": page, "kind": kind, "domain": domain, "kinds": CaseKind.choices, "domains": CaseDomain.choices},
    )


@require_safe
@public_page
def case_detail(request, pk: int):
    case = selectors.case_visible(pk, request.user)
    if case is None:
        raise Http404
    if case.status == CaseStatus.PUBLISHED:
        return render(request, "portal/case_detail.html", {"case": case, "public": True})
    # Not public: its own unit's editors and ministry staff see it in the signed-in layout, never cached.
    response = render(request, "portal/case_preview.html", {"case": case})
    response["Cache-Control"] = "private, no-store"
    response.portal_private = True
    return response


class CaseForm(forms.Form):
    """What a case's page sends; the texts are checked (lengths, invisible characters) by `case_save`."""

    kind = forms.ChoiceField(
        choices=CaseKind.choices,
        error_messages={"required": gettext_lazy("请选择类别"), "invalid_choice": gettext_lazy("请选择类别")},
    )
    domain = forms.ChoiceField(
        choices=CaseDomain.choices,
        error_messages={"required": gettext_lazy("请选择领域"), "invalid_choice": gettext_lazy("请选择领域")},
    )
    case_date = DateField(label=gettext_lazy("日期"))
    title = forms.CharField(required=False, strip=False)
    summary = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False)


def _case_fields(post) -> dict:
    return cleaned(CaseForm(post))


def _reporter_required(request) -> None:
    if not can(request.user, Action.REGISTER_ACTIVITY) or request.user.unit_id is None:
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def case_new(request):
    return _case_edit(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def case_edit(request, pk: int):
    case = get_object_or_404(Case, pk=pk, source_body_id=request.user.unit_id)
    return _case_edit(request, case)


def _case_edit(request, case: Case | None):
    _reporter_required(request)
    error, values = None, {}
    if request.method == "POST":
        values = request.POST
        try:
            case = case_save(
                case=case,
                campaign=campaign_current(),
                submit=request.POST.get("action") == "submit",
                acting_user=request.user,
                **_case_fields(request.POST),
            )
        except DomainError as exc:
            error = exc
        else:
            if case.status == CaseStatus.SUBMITTED:
                messages.success(request, _("案例已报送，等待商务部审核发布。"))
            else:
                messages.success(request, _("草稿已保存。"))
            return redirect("portal:case_mine")
    elif case is not None:
        values = _case_values(case)
    return _case_form(request, case, values, error=error)


def _case_values(case: Case) -> dict:
    return {
        "kind": case.kind,
        "domain": case.domain,
        "title": case.title,
        "summary": case.summary,
        "body": case.body,
        "case_date": case.case_date.isoformat(),
    }


def _case_form(request, case: Case | None, values, *, error=None, photo_error=None, caption=""):
    """The case's page: its text, and (once saved) its photos with the upload form."""
    if error is not None:
        status = error.status
    elif photo_error is not None:
        status = 422 if photo_error.status == 400 else photo_error.status
    else:
        status = 200
    return render(
        request,
        "portal/case_form.html",
        {
            "case": case,
            "values": values,
            "error": error,
            "photo_error": photo_error,
            "caption": caption,
            "photos": list(case.photos.all()) if case is not None else [],
            "max_photos": MAX_CASE_PHOTOS,
            "may_change_photos": case is not None and case.status in (CaseStatus.DRAFT, CaseStatus.REJECTED),
            "kinds": CaseKind.choices,
            "domains": CaseDomain.choices,
        },
        status=status,
    )


def _own_case(request, pk: int) -> Case:
    """A case of the signed-in editor's own unit; 404 for anybody else's."""
    _reporter_required(request)
    return get_object_or_404(Case, pk=pk, source_body_id=request.user.unit_id)


@require_POST
@login_required
def case_photo_add(request, pk: int):
    case = _own_case(request, pk)
    caption = request.POST.get("caption", "")
    try:
        services.case_photo_add(
            case=case, uploaded_file=request.FILES.get("photo"), caption=caption, acting_user=request.user
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _case_form(request, case, _case_values(case), photo_error=exc, caption=caption)
    messages.success(request, _("照片已上传。"))
    return redirect(reverse("portal:case_edit", kwargs={"pk": case.pk}) + "#photos")


@require_POST
@login_required
def case_photo_remove(request, pk: int, photo_pk: int):
    case = _own_case(request, pk)
    photo = get_object_or_404(CasePhoto.objects.select_related("case"), pk=photo_pk, case=case)
    try:
        services.case_photo_remove(photo=photo, acting_user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        return _case_form(request, case, _case_values(case), photo_error=exc)
    messages.success(request, _("照片已删除。"))
    return redirect(reverse("portal:case_edit", kwargs={"pk": case.pk}) + "#photos")


@require_safe
def case_photo(request, pk: int, photo_pk: int):
    """A case's photo, shown inline: to anybody when the case is published, else to those who may see the case
    (its unit's staff, the ministry); 404 otherwise. Served with the type its content was checked to be."""
    case = selectors.case_visible(pk, request.user)
    photo = case.photos.filter(pk=photo_pk).first() if case is not None else None
    if photo is None:
        raise Http404
    name = safe_filename(photo.original_name, f"photo.{'png' if photo.kind == 'png' else 'jpg'}")
    response = FileResponse(photo.file.open("rb"), filename=name, content_type=photo.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    if case.status == CaseStatus.PUBLISHED:
        response["Cache-Control"] = "public, max-age=60"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def case_mine(request):
    _reporter_required(request)
    return render(request, "portal/case_mine.html", {"cases": selectors.cases_of_unit(request.user.unit)})


@require_GET
@national_required
def case_moderate(request):
    return render(request, "portal/case_moderate.html", selectors.cases_to_moderate())


@require_POST
@national_required
def case_decide(request, pk: int):
    case = get_object_or_404(Case, pk=pk)
    try:
        if request.POST.get("action") == "publish":
            case_publish(case=case, acting_user=request.user)
            messages.success(request, _("案例“%(title)s”已发布。") % {"title": case.title})
        else:
            case_reject(case=case, reason=request.POST.get("reason", ""), acting_user=request.user)
            messages.success(request, _("案例“%(title)s”已退回。") % {"title": case.title})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:case_moderate")
