"""How an API request says who it is: a bearer token (scripts) or the browser's session (with CSRF).

Either way the account becomes `request.user`, so the permission checks the web pages use
(`User.reads`, `reports_for`, `reviews`) decide the same way for the API.
"""

import functools

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp.middleware import is_verified
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from chengxin.api.services import token_authenticate
from chengxin.audit.context import bind_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. A malformed header or a token that does not work is a 401 at once
    (not a fall-through to the session): a script learns that its token is wrong."""

    def __call__(self, request):
        value = request.headers.get("Authorization")
        if value is None:
            return None
        scheme, _sep, token = value.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise AuthenticationError(401, _("Authorization 请求头的格式应为：Bearer <API 令牌>"))
        return self.authenticate(request, token)

    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError(401, _("API 令牌无效、已撤销，或其账号已停用"))
        # Like django-otp's middleware does for a session user: a token request has passed no second factor,
        # so is_verified() says False (the token itself was made by its owner signed in, or on the server).
        user.otp_device = None
        user.is_verified = functools.partial(is_verified, user)
        request.user = user
        bind_user(user)  # the audit rows this request writes name the token's owner
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. Writes need Django's CSRF token (header `X-CSRFToken`), as forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败：请在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值"))
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ decides
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
# Endpoints that need an account accept either; public ones take none.
AUTH = [token_auth, session_auth]
