"""Middleware of the ground layer: the client behind proxies, the request-body cap, DomainError mapped to a
response in one place (JSON for the API, a message page for the browser), the language, Permissions-Policy."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError
from chengxin.core.inputs import MAX_FIELD, shown_name, storable_text_problem
from chengxin.core.proxy import PEER_ADDR, forwarded_client


def domain_error_response(request, error: DomainError):
    """The one mapping of a DomainError: JSON for the API and for clients asking for JSON, else the message page."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(error.as_json(), status=error.status)
    return render(request, "error.html", {"error": error}, status=error.status)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return domain_error_response(request, exception)


class ProxyMiddleware:
    """Behind CHENGXIN_TRUSTED_PROXY_COUNT reverse proxies, REMOTE_ADDR becomes the client's address as the
    outermost proxy saw it (chengxin.core.proxy); the connection's own address is kept in META[PEER_ADDR]. With
    the setting at 0 (reached directly) nothing changes. First in settings.MIDDLEWARE, so that everything after
    it (django-axes, the audit log, rate limits, the request log) reads the same address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        meta[PEER_ADDR] = meta.get("REMOTE_ADDR", "")
        proxies = settings.CHENGXIN_TRUSTED_PROXY_COUNT
        if proxies:
            client = forwarded_client(meta.get("HTTP_X_FORWARDED_FOR", ""), proxies)
            if client:
                meta["REMOTE_ADDR"] = client
        return self.get_response(request)


def max_body(setting: str):
    """Let a view accept request bodies up to the number of bytes in `settings.<setting>` instead of
    settings.CHENGXIN_MAX_REQUEST_BYTES (the workbook import takes several files at once). Read by
    RequestSizeMiddleware before anything reads the body."""

    def decorate(view):
        view.max_request_setting = setting
        return view

    return decorate


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


class RequestSizeMiddleware:
    """Refuses a request whose declared body is larger than the view accepts (settings.CHENGXIN_MAX_REQUEST_BYTES,
    or the view's own `max_body`), with 413 and a message naming both sizes, before the body is read: nothing of
    it reaches memory or a temporary file. The proxy in front caps at the largest view's limit
    (deploy/nginx/chengxin.conf: client_max_body_size), and waitress at the same (chengxin serve)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.CHENGXIN_MAX_REQUEST_BYTES:
            limit = self._limit(request.path_info)
            if declared > limit:
                message = _("提交的内容过大（%(size)s MB），超过了此处允许的 %(limit)s MB，未保存任何内容") % {
                    "size": _megabytes(declared),
                    "limit": _megabytes(limit),
                }
                error = DomainError(message, [FieldError("body", message)], status=413)
                return domain_error_response(request, error)
        return self.get_response(request)

    @staticmethod
    def _limit(path_info: str) -> int:
        try:
            view = resolve(path_info).func
        except Resolver404:
            return settings.CHENGXIN_MAX_REQUEST_BYTES
        return getattr(settings, getattr(view, "max_request_setting", "CHENGXIN_MAX_REQUEST_BYTES"))


class InputMiddleware:
    """Refuses a request whose query or form fields (names or values) hold what no field may hold: a NUL
    character, a lone surrogate, or a value longer than MAX_FIELD characters. 422, with the field named, before
    any view runs: nothing is saved (chengxin.core.inputs). The API's JSON bodies are its schemas' to check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        error = self._problem(request.GET) or (self._problem(request.POST) if request.method == "POST" else None)
        if error is not None:
            return domain_error_response(request, error)
        return self.get_response(request)

    @staticmethod
    def _problem(data) -> DomainError | None:
        for name, values in data.lists():
            for text in (name, *values):
                problem = storable_text_problem(text)
                if problem is None and len(text) > MAX_FIELD:
                    problem = _("不能超过 %(n)s 个字符") % {"n": MAX_FIELD}
                if problem is not None:
                    field = shown_name(name)
                    message = _("“%(field)s”%(problem)s，未保存任何内容") % {"field": field, "problem": problem}
                    return DomainError(message, [FieldError(field, message)], status=422)
        return None


class LanguageMiddleware:
    """Chinese unless the user chose another language on the site (the cookie that /i18n/setlang/ sets).

    Unlike Django's LocaleMiddleware the browser's Accept-Language is not consulted: an official whose
    browser happens to prefer English still sees the Chinese system until choosing English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Threads serve many requests (and tests call services directly): do not leave this
            # request's language active for whatever the thread does next.
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response


class PermissionsPolicyMiddleware:
    """Sends settings.CHENGXIN_PERMISSIONS_POLICY as the Permissions-Policy header of every response that has
    none: browser features (camera, geolocation, payment…) that no page uses stay off, even for injected code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CHENGXIN_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
