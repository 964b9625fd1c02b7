"""Authorisation as small decorators; views that take a unit's identifiers also check ownership."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from chengxin.units.models import Role, Unit


def role_required(test):
    """A view decorator: signed-in accounts for which `test(user)` holds; everybody else gets 404, not a hint
    (the anonymous the login page)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


national_required = role_required(lambda user: user.is_national)  # ministry reviewers and administrators
national_admin_required = role_required(lambda user: user.is_national_admin)
auditor_required = role_required(lambda user: user.role == Role.AUDITOR)
security_admin_required = role_required(lambda user: user.role == Role.SECURITY_ADMIN)


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
