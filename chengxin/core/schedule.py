"""Periodic tasks that run once per period however many task workers there are.

huey's scheduler runs in every consumer: with two workers (two machines, or a spare) each would send the same
reminders, purge twice, sweep twice. `once_per` makes the first worker to reach a period claim it with a row that
the database's unique constraint allows once (PeriodicRun); the others find the claim and skip. The claim is
committed before the task runs, so a task that fails is not retried by another worker in the same period: the
next period runs it again (every periodic task of the system catches up on what an earlier run missed).
"""

import functools
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chengxin.core.models import PeriodicRun

logger = logging.getLogger("chengxin.tasks")

_SLOT_FORMATS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d"}
KEEP_CLAIMS = timedelta(days=35)


def slot_now(period: str) -> str:
    """The current period in Beijing time (settings.TIME_ZONE), as the claim names it."""
    return timezone.localtime().strftime(_SLOT_FORMATS[period])


def claim(task: str, slot: str) -> bool:
    """True for the one caller that claims (task, slot) first; False for every other, on any machine."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task, slot=slot)
    except IntegrityError:
        return False
    PeriodicRun.objects.filter(task=task, claimed_at__lt=timezone.now() - KEEP_CLAIMS).delete()
    return True


def once_per(task: str, *, period: str):
    """Decorate a periodic task's function so that it runs at most once per `period` ("hour" or "day")."""
    if period not in _SLOT_FORMATS:
        raise ValueError(f"period must be one of {sorted(_SLOT_FORMATS)}")

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            slot = slot_now(period)
            if not claim(task, slot):
                logger.info("%s: already run for %s by another worker", task, slot)
                return None
            return function(*args, **kwargs)

        return wrapper

    return decorate
