"""Who acts and from where, for the audit rows a request writes; and the auditor's read-only access.

AuditContextMiddleware goes after AuthenticationMiddleware and django-otp's OTPMiddleware (it reads
request.user). For every request it
- sets the audit context (chengxin.audit.context): the signed-in account, the client IP (the project's rule:
  django-axes' helper with the AXES_IPWARE_* settings derived from CHENGXIN_TRUSTED_PROXY_COUNT), the user
  agent, the method and the path;
- refuses an auditor's POST, PUT, PATCH or DELETE (403, "may read, may not act") anywhere but their own
  account's pages (sign-in and sign-out, password, second factor: AUDITOR_POST_VIEWS) and the language switch:
  the auditor reads and changes nothing. The model signals refuse an auditor's write again, whatever the URL
  (defence in depth);
- records a refused or failed write request (POST … answered 4xx or 5xx) of a signed-in account as a
  `request_refused` row with outcome "failure": a write that was refused leaves nothing else behind.
"""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from chengxin.audit.context import audit_context
from chengxin.audit.models import Outcome, Verb
from chengxin.audit.services import audit_record
from chengxin.core.errors import DomainError
from chengxin.units.middleware import ADMINISTRATOR_URL_NAMES

logger = logging.getLogger("chengxin.audit")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# What an auditor may still post to: their own account (sign-in, sign-out, password, second factor) and the language.
AUDITOR_POST_VIEWS = ADMINISTRATOR_URL_NAMES - {"home", "password_change_done", "favicon"}


def auditor_may_post(path_info: str) -> bool:
    """True for the pages an auditor may post to (AUDITOR_POST_VIEWS); every other write request is refused."""
    try:
        return resolve(path_info).view_name in AUDITOR_POST_VIEWS
    except Resolver404:
        return False


def is_auditor(user) -> bool:
    from chengxin.units.models import Role

    return user is not None and user.is_authenticated and getattr(user, "role", None) == Role.AUDITOR


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request=request):
            writes = request.method not in SAFE_METHODS
            if writes and is_auditor(getattr(request, "user", None)) and not auditor_may_post(request.path_info):
                return self._refuse_auditor(request)
            response = self.get_response(request)
            if writes and response.status_code >= 400:
                self._record_failure(request, response.status_code)
            return response

    def _refuse_auditor(self, request):
        message = _("审计员只能查阅，不能提交或修改数据")
        self._record_failure(request, 403)
        if request.path_info.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": message, "errors": []}, status=403)
        return render(request, "error.html", {"error": DomainError(message, status=403)}, status=403)

    def _record_failure(self, request, status: int) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return  # anonymous failures (the public forms, sign-in) are not logged: anyone could flood the log
        try:
            audit_record(action=Verb.REQUEST_REFUSED, outcome=Outcome.FAILURE, changes={"status": status})
        except Exception:  # nothing was written by the refused request; say so in the server log
            logger.exception("could not record a refused request (%s %s)", request.method, request.path)
