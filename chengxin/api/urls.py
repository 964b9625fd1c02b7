"""/api/v1/: the ninja API (endpoints, /openapi.json, /docs), the token page, and JSON for anything else."""

from functools import wraps

from django.shortcuts import redirect
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _

from chengxin.api import views
from chengxin.api.api import api, error_response


def _json_not_allowed(view):
    """ninja answers a method an endpoint does not have with a plain-text 405; the API's errors are JSON."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = error_response(request, 405, _("此地址不支持 %(method)s 请求") % {"method": request.method[:10]})
            response["Allow"] = allowed
        return response

    return wrapper


def _docs(request):
    return redirect("api:openapi-view")


def _ninja_urls():
    """ninja's URL patterns, with JSON 405s, and /api/v1/ itself leading to the docs (ninja's own root view, there
    to name the API's prefix, answers an HTML 404)."""
    patterns, app_name, namespace = api.urls
    wrapped = []
    for p in patterns:
        if isinstance(p, URLPattern):
            view = _docs if p.name == "api-root" else _json_not_allowed(p.callback)
            p = URLPattern(p.pattern, view, p.default_args, p.name)
        wrapped.append(p)
    return wrapped, app_name, namespace


urlpatterns = [
    path("tokens/", views.token_page, name="api_tokens"),
    path("", _ninja_urls()),
    re_path(r"", views.not_found, name="api_not_found"),
]
