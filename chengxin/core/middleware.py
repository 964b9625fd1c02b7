"""Maps DomainError to a response in one place: JSON for the API, a message page for the browser."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from chengxin.core.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(exception.as_json(), status=exception.status)
        return render(request, "error.html", {"error": exception}, status=exception.status)


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
