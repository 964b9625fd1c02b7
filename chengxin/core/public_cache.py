"""Server-side caching of the public pages.

A public page is rendered without anything that depends on the visitor (no signed-in header, no CSRF token), so
one cached copy serves everybody who reads it in the same language. Every cache key carries a version number;
`portal_cache_bump()` moves it on, which makes every cached public page stale at once. Call it whenever
something a public page shows changes: published totals, activities, cases, the logo, commitments.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from chengxin.core.inputs import normalise_query

VERSION_KEY = "portal:version"
PAGE_TIMEOUT = 300  # seconds; a safety net: a missed bump is never stale for longer than this
MAX_AGE = 60  # what browsers and proxies may keep


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # Any fresh value will do: pages cached under an older number are simply never read again.
        import time

        version = int(time.time() * 1000)
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def _bump_now() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: nothing is cached under one
        _version()


def portal_cache_bump() -> None:
    """Make every cached public page stale. Safe inside a transaction: bumps now and again after commit, so a
    page cached by a concurrent reader between the two never outlives the write."""
    _bump_now()
    transaction.on_commit(_bump_now)


def public_page(view=None, *, query: tuple[str, ...] = ()):
    """Serve the view's response from the cache when possible. Only for views whose output depends on nothing but
    the path, the query parameters named in `query` and the language (other parameters are left out of the key,
    so junk in the query string neither bypasses the cache nor fills it). A response that must not be shared sets
    `response.portal_private = True`."""
    if view is None:
        return lambda v: public_page(v, query=query)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The parameters as the page reads them (normalise_query), hashed: any text keeps the key short.
        params = "&".join(f"{name}={normalise_query(request.GET.get(name, ''))}" for name in query)
        digest = hashlib.sha256(params.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        key = f"portal:page:{_version()}:{request.LANGUAGE_CODE}:{request.path[:100]}?{digest}"
        cached = cache.get(key)
        if cached is not None:
            status, content_type, content = cached
            response = HttpResponse(content, status=status, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if getattr(response, "portal_private", False):
                return response
            if response.status_code == 200 and not response.streaming:
                cache.set(key, (response.status_code, response["Content-Type"], response.content), PAGE_TIMEOUT)
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return wrapper
