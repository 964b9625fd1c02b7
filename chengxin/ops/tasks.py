"""The task worker's heartbeat: once a minute it notes the time in the cache, which /healthz reports (how long ago
a worker was last seen), so that a stopped worker shows before reminders and imports are missed."""

import time

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import periodic_task

from chengxin.ops.health import HEARTBEAT_KEY


@periodic_task(crontab())
def worker_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 60 * 60)
