"""Session limits, forced password change and two-factor sign-in for signed-in users (ASVS V3.3, V2.7/2.8,
MLPS 2.0 level 3).

All three go after AuthenticationMiddleware, OTPMiddleware and MessageMiddleware, in this order:
SessionLimitsMiddleware, TwoFactorMiddleware, PasswordAgeMiddleware: the second factor comes first, so that a
password alone (an expired one included) never reaches the password change page.
"""

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.units.capabilities import NAMESPACE_OF, can

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
    the password change page from every other page; signing out, choosing a language and the two-factor pages
    (which TwoFactorMiddleware, before this one, sends an unverified account to) still work."""

    ALLOWED_URL_NAMES = (
        "password_change",
        "password_change_done",
        "logout",
        "set_language",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "accounts:two_factor_recovery",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        reason = password_change_reason(user) if user is not None else None
        request.password_change_reason = reason
        if reason and request.path_info not in {reverse(name) for name in self.ALLOWED_URL_NAMES}:
            return _to_page(request, reverse("password_change"))
        return self.get_response(request)


# Pages an account that has signed in with its password but not yet given its authenticator's code may open:
# the two-factor pages themselves, signing out and the language switch. Not the password change page: a stolen
# password, expired or not, must not be enough to choose a new one.
TWO_FACTOR_PENDING_URL_NAMES = frozenset(
    {
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "logout",
        "set_language",
    }
)
# The public pages (what anybody opens without signing in). Such an account sees them as an anonymous visitor
# does: signed in with the password only, it is nobody yet (its own unit's unpublished case stays hidden).
PUBLIC_URL_NAMES = frozenset(
    {
        "portal:home",
        "portal:campaign",
        "portal:logo_png",
        "portal:logo_svg",
        "portal:credit",
        "portal:cases",
        "portal:case",
        "portal:case_photo",
        "indices:public_list",
        "indices:public_index",
        "indices:public_csv",
        "indices:public_release",
        "commitments:search",
        "commitments:sign",
        "password_reset_confirm",
        "password_reset_complete",
        "captcha-image",
        "captcha-image-2x",
        "captcha-audio",
        "captcha-refresh",
    }
)


def two_factor_required() -> bool:
    """CHENGXIN_2FA_REQUIRED: always on in production; the test suite turns it off except where it is tested."""
    return getattr(settings, "CHENGXIN_2FA_REQUIRED", True)


def is_verified(user) -> bool:
    """True if the account's session passed the second factor (django_otp's OTPMiddleware installs the check)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def two_factor_url(user) -> str:
    """Where an account goes to finish signing in: the code page if it has an authenticator, else enrolment."""
    from chengxin.units.selectors import totp_device_for

    name = "accounts:two_factor_verify" if totp_device_for(user) is not None else "accounts:two_factor_setup"
    return reverse(name)


class TwoFactorMiddleware:
    """Demands the authenticator's code (TOTP, django-otp) of every signed-in account, MLPS 2.0 level 3: until
    the session is verified (django_otp.login), every page but TWO_FACTOR_PENDING_URL_NAMES, the public pages
    and static files sends the account to the code page, or to enrolment when it has no authenticator yet.
    Under /api/ the answer is a JSON 403 instead (except to a browser navigating there). A request with an
    Authorization header is the API token's to decide (chengxin.api.auth never falls back to the session for
    it); scripts carry no session anyway. Goes after OTPMiddleware and PasswordAgeMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not two_factor_required() or is_verified(user):
            return self.get_response(request)
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path == "/favicon.ico":
            return self.get_response(request)
        if path.startswith("/api/") and not self._browser_page(request):
            if "Authorization" in request.headers:
                # The API's token alone decides who this is: the unverified session counts for nothing.
                request.user = AnonymousUser()
                return self.get_response(request)
            return JsonResponse(
                {"detail": _("请先用身份验证器的动态验证码完成登录（双因素认证）"), "errors": []}, status=403
            )
        try:
            name = resolve(path).view_name
        except Resolver404:
            name = None
        if name in TWO_FACTOR_PENDING_URL_NAMES:
            return self.get_response(request)
        if name in PUBLIC_URL_NAMES:
            request.user = AnonymousUser()
            return self.get_response(request)
        url = two_factor_url(user)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return _to_page(request, url)

    @staticmethod
    def _browser_page(request) -> bool:
        """A browser navigating to a page (the API's token page, its docs) is sent to the code page like
        anywhere else; a script or the pages' own fetch() calls get JSON."""
        accept = request.headers.get("Accept", "")
        return request.method == "GET" and "text/html" in accept


# What each administrative role (三权分立) may open besides the account pages and the public ones: the system
# administrator the Django admin, the security administrator the account security pages, the auditor the audit
# log. A new route is closed to them until it is named here.
ADMINISTRATOR_URL_NAMES = frozenset(
    {
        "home",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "favicon",
        "accounts:two_factor",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "accounts:two_factor_recovery",
        "password_reset_confirm",
        "password_reset_complete",
    }
)
# The API's routes that answer anybody, signed in or not.
PUBLIC_API_URL_NAMES = frozenset(
    {
        "api:api-root",
        "api:openapi-json",
        "api:openapi-view",
        "api:campaign_list",
        "api:campaign_detail",
        "api:campaign_activities",
        "api:commitment_list",
    }
)


def _own_namespace(user, namespace: str) -> bool:
    """The namespace is the one an administrative capability of the account opens (capabilities.NAMESPACE_OF):
    the Django admin, accounts:security* (besides the account pages above), the audit log."""
    return any(ns == namespace and can(user, action) for action, ns in NAMESPACE_OF.items())


class DutiesMiddleware:
    """Keeps the separated administrative roles out of the reporting work (MLPS 2.0 level 3, 三权分立): a system
    administrator, security administrator or auditor reaches only its own namespace, its account pages and the
    public pages (seen as the public sees them); everything else is 404, as for any page that is not one's own.
    The API answers them 404 too. Goes after TwoFactorMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_administrator:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        try:
            name = resolve(path).view_name
        except Resolver404:
            return self.get_response(request)  # the 404 page
        namespace = name.split(":", 1)[0] if ":" in name else ""
        if name in ADMINISTRATOR_URL_NAMES or _own_namespace(user, namespace):
            return self.get_response(request)
        if name in PUBLIC_URL_NAMES or name in PUBLIC_API_URL_NAMES:
            request.user = AnonymousUser()
            return self.get_response(request)
        raise Http404(_("管理员账号不能使用此功能"))
