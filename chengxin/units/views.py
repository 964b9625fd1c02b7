"""Two-factor sign-in pages (every account) and the security administrator's account pages."""

from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengxin.core.errors import DomainError
from chengxin.units import services
from chengxin.units.capabilities import Action, can
from chengxin.units.middleware import is_verified, password_change_reason, two_factor_required
from chengxin.units.models import Approval, User
from chengxin.units.permissions import security_admin_required
from chengxin.units.selectors import (
    accounts_for_security,
    approvals_for_security,
    pending_approvals_count,
    totp_device_for,
)

# The secret of an enrolment that is not confirmed yet lives in the session, not in the database: opening the
# page writes nothing, and an abandoned enrolment leaves nothing behind.
PENDING_KEY = "_chengxin_totp_pending_key"
ACCOUNTS_PER_PAGE = 50


def landing_url(user) -> str:
    """Where an account starts: the administrators their own pages, everybody else the home page."""
    if can(user, Action.MANAGE_ACCOUNTS):
        return reverse("admin:index")
    if can(user, Action.MANAGE_SECURITY):
        return reverse("accounts:security")
    if can(user, Action.READ_AUDIT):
        return reverse("audit:list")
    return reverse("home")


class SignInView(LoginView):
    """Django's sign-in page; without a `next`, each account goes to its own start page (landing_url)."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


def _next_url(request) -> str:
    """The page the account asked for before signing in, if it is a path on this site; else its start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target != reverse("home")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return landing_url(request.user)


def _signed_in_with_device(request, device) -> None:
    """Mark the session verified by `device`, under a new session id (the account's privileges just grew)."""
    django_otp.login(request, device)
    request.session.cycle_key()


