"""Authorisation for views: decorators over the capability table (units/capabilities.py); views that take a
unit's identifiers also check the unit is in the account's scope."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from chengxin.units.capabilities import Action, can
from chengxin.units.models import Unit


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


def capability_required(action: Action):
    """A view decorator: accounts whose role has `action` in the capability table (whatever its unit scope;
    the view checks the unit)."""
    return role_required(lambda user: can(user, action))


national_required = capability_required(Action.VIEW_NATIONAL)  # ministry reviewers and administrators
national_admin_required = capability_required(Action.MANAGE_CAMPAIGN)
auditor_required = capability_required(Action.READ_AUDIT)
security_admin_required = capability_required(Action.MANAGE_SECURITY)


def unit_for_reporter(request, unit_code: str) -> Unit:
    """The unit named in the URL, if the signed-in account reports for it; 404 otherwise (no IDOR)."""
    unit = get_object_or_404(Unit, code=unit_code)
    if not can(request.user, Action.FILL_REPORT, unit):
        raise Http404
    return unit


def unit_for_reader(request, unit_code: str) -> Unit:
    """The unit named in the URL, if the account reports for it, is above it in the reporting hierarchy,
    or is ministry staff; 404 otherwise."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), code=unit_code)
    if not can(request.user, Action.READ_REPORT, unit):
        raise Http404
    return unit
