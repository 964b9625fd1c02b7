"""Authorisation as small decorators; views that take a unit's identifiers also check ownership."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from chengxin.units.models import Unit


def national_required(view):
    """Ministry staff (reviewers and administrators) only; everybody else gets 404, not a hint."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_national:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def national_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_national_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def unit_for_reporter(request, unit_code: str) -> Unit:
    """The unit named in the URL, if the signed-in account reports for it; 404 otherwise (no IDOR)."""
    unit = get_object_or_404(Unit, code=unit_code)
    if not request.user.reports_for(unit):
        raise Http404
    return unit


def unit_for_reader(request, unit_code: str) -> Unit:
    """The unit named in the URL, if the account reports for it, is above it in the reporting hierarchy,
    or is ministry staff; 404 otherwise."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), code=unit_code)
    if not request.user.reads(unit):
        raise Http404
    return unit
