"""Operations: `/healthz` for the load balancer, `/metrics` for Prometheus, and one log line per request.

Both endpoints are answered here, ahead of sessions, host checks and the HTTPS redirect, because a load balancer
probes each app process directly (plain HTTP, its own Host header) and must not be sent elsewhere. They are not in
the URLconf; deploy/nginx/chengxin.conf keeps /metrics from the outside as well.
"""

import hmac
import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.functional import SimpleLazyObject, empty

from chengxin.core.proxy import client_ip
from chengxin.ops import metrics
from chengxin.ops.health import health

logger = logging.getLogger("chengxin.request")

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
# A request id given by the trusted proxy (nginx: $request_id) is kept, so that its access log and ours match.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class HealthMiddleware:
    """GET /healthz: 200 {"status": "ok", …} or 503 {"status": "fail", …} (chengxin.ops.health), never cached.
    GET /metrics: the Prometheus text format, only with `Authorization: Bearer <CHENGXIN_METRICS_TOKEN>`; 404
    without the token, or when no token is set (metrics off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            healthy, body = health()
            response = JsonResponse(body, status=200 if healthy else 503)
            response["Cache-Control"] = "no-store"
            return response
        if path == METRICS_PATH:
            return self._metrics(request)
        return self.get_response(request)

    @staticmethod
    def _metrics(request):
        token = settings.CHENGXIN_METRICS_TOKEN
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            raise Http404
        content, content_type = metrics.exposition()
        response = HttpResponse(content, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response


def _user_id(request) -> str:
    """The account's id if the request looked at it (no session is read just for the log)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user.__dict__.get("_wrapped", empty)
        if user is empty:
            return ""
    return str(getattr(user, "pk", None) or "")


def _route(request) -> str:
    """The URL pattern that answered (bounded, unlike the path), for the metrics' labels."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name or "?"
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class RequestLogMiddleware:
    """One line per request on the `chengxin.request` logger (request id, method, path, status, duration, user
    id, client IP; JSON with CHENGXIN_LOG_FORMAT=json) and its count and duration in the metrics. The request id
    (the proxy's X-Request-ID behind a trusted proxy, else a new one) is sent back as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "") if settings.CHENGXIN_TRUSTED_PROXY_COUNT else ""
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        response["X-Request-ID"] = request_id
        metrics.observe(method=request.method, route=_route(request), status=response.status_code, seconds=seconds)
        if logger.isEnabledFor(logging.INFO):
            fields = {
                "request_id": request_id,
                "method": request.method,
                "path": request.path[:500],  # no query string: it may carry a one-time code
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": _user_id(request),
                "client_ip": client_ip(request),
            }
            logger.info(
                "%(method)s %(path)s %(status)s %(duration_ms)sms id=%(request_id)s user=%(user_id)s ip=%(client_ip)s",
                fields,
                extra={"request": fields},
            )
        return response


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line (CHENGXIN_LOG_FORMAT=json): time, level, logger, message, the
    request's fields for request lines, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "request", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
