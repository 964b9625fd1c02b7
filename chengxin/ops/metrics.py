"""Request rates and latencies in the Prometheus text format (prometheus_client, the Prometheus project's own
library), for `GET /metrics` (chengxin.ops.middleware.HealthMiddleware; not public, see there).

Under gunicorn every worker process counts for itself; with PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py
sets it) the workers write their counts to files there and a scrape of any worker sums them all. Why not
django-prometheus: it adds two middlewares and a dozen metrics per request, where the request log middleware already
times every request: one observation there is all the deadline rush pays.
"""

import logging
import os

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # before the metrics below open their files there
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], mode=0o700, exist_ok=True)

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter(
    "chengxin_http_requests_total",
    "HTTP requests answered, by method, route (the URL pattern) and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "chengxin_http_request_duration_seconds",
    "Time from the request reaching the application to its response, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


logger = logging.getLogger("chengxin.ops")


def observe(*, method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request. Counting never fails the request it counts."""
    try:
        REQUESTS.labels(method, route, str(status)).inc()
        LATENCY.labels(method, route).observe(seconds)
    except Exception:
        logger.exception("could not record the request in the metrics")


def exposition() -> tuple[bytes, str]:
    """The metrics of this process, or of every worker when PROMETHEUS_MULTIPROC_DIR is set; and their type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
