"""Maps DomainError to a response in one place: JSON for the API, a message page for the browser."""

from django.http import JsonResponse
from django.shortcuts import render

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
