"""Who is acting and from where, for the audit rows written while a request, a command or a task runs.

AuditContextMiddleware sets it for each request; `audit_context()` sets it for a background task or a command
that acts for someone. A request of someone not signed in is "anonymous"; with nothing set (a management
command, a shell) the actor is "system:<command>".
"""

import contextlib
import functools
import sys
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path

from chengxin.core.proxy import client_ip

ANONYMOUS = "anonymous"  # a request of someone not signed in (the public pages, a sign-in)
USER_AGENT_MAX = 300
PATH_MAX = 300


def clean_text(value: str) -> str:
    """`value` storable in any database and hashable as UTF-8: no NUL, no lone surrogate."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


@functools.cache
def _command_label() -> str:
    """`system:<command>` when run as `chengxin <command>` / `manage.py <command>`, else `system`."""
    argv = sys.argv or [""]
    program = Path(argv[0]).name
    if program in ("chengxin", "manage.py", "django-admin", "__main__.py") and len(argv) > 1:
        return f"system:{argv[1]}"[:150]
    return "system"


class AuditContext:
    """The actor and the request of the audit rows written meanwhile. The IP, the user agent and the unit are
    worked out only when a row is written, so a request that writes nothing costs nothing."""

    def __init__(self, *, user=None, request=None, label: str = ""):
        self._user = user
        self.request = request
        self.label = label

    @property
    def user(self):
        """The signed-in account, or None (anonymous, system)."""
        user = self._user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user

    def set_user(self, user) -> None:
        """Name the actor once it is known (an API call authenticated by a token inside the view)."""
        self._user = user

    @property
    def actor_name(self) -> str:
        user = self.user
        if user is not None:
            return user.get_username()
        if self.label:
            return self.label
        return ANONYMOUS if self.request is not None else _command_label()

    @cached_property
    def ip(self) -> str:
        if self.request is None:
            return ""
        # REMOTE_ADDR as chengxin.core.proxy.ProxyMiddleware left it: the real client's behind trusted proxies.
        return client_ip(self.request)

    @cached_property
    def user_agent(self) -> str:
        if self.request is None:
            return ""
        return clean_text(self.request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]

    @property
    def method(self) -> str:
        return (self.request.method or "") if self.request is not None else ""

    @property
    def path(self) -> str:
        return clean_text(self.request.path or "")[:PATH_MAX] if self.request is not None else ""


_current: ContextVar[AuditContext | None] = ContextVar("chengxin_audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or AuditContext()


@contextlib.contextmanager
def audit_context(*, user=None, request=None, label: str = ""):
    """Audit rows written inside the block name `user` (or `label`, e.g. "task:import") and `request`."""
    token = _current.set(AuditContext(user=user, request=request, label=label))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def bind_user(user) -> None:
    """Name the actor of the current request's audit rows (for views that authenticate inside, e.g. API tokens).
    Outside a request or an `audit_context()` block it does nothing."""
    context = _current.get()
    if context is not None:
        context.set_user(user)
