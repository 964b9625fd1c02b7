"""Commitment pages: the public signing form and search (no login), and the ministry's moderation page."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from chengxin.campaigns.selectors import campaign_get
from chengxin.commitments.captcha import captcha_new, captcha_passed
from chengxin.commitments.models import Commitment, Industry, Status
from chengxin.commitments.selectors import SEARCH_CAP, commitment_search, commitments_for_moderation, is_code_query
from chengxin.commitments.services import (
    commitment_publish,
    commitment_reject,
    commitment_sign,
    commitment_withdraw,
)
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.inputs import normalise_query
from chengxin.core.middleware import domain_error_response
from chengxin.core.public_cache import public_page
from chengxin.core.regions import PROVINCES, region_name
from chengxin.units.permissions import national_required

PER_PAGE = 20
SIGN_FIELDS = ["name", "uscc", "region_code", "industry", "contact_name", "contact_phone"]


def _rate(setting: str):
    return lambda group, request: getattr(settings, setting)


def too_many(request):
    """429 for a client over its rate (django-ratelimit, keyed on the real client address: chengxin.core.proxy)."""
    message = _("操作太频繁，请稍后再试")
    response = domain_error_response(request, DomainError(message, status=429))
    response["Retry-After"] = "60"
    return response


@never_cache  # in the portal's frame, but each visitor's own: a CSRF token and a captcha spent once
@ratelimit(key="ip", rate=_rate("CHENGXIN_SIGN_RATE"), method="POST", block=False)
@require_http_methods(["GET", "POST"])
def sign(request, year: int):
    campaign = campaign_get(year)
    error = None
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many(request)
        try:
            if settings.CHENGXIN_SIGN_CAPTCHA and not captcha_passed(
                request.POST.get("captcha_key", ""), request.POST.get("captcha", "")
            ):
                message = _("验证码不正确或已过期，请重新输入图片（或语音）中的数字")
                raise DomainError(message, [FieldError("captcha", message)], status=422)
            commitment = commitment_sign(campaign=campaign, **{f: request.POST.get(f, "") for f in SIGN_FIELDS})
        except DomainError as exc:
            error = exc
        else:
            return render(request, "commitments/signed.html", {"campaign": campaign, "commitment": commitment})
    field_errors = {e.field: e.message for e in error.errors} if error else {}
    return render(
        request,
        "commitments/sign.html",
        {
            "campaign": campaign,
            "provinces": PROVINCES.items(),
            "industries": Industry.choices,
            "error": error,
            "field_errors": field_errors,
            "post": request.POST if error else {},
            "captcha": captcha_new() if settings.CHENGXIN_SIGN_CAPTCHA else None,
        },
        status=422 if error else 200,
    )


@ratelimit(key="ip", rate=_rate("CHENGXIN_SEARCH_RATE"), method="GET", block=False)
@require_GET
def search(request, year: int):
    """The public search, at most CHENGXIN_SEARCH_RATE requests per client (served from the cache or not)."""
    if getattr(request, "limited", False):
        return too_many(request)
    return _search(request, year)


@public_page(query=("q", "match", "page"))
def _search(request, year: int):
    """The public search: the same for every visitor, so it is served from the portal's cache (bumped when a
    commitment is published or withdrawn)."""
    campaign = campaign_get(year)
    q = normalise_query(request.GET.get("q", ""))
    match = "prefix" if request.GET.get("match") == "prefix" else "contains"
    results = commitment_search(campaign=campaign, q=q, match=match)
    if is_code_query(q):  # at most one row: fetched at once, so the paginator needs no COUNT query
        results = list(results)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.region = region_name(row.region_code)
    response = render(
        request,
        "commitments/search.html",
        {"campaign": campaign, "q": q, "match": match, "page": page, "cap": SEARCH_CAP},
    )
    return response


@require_GET
@national_required
def moderate(request, year: int):
    campaign = campaign_get(year)
    status = request.GET.get("status", Status.PENDING)
    if status not in Status.values:
        status = Status.PENDING
    page = Paginator(commitments_for_moderation(campaign=campaign, status=status), 50).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.region = region_name(row.region_code)
    return render(
        request,
        "commitments/moderate.html",
        {"campaign": campaign, "page": page, "status": status, "statuses": Status.choices},
    )


def _moderation_step(request, year: int, pk: int, step) -> HttpResponseRedirect:
    """Run one moderation service on the campaign's commitment `pk`, then go back to the list it was done from."""
    campaign = campaign_get(year)
    commitment = get_object_or_404(Commitment, pk=pk, campaign=campaign)
    try:
        message = step(commitment)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    back = request.POST.get("status", Status.PENDING)
    url = redirect("commitments:moderate", year=year).url
    return redirect(f"{url}?status={back}" if back in Status.values else url)


@require_POST
@national_required
def publish(request, year: int, pk: int):
    def step(commitment):
        commitment_publish(commitment=commitment, acting_user=request.user)
        return _("已公示：%(name)s") % {"name": commitment.name}

    return _moderation_step(request, year, pk, step)


@require_POST
@national_required
def reject(request, year: int, pk: int):
    def step(commitment):
        commitment_reject(commitment=commitment, reason=request.POST.get("reason", ""), acting_user=request.user)
        return _("已退回：%(name)s") % {"name": commitment.name}

    return _moderation_step(request, year, pk, step)


@require_POST
@national_required
def withdraw(request, year: int, pk: int):
    def step(commitment):
        commitment_withdraw(commitment=commitment, reason=request.POST.get("reason", ""), acting_user=request.user)
        return _("已撤回：%(name)s（公开页面显示为已撤回）") % {"name": commitment.name}

    return _moderation_step(request, year, pk, step)
