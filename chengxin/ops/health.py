"""What `GET /healthz` checks: the database, the cache and the task queue answer. No secret and no error text
(an exception's message may name hosts or users) is ever shown: each check is "ok" or "fail"."""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger("chengxin.ops")

HEARTBEAT_KEY = "ops:worker-heartbeat"  # written every minute by the task worker (chengxin.ops.tasks)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key, value = f"ops:health:{uuid.uuid4().hex}", "1"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def _tasks() -> int:
    from huey.contrib.djhuey import HUEY

    return HUEY.storage.queue_size()


def health() -> tuple[bool, dict]:
    """(healthy, body): healthy when every check passes."""
    checks: dict[str, str] = {}
    body: dict = {"checks": checks}
    for name, check in (("database", _database), ("cache", _cache), ("tasks", _tasks)):
        try:
            result = check()
        except Exception:
            logger.exception("health check %s failed", name)
            checks[name] = "fail"
            continue
        checks[name] = "ok"
        if name == "tasks":
            body["queued_tasks"] = result
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        beat = None
    # Informational: a worker that stopped does not make the web processes unhealthy for the load balancer.
    body["worker_seen_seconds_ago"] = round(time.time() - beat) if beat else None
    healthy = all(value == "ok" for value in checks.values())
    body["status"] = "ok" if healthy else "fail"
    return healthy, body
