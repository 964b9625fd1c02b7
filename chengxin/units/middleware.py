"""Session limits and forced password change for signed-in users (ASVS V3.3, MLPS 2.0 level 3).

Both middlewares go after AuthenticationMiddleware and MessageMiddleware, SessionLimitsMiddleware first.
"""

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

LOGIN_AT = "_chengxin_login_at"
SEEN_AT = "_chengxin_seen_at"
# The last-activity time is written at most this often, so that a page's requests do not each write the session.
SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="chengxin.units.session_times")
def _session_times_start(sender, request, user, **kwargs):
    """A sign-in starts both clocks (Django has just given the session a new id)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


def _to_page(request, url: str) -> HttpResponse:
    """A redirect; for an htmx request a full-page navigation, so the login page does not land in a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionLimitsMiddleware:
    """Signs the user out after CHENGXIN_SESSION_IDLE_MINUTES without a request, or CHENGXIN_SESSION_ABSOLUTE_HOURS
    after signing in, whichever comes first; 0 turns a limit off. The times are kept in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if login_at is None or seen_at is None:
            # A session from before these limits (or a sign-in that bypassed the signal): start the clocks now.
            session[LOGIN_AT] = login_at or now
            session[SEEN_AT] = now
            return None
        idle = settings.CHENGXIN_SESSION_IDLE_MINUTES * 60
        absolute = settings.CHENGXIN_SESSION_ABSOLUTE_HOURS * 60 * 60
        if idle and now - seen_at > idle:
            message = _("长时间未操作，已自动退出，请重新登录")
        elif absolute and now - login_at > absolute:
            message = _("登录已超过 %(hours)d 小时，已自动退出，请重新登录") % {
                "hours": settings.CHENGXIN_SESSION_ABSOLUTE_HOURS
            }
        else:
            if now - seen_at >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
            return None
        logout(request)
        messages.warning(request, message)
        url = reverse(settings.LOGIN_URL)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return _to_page(request, url)


def password_change_reason(user) -> str | None:
    """'initial' if the account still has the password an administrator gave it, 'expired' if the password is
    older than CHENGXIN_PASSWORD_MAX_AGE_DAYS, None if it may be used."""
    if not user.is_authenticated or not user.has_usable_password():
        return None
    if user.password_changed_at is None:
        return "initial"
    max_age = settings.CHENGXIN_PASSWORD_MAX_AGE_DAYS
    if max_age and timezone.now() - user.password_changed_at > timedelta(days=max_age):
        return "expired"
    return None


class PasswordAgeMiddleware:
    """Sends a signed-in user who must change the password (initial or expired, see password_change_reason) to
    the password change page from every other page; signing out and choosing a language still work."""

    ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        reason = password_change_reason(user) if user is not None else None
        request.password_change_reason = reason
        if reason and request.path_info not in {reverse(name) for name in self.ALLOWED_URL_NAMES}:
            return _to_page(request, reverse("password_change"))
        return self.get_response(request)
