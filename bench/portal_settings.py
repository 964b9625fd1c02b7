"""Settings of the public pages benchmark's server (bench/portal_bench.py): the product's own (chengxin.settings, read
from the same environment) with the bench URLconf, which adds one bare view answering a constant
(bench/portal_urls.py; bench/wsgi.py serves it with no middleware at all).

One more thing, only when CHENGXIN_BENCH_CACHE_STATS names a folder: the cache backend the product configured
(local memory, or Redis with REDIS_URL) is replaced by a subclass of itself that counts, per process, how many
look-ups of a public page's cached copy (keys `portal:page:…`, chengxin/core/public_cache.py) found it (hit) or not
(miss), by the page's first path segment (`/commitments/`, `/public/`). Every 0.25 s a thread of each process writes
its running counts to `<folder>/<pid>.json` (and once more when the process exits); the bench sums the files
before and after a run. The cost in the server: one string test and one addition per cache read.
"""

import atexit
import json
import os
import threading
import time
from pathlib import Path

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from chengxin.settings import *  # noqa: F403
from chengxin.settings import CACHES

ROOT_URLCONF = "bench.portal_urls"

PAGE_PREFIX = "portal:page:"
STATS_DIR = os.environ.get("CHENGXIN_BENCH_CACHE_STATS", "")


class _Counts:
    """This process's counts, {bucket: [hits, misses]}, and the thread that writes them to STATS_DIR."""

    lock = threading.Lock()
    pid = 0
    counts: dict[str, list[int]] = {}
    written = ""

    @classmethod
    def add(cls, key: str, hit: bool) -> None:
        if cls.pid != os.getpid():  # first count of this process (gunicorn forks its workers)
            cls._start()
        # portal:page:<version>:<language>:<path>?<params>: the bucket is the path's first segment.
        path = key.split(":", 4)[-1]
        bucket = "/" + path.lstrip("/").split("/", 1)[0].split("?", 1)[0] + "/"
        with cls.lock:
            pair = cls.counts.setdefault(bucket, [0, 0])
            pair[0 if hit else 1] += 1

    @classmethod
    def _start(cls) -> None:
        with cls.lock:
            if cls.pid == os.getpid():
                return
            cls.pid, cls.counts, cls.written = os.getpid(), {}, ""
        threading.Thread(target=cls._loop, name="bench-cache-stats", daemon=True).start()
        atexit.register(cls.write)

    @classmethod
    def _loop(cls) -> None:
        while True:
            time.sleep(0.25)
            cls.write()

    @classmethod
    def write(cls) -> None:
        with cls.lock:
            text = json.dumps({"pid": cls.pid, "counts": cls.counts})
        if text == cls.written:
            return
        folder = Path(STATS_DIR)
        temporary = folder / f".{cls.pid}.tmp"
        temporary.write_text(text)
        os.replace(temporary, folder / f"{cls.pid}.json")
        cls.written = text


class _CountingMixin:
    def get(self, key, default=None, version=None):
        value = super().get(key, default, version)
        if isinstance(key, str) and key.startswith(PAGE_PREFIX):
            _Counts.add(key, value is not default)
        return value


class CountingLocMemCache(_CountingMixin, LocMemCache):
    pass


class CountingRedisCache(_CountingMixin, RedisCache):
    pass


_COUNTING = {
    "django.core.cache.backends.locmem.LocMemCache": "bench.portal_settings.CountingLocMemCache",
    "django.core.cache.backends.redis.RedisCache": "bench.portal_settings.CountingRedisCache",
}
if STATS_DIR:
    _backend = CACHES["default"]["BACKEND"]
    if _backend not in _COUNTING:
        raise RuntimeError(f"bench.portal_settings cannot count the hits of the cache backend {_backend}")
    CACHES = {**CACHES, "default": {**CACHES["default"], "BACKEND": _COUNTING[_backend]}}
