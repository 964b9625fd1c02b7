"""Pages of the API app that are not JSON endpoints: a signed-in user's own API tokens, and the JSON 404 for
any address under /api/v1/ that is no endpoint."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chengxin.api.models import ApiToken
from chengxin.api.services import token_create, token_revoke
from chengxin.core.errors import DomainError, FieldError


def not_found(request, *args, **kwargs):
    from chengxin.api.api import error_response

    return error_response(request, 404, _("没有这个接口地址，请查看 /api/v1/docs"))


# The form's token number: ASCII digits only. str.isdigit() also accepts "²" or "٣", which int() refuses or reads
# as another number; and at most 18 digits, so that it fits the database's integer.
_TOKEN_ID = re.compile(r"[0-9]{1,18}")


def _token_id(raw: str) -> int:
    if not _TOKEN_ID.fullmatch(raw):
        message = _("字段 token（令牌编号）应为数字 0–9")
        raise DomainError(message, errors=[FieldError("token", message)])
    return int(raw)


@require_http_methods(["GET", "POST"])
@login_required
def token_page(request):
    """The signed-in user's API tokens: create one (shown once, on this answer only) or revoke one."""
    created = None
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                token = ApiToken.objects.filter(pk=_token_id(request.POST.get("token", "")), user=request.user).first()
                if token is None:
                    raise Http404
                token_revoke(token=token, acting_user=request.user)
                messages.success(request, _("令牌 %(prefix)s… 已撤销。") % {"prefix": token.prefix})
                return redirect("api_tokens")
            _token, created = token_create(
                user=request.user, name=request.POST.get("name", ""), acting_user=request.user
            )
        except DomainError as exc:
            error = exc
    response = render(
        request,
        "api/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "created": created, "error": error},
        status=(422 if error.status == 400 else error.status) if error else 200,
    )
    # The new token is on this page only: never keep it in any cache.
    response["Cache-Control"] = "no-store"
    return response