# --- Two-factor sign-in -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request):
    """The code page after the password: the 6-digit code of the account's authenticator app."""
    if is_verified(request.user):
        return redirect(_next_url(request))
    if totp_device_for(request.user) is None:
        return redirect(reverse("accounts:two_factor_setup") + _query_next(request))
    error = recovery_error = None
    if request.method == "POST" and "recovery" in request.POST:
        device = services.recovery_code_verify(user=request.user, code=request.POST.get("recovery", ""))
        if device is not None:
            _signed_in_with_device(request, device)
            left = services.recovery_codes_left(request.user)
            messages.warning(
                request,
                _("已用恢复码登录，还剩 %(left)d 个。手机丢失时请联系安全管理员重置双因素认证。") % {"left": left},
            )
            return redirect(_next_url(request))
        recovery_error = _("恢复码不正确或已经用过")
    elif request.method == "POST":
        result = services.totp_verify(user=request.user, token=request.POST.get("token", ""))
        if result.device is not None:
            _signed_in_with_device(request, result.device)
            return redirect(_next_url(request))
        if result.throttled:
            error = _("验证码错误次数过多，请 %(seconds)d 秒后再试") % {"seconds": result.wait_seconds}
        else:
            error = _("验证码不正确或已经用过：请输入身份验证器上当前显示的 6 位数字")
    return render(
        request,
        "units/two_factor_verify.html",
        {
            "error": error,
            "recovery_error": recovery_error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=422 if error or recovery_error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request):
    """Enrolment: the QR code and the secret for the authenticator app, confirmed by its first code."""
    if totp_device_for(request.user) is not None:
        if is_verified(request.user) or not two_factor_required():
            return redirect("accounts:two_factor")
        return redirect(reverse("accounts:two_factor_verify") + _query_next(request))
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = services.totp_new_key()
    error = None
    if request.method == "POST":
        try:
            device = services.totp_enrol(
                user=request.user, key=key, token=request.POST.get("token", ""), acting_user=request.user
            )
        except DomainError as exc:
            error = exc.message
        else:
            del request.session[PENDING_KEY]
            _signed_in_with_device(request, device)
            codes = services.recovery_codes_issue(user=request.user, acting_user=request.user)
            messages.success(request, _("已启用双因素认证：以后每次登录都要输入身份验证器上的验证码"))
            return _recovery_codes_page(request, codes, next_url=_next_url(request))
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    url = _otpauth_url(request.user, secret)
    # segno writes plain SVG elements (no script, no style attribute): shown inline, it needs no img-src rule.
    svg = segno.make(url, error="m").svg_inline(
        scale=5, omitsize=True, dark="#000", light="#fff", svgclass="totp-qr", title=_("用身份验证器扫描此二维码")
    )
    return render(
        request,
        "units/two_factor_setup.html",
        {
            "qr_svg": mark_safe(svg),  # noqa: S308 -- generated by segno from our own URL, nothing user-typed
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "error": error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=422 if error else 200,
    )


@require_GET
@login_required
def two_factor(request):
    """The account's own two-factor status: on since when, last used, recovery codes left."""
    return render(
        request,
        "units/two_factor.html",
        {
            "device": totp_device_for(request.user),
            "required": two_factor_required(),
            "recovery_left": services.recovery_codes_left(request.user),
        },
    )


def _recovery_codes_page(request, codes: list[str], *, next_url: str):
    """The recovery codes, shown once: on this response only (never cached, never stored in clear elsewhere)."""
    response = render(request, "units/recovery_codes.html", {"codes": codes, "next_url": next_url})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
@login_required
def two_factor_recovery(request):
    """New recovery codes (the old ones stop working), for an account that has given its second factor."""
    if not is_verified(request.user) and two_factor_required():
        raise Http404
    codes = services.recovery_codes_issue(user=request.user, acting_user=request.user)
    return _recovery_codes_page(request, codes, next_url=reverse("accounts:two_factor"))


def _query_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next")
    return "?" + urlencode({"next": target}) if target else ""


def _otpauth_url(user, secret: str) -> str:
    """The key URI authenticator apps read (github.com/google/google-authenticator/wiki/Key-Uri-Format)."""
    issuer = getattr(settings, "OTP_TOTP_ISSUER", "") or "诚信兴商宣传月"
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


# --- The security administrator's pages ---------------------------------------------------------------------


def _password_state(user: User) -> str:
    reason = password_change_reason(user) if user.has_usable_password() else "unusable"
    return reason or "ok"


@require_GET
@security_admin_required
def security_accounts(request):
    """Every account: sign-in lock, two-factor enrolled, password age; locked accounts first."""
    query = request.GET.get("q", "")
    page = Paginator(accounts_for_security(query=query), ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    for account in page.object_list:
        account.password_state = _password_state(account)
    context = {"page": page, "q": query, "pending": pending_approvals_count()}
    return render(request, "units/security_accounts.html", context)


def _account(pk: int) -> User:
    return get_object_or_404(accounts_for_security(), pk=pk)


def _account_page(request, account: User, *, error: str = "", status: int = 200):
    from axes.models import AccessAttempt

    account.password_state = _password_state(account)
    return render(
        request,
        "units/security_account.html",
        {
            "account": account,
            "attempts": AccessAttempt.objects.filter(username=account.username).order_by("-attempt_time")[:20],
            "device": totp_device_for(account),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "error": error,
            "needs_second": services.needs_second_approver(account),
            "masked_email": services.masked_email(account.email) if account.email else "",
        },
        status=status,
    )


@require_GET
@security_admin_required
def security_account(request, pk: int):
    return _account_page(request, _account(pk))


@require_POST
@security_admin_required
def security_unlock(request, pk: int):
    account = _account(pk)
    services.user_unlock(user=account, acting_user=request.user)
    messages.success(request, _("已解除“%(username)s”的登录锁定") % {"username": account.username})
    return redirect("accounts:security_account", pk=account.pk)


PENDING_MESSAGE = _lazy("已提交申请：须由另一位安全管理员在“待批准”页面批准后才生效（双人审批）")


@require_POST
@security_admin_required
def security_reset_two_factor(request, pk: int):
    account = _account(pk)
    result = services.user_reset_two_factor(user=account, acting_user=request.user)
    if isinstance(result, Approval):
        messages.warning(request, str(PENDING_MESSAGE))
    else:
        messages.success(
            request,
            _("已重置“%(username)s”的双因素认证：该账号下次登录时须重新绑定身份验证器")
            % {"username": account.username},
        )
    return redirect("accounts:security_account", pk=account.pk)


@require_POST
@security_admin_required
def security_reset_password(request, pk: int):
    """The old password stops working and a one-time link goes to the owner's own email address: the resetter
    never learns a password (or, for an administrative or national account, a second approver is asked first)."""
    account = _account(pk)
    try:
        result = services.user_reset_password(user=account, acting_user=request.user)
    except DomainError as exc:
        if exc.status == 409:
            return _account_page(request, _account(pk), error=exc.message, status=409)
        raise
    if isinstance(result, Approval):
        messages.warning(request, str(PENDING_MESSAGE))
    else:
        messages.success(
            request,
            _("“%(username)s”的原密码已失效；设置新密码的一次性链接已发至其登记的邮箱 %(to)s")
            % {"username": account.username, "to": result},
        )
    return redirect("accounts:security_account", pk=account.pk)


@require_GET
@security_admin_required
def security_approvals(request):
    """Changes that wait for a second person: business roles the system administrator gave, resets of
    administrative and national accounts another security administrator asked for; and the latest decided."""
    pending, decided = approvals_for_security()
    return render(request, "units/security_approvals.html", {"pending": pending, "decided": decided})


@require_POST
@security_admin_required
def security_approval_decide(request, pk: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404
    approval = get_object_or_404(Approval, pk=pk)
    if decision == "approve":
        services.approval_approve(approval=approval, acting_user=request.user)
        messages.success(request, _("已批准，变更已生效"))
    else:
        services.approval_reject(approval=approval, acting_user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("已拒绝，账号保持不变"))
    return redirect("accounts:security_approvals")
