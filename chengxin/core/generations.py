"""Generation counters in the cache: a cheap "has anything of this kind changed?" for cached derived data.

Writers bump a named generation (`generation_bump("campaign-data:7")`) when they change what the name covers; a
reader puts the generations its result depends on into the result's cache key, so a bump makes every older
entry unreachable (it is never read again and expires by itself). The bump happens at once and again when the
transaction commits: a reader that computed between the two from the data before the commit stored it under the
generation of the first bump, which the second makes unreachable. A missing counter (evicted, a new cache)
starts again from the clock, never from a number an older key used.

With a cache shared by every process (Redis, production) a bump is seen everywhere at once. With the local-memory
cache of a single-process install, a write made by another process (a command line) is seen when the cached entry
expires: readers give their entries a short lifetime for that reason.

The generation "all" is part of every key (`generations()` adds it): a restore or the demo-data generator, which
write behind the models' backs, bump it.
"""

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

_PREFIX = "chengxin:gen:"
T = TypeVar("T")


def _key(name: str) -> str:
    return _PREFIX + name


def generation(name: str) -> int:
    key = _key(name)
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key) or time.time_ns()
    return value


def generations(*names: str) -> str:
    """The generations of `names` (and of "all") as one key part: "1733..-1733..-1733.."."""
    found = cache.get_many([_key(n) for n in ("all", *names)])
    if len(found) != len(names) + 1:
        return "-".join(str(generation(n)) for n in ("all", *names))
    return "-".join(str(found[_key(n)]) for n in ("all", *names))


_MISSING = object()


def cached(key: str, names: tuple[str, ...], compute: Callable[[], T], seconds: int = 300) -> T:
    """`compute()` read through the cache under `key` and the generations of `names`: computed again when a
    write bumped one of them, or after `seconds` (how late a write by another process is seen when the cache is
    not shared). None is a result like any other (a unit that does not exist is not looked up on every page)."""
    full = f"chengxin:{key}:{generations(*names)}"
    found = cache.get(full, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(full, found, seconds)
    return found


def _bump(name: str) -> None:
    key = _key(name)
    try:
        cache.incr(key)
    except ValueError:  # no counter (evicted, never read): start from the clock
        cache.set(key, time.time_ns(), None)


def generation_bump(*names: str) -> None:
    """Say that what `names` cover changed: now, and again once the transaction commits (see above)."""
    for name in names:
        _bump(name)
    transaction.on_commit(lambda: [_bump(name) for name in names])


def bump_on_change(model, names: Callable[[Any], Iterable[str]], uid: str) -> None:
    """Bump the generations `names(row)` whenever a row of `model` (a class or "app.Model") is saved or deleted
    through the ORM. Writes that send no signal (update(), bulk_create()) bump by themselves. Called from an
    app's `ready()`; `uid` keeps a second call from connecting twice."""

    def changed(sender, instance, **kwargs) -> None:
        generation_bump(*names(instance))

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.delete")
