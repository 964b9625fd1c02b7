"""Writes to units and accounts: reference units, accounts, two-factor devices and the security administrator's
actions (unlock, reset two-factor, reset password)."""

import math
import secrets
import time
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

import django_otp
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from chengxin.audit.models import Outcome
from chengxin.audit.services import audit_record
from chengxin.core.errors import DomainError, FieldError
from chengxin.units.capabilities import CAPABILITIES, Action, Scope, can
from chengxin.units.models import (
    ADMIN_ROLES,
    PROVINCIAL_KINDS,
    Approval,
    ApprovalKind,
    ApprovalState,
    Role,
    Unit,
    UnitKind,
    User,
)
from chengxin.units.selectors import totp_device_for


def _reference_data() -> dict:
    with resources.files("chengxin.units").joinpath("data/units.toml").open("rb") as fh:
        return tomllib.load(fh)


@transaction.atomic
def units_load_reference() -> dict[str, Unit]:
    """Create or update the 19 national bodies and the 37 provincial reporting units. Idempotent."""
    data = _reference_data()
    units: dict[str, Unit] = {}
    for order, body in enumerate(data["body"], start=500):
        units[body["code"]], _created = Unit.objects.update_or_create(
            code=body["code"],
            defaults={
                "name": body["name"],
                "short_name": body.get("short_name", body["name"]),
                "full_name": body.get("full_name", body["name"]),
                "kind": UnitKind.NATIONAL_BODY,
                "region_code": "",
                "sort_order": order,
            },
        )
    for order, item in enumerate(data["provincial"], start=1):
        kind = UnitKind(item["kind"])
        if kind not in PROVINCIAL_KINDS:
            raise ValueError(f"units.toml: {item['code']} has kind {kind}, not a provincial kind")
        units[item["code"]], _created = Unit.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "short_name": item["short_name"],
                "full_name": item["name"] + "商务主管部门",
                "kind": kind,
                "region_code": "" if kind == UnitKind.CORPS else item["code"],
                "sort_order": order,
            },
        )
    return units


@transaction.atomic
def user_create(
    *, username: str, password: str, unit: Unit, role: str, display_name: str = "", email: str = ""
) -> User:
    """Create an account belonging to `unit`. National roles must belong to the national administrator's body."""
    role = Role(role)
    if role != Role.UNIT_REPORTER and unit.code != "MOFCOM":
        raise ValueError("national roles belong to 商务部")
    user = User(username=username, unit=unit, role=role, display_name=display_name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_create_administrator(*, username: str, role: str, display_name: str = "") -> tuple[User, str]:
    """Create one of the three administrators (system, security, audit) at 商务部 with a generated initial
    password, returned once. Only the `create-admin` command on the server calls this (there is no acting user:
    whoever runs it has the server's shell); the owner changes the password and enrols two-factor at first
    sign-in."""
    role = Role(role)
    if role not in ADMIN_ROLES:
        raise DomainError(_("角色只能是系统管理员、安全管理员或审计员"), [FieldError("role", _("角色不正确"))])
    if User.objects.filter(username=username).exists():
        message = _("用户名“%(username)s”已被使用") % {"username": username}
        raise DomainError(message, [FieldError("username", message)])
    user = User(username=username, unit=Unit.objects.get(code="MOFCOM"), role=role, display_name=display_name)
    password = _initial_password(user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, password


# --- Two-factor sign-in (TOTP) -----------------------------------------------------------------------------


def totp_new_key() -> str:
    """A new random secret (20 bytes, hex, as TOTPDevice stores it) for an enrolment that is not confirmed yet."""
    from django_otp.util import random_hex

    return random_hex(20)


def _token(raw: str) -> int | None:
    """The 6-digit code as typed: full-width digits (typed with a Chinese input method) and spaces allowed."""
    text = unicodedata.normalize("NFKC", raw or "").replace(" ", "")
    return int(text) if len(text) == 6 and text.isascii() and text.isdigit() else None


@transaction.atomic
def totp_enrol(*, user: User, key: str, token: str, acting_user: User) -> TOTPDevice:
    """Confirm the authenticator app that holds `key` with its current code and keep it as the account's only
    device. The code is spent: the same code is refused at the next verification."""
    if acting_user.pk != user.pk:
        raise DomainError(_("只能为自己的账号绑定身份验证器"), status=403)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise DomainError(_("本账号已绑定身份验证器；如需更换，请联系安全管理员重置"), status=409)
    device = TOTPDevice(user=user, name="身份验证器", key=key, confirmed=True)
    number = _token(token)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if number is None or not totp.verify(number, device.tolerance):
        raise DomainError(
            _("验证码不正确：请输入身份验证器上显示的 6 位数字"),
            [FieldError("token", _("验证码不正确"))],
            status=422,
        )
    device.last_t = totp.t()
    device.drift = totp.drift
    TOTPDevice.objects.filter(user=user).delete()  # an unconfirmed leftover of an earlier attempt
    device.save()
    return device


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice | None  # the device that accepted the code; None when refused
    throttled: bool = False  # refused unchecked: too many wrong codes just now
    wait_seconds: int = 0  # when throttled: seconds until the next try is checked


def totp_verify(*, user: User, token: str) -> Verification:
    """Check a code against the account's confirmed device. A code is accepted once (django-otp keeps the last
    time step used); each wrong code makes the next try wait twice as long, 1, 2, 4, 8 … seconds (django-otp's
    throttling), and a code typed before that is refused unchecked.

    Not wrapped in a transaction of its own that a refusal would roll back: django_otp.verify_token commits the
    failure count in its own, and a refused code must count."""
    device = totp_device_for(user)
    if device is None:
        return Verification(None)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        seconds = (info["locked_until"] - timezone.now()).total_seconds() if info.get("locked_until") else 1
        return Verification(None, throttled=True, wait_seconds=max(1, math.ceil(seconds)))
    number = _token(token)
    if number is None:
        device.throttle_increment()  # a malformed code counts as a wrong one
        verified = None
    else:
        verified = django_otp.verify_token(user, device.persistent_id, str(number))
    # Device saves by verification are counters the audit log leaves out: the outcome is one event of its own.
    audit_record(
        action="two_factor_verify",
        outcome=Outcome.SUCCESS if verified is not None else Outcome.FAILURE,
        actor=user,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
    )
    return Verification(verified)


# --- The security administrator's actions ----------------------------------------------------------------


def _check_security_admin(*, user: User, acting_user: User) -> None:
    """Only a security administrator (or a superuser on a developer's machine) acts, never on their own account
    (another security administrator does that) and never on a superuser's."""
    if not (can(acting_user, Action.MANAGE_SECURITY) or acting_user.is_superuser):
        raise DomainError(_("只有安全管理员可以执行此操作"), status=403)
    if user.pk == acting_user.pk:
        raise DomainError(_("不能对自己的账号执行此操作，请由另一位安全管理员处理"), status=403)
    if user.is_superuser and not acting_user.is_superuser:
        raise DomainError(_("不能对超级用户账号执行此操作"), status=403)


@transaction.atomic
def user_unlock(*, user: User, acting_user: User) -> int:
    """End the sign-in lock-out of `user` from every computer (django-axes); returns the records removed."""
    from axes.utils import reset

    _check_security_admin(user=user, acting_user=acting_user)
    count = reset(username=user.username)
    # django-axes' records are not audited row by row: the unlock is one event.
    audit_record(
        action="account_unlock",
        actor=acting_user,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
        changes={"attempts_removed": count},
    )
    return count


def _remove_second_factor(user: User) -> int:
    """Remove every authenticator device of the account (the app and its recovery codes); the number removed."""
    count = 0
    for device in list(django_otp.devices_for_user(user, confirmed=None)):
        device.delete()
        count += 1
    return count


def needs_second_approver(user: User) -> bool:
    """Resets of the accounts that can do the most (the three administrators, the ministry's, a superuser) take a
    second security administrator's approval: no one person can take such an account over."""
    return user.is_administrator or user.is_national or user.is_superuser


@transaction.atomic
def user_reset_two_factor(*, user: User, acting_user: User) -> Approval | int:
    """Remove the account's authenticator devices (and recovery codes): sessions verified with them must verify
    again, and the owner enrols a new authenticator at the next sign-in. Returns the number removed, or, for an
    account that needs a second approver, the pending Approval (nothing removed yet)."""
    _check_security_admin(user=user, acting_user=acting_user)
    if needs_second_approver(user):
        return _approval_request(kind=ApprovalKind.TWO_FACTOR_RESET, user=user, acting_user=acting_user)
    return _remove_second_factor(user)


@transaction.atomic
def user_require_password_change(*, user: User, acting_user: User) -> None:
    """The account's password counts as an initial one: its owner must choose a new one at the next request
    (PasswordAgeMiddleware). Called after the password's own save, which recorded the change as the owner's."""
    user.password_changed_at = None
    user.save(update_fields=["password_changed_at"])


@transaction.atomic
def user_reset_password(*, user: User, acting_user: User) -> Approval | str:
    """Reset the account's password so that only its owner can set the new one: the old password stops working at
    once (the account's sessions end), and a one-time link goes to the account's own email address, which the
    resetter never sees (password_reset_send). Returns the address it went to (masked), or, for an account that
    needs a second approver, the pending Approval (nothing changed yet)."""
    _check_security_admin(user=user, acting_user=acting_user)
    if needs_second_approver(user):
        return _approval_request(kind=ApprovalKind.PASSWORD_RESET, user=user, acting_user=acting_user)
    return password_reset_send(user=user, acting_user=acting_user)


def masked_email(address: str) -> str:
    """a***@example.gov.cn: enough to say where the link went, not enough to read it."""
    name, _at, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def password_reset_link(user: User) -> str:
    """A one-time link to set the account's password (Django's password reset token: it stops working once the
    password changes, and after PASSWORD_RESET_TIMEOUT)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


@transaction.atomic
def password_reset_begin(*, user: User) -> str:
    """The old password stops working (the account's sessions end with it); the one-time link to set a new one."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return password_reset_link(user)


@transaction.atomic
def password_reset_send(*, user: User, acting_user: User | None) -> str:
    """Begin the reset and mail the link to the account's own address after the commit; the masked address."""
    from django.core.mail import send_mail

    if not user.email:
        message = _(
            "该账号没有登记电子邮箱，无法把重置链接发给本人：请系统管理员在后台登记其邮箱后再试，"
            "或在服务器上运行 chengxin password-reset-link %(username)s 生成链接，当面交给本人"
        ) % {"username": user.username}
        raise DomainError(message, [FieldError("email", message)], status=409)
    link = password_reset_begin(user=user)
    subject = _("诚信兴商宣传月活动管理平台：设置新密码")
    body = _(
        "%(name)s：\n\n安全管理员已重置您在诚信兴商宣传月活动管理平台的密码，原密码已失效。"
        "请在 3 天内打开下面的链接设置新密码（只能使用一次）：\n\n%(link)s\n\n"
        "如果您没有申请重置，请立即联系商务部市场建设司。"
    ) % {"name": user.display_name or user.username, "link": link}
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=False))
    audit_record(
        action="password_reset_link_sent",
        actor=acting_user,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
        changes={"to": masked_email(user.email)},
    )
    return masked_email(user.email)


# --- Two-person rule (三权分立) ----------------------------------------------------------------------------------


def grants_business_scope(role: str, unit: Unit | None) -> bool:
    """True for what lets an account read and judge other units' reports: a national role, or the reporter of a
    unit that has sub-units (a province reviews its cities)."""
    actions = CAPABILITIES.get(role, {})
    scopes = {*actions.get(Action.READ_REPORT, ()), *actions.get(Action.REVIEW_REPORT, ())}
    if scopes & {Scope.ALL, Scope.TOP}:
        return True
    below = {Scope.OWN_AND_BELOW, Scope.CHILDREN}
    return bool(scopes & below) and unit is not None and Unit.objects.filter(parent=unit).exists()


def role_change_needs_approval(*, before: User | None, role: str, unit: Unit | None) -> bool:
    """True if giving `role` at `unit` to an account (`before`: as it is stored, None for a new one) grants a
    business role or a reviewer's scope it does not hold yet: then a security administrator must approve."""
    if not grants_business_scope(role, unit):
        return False
    return before is None or (before.role, before.unit_id) != (role, unit.pk if unit else None)


def _approval_request(*, kind: str, user: User, acting_user: User, role: str = "", unit: Unit | None = None):
    """A pending change; an earlier pending one of the same kind for the account is replaced."""
    for earlier in Approval.objects.select_for_update().filter(user=user, kind=kind, state=ApprovalState.PENDING):
        earlier.state, earlier.decided_at = ApprovalState.REJECTED, timezone.now()
        earlier.reason = _("被新的申请取代")
        earlier.save(update_fields=["state", "decided_at", "reason"])
    return Approval.objects.create(kind=kind, user=user, role=role, unit=unit, requested_by=acting_user)


@transaction.atomic
def role_grant_request(*, user: User, role: str, unit: Unit | None, acting_user: User) -> Approval:
    """The system administrator asks for `role` at `unit` for the account; it takes effect when a security
    administrator approves (approval_approve). Until then the account keeps its role and unit."""
    return _approval_request(kind=ApprovalKind.ROLE_GRANT, user=user, acting_user=acting_user, role=role, unit=unit)


def _check_approver(approval: Approval, acting_user: User) -> None:
    if not (can(acting_user, Action.MANAGE_SECURITY) or acting_user.is_superuser):
        raise DomainError(_("只有安全管理员可以批准或拒绝"), status=403)
    if approval.requested_by_id == acting_user.pk:
        raise DomainError(_("这是您自己提出的申请：须由另一位安全管理员批准（双人审批）"), status=403)
    if approval.user_id == acting_user.pk:
        raise DomainError(_("涉及您自己账号的变更须由另一位安全管理员处理"), status=403)
    if approval.state != ApprovalState.PENDING:
        raise DomainError(_("该申请已处理过，不能再次处理"), status=409)


@transaction.atomic
def approval_approve(*, approval: Approval, acting_user: User) -> Approval:
    """A second person approves: the role is given, the reset link is sent, or the second factor removed."""
    approval = Approval.objects.select_for_update(of=("self",)).select_related("user", "unit").get(pk=approval.pk)
    _check_approver(approval, acting_user)
    user = approval.user
    if approval.kind == ApprovalKind.ROLE_GRANT:
        user.role, user.unit = approval.role, approval.unit
        user.save(update_fields=["role", "unit"])
    elif approval.kind == ApprovalKind.PASSWORD_RESET:
        approval.reason = _("重置链接已发至 %(to)s") % {"to": password_reset_send(user=user, acting_user=acting_user)}
    else:
        _remove_second_factor(user)
    approval.state, approval.decided_by, approval.decided_at = ApprovalState.APPROVED, acting_user, timezone.now()
    approval.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return approval


@transaction.atomic
def approval_reject(*, approval: Approval, acting_user: User, reason: str = "") -> Approval:
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    _check_approver(approval, acting_user)
    approval.state, approval.decided_by, approval.decided_at = ApprovalState.REJECTED, acting_user, timezone.now()
    approval.reason = (reason or "").strip()[:500]
    approval.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return approval


# --- Recovery codes ------------------------------------------------------------------------------------------

RECOVERY_CODES = 10


@transaction.atomic
def recovery_codes_issue(*, user: User, acting_user: User) -> list[str]:
    """New one-time recovery codes for the account (django-otp's static tokens), replacing any earlier ones: each
    signs in once in place of the authenticator's code. Shown to the owner once; stored as django-otp stores them."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    if acting_user.pk != user.pk:
        raise DomainError(_("只能为自己的账号生成恢复码"), status=403)
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        action="recovery_codes_issued",
        actor=acting_user,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
        changes={"codes": len(codes)},
    )
    return codes


def recovery_codes_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_code_verify(*, user: User, code: str):
    """The recovery-code device if `code` is one of the account's unused codes (it is used up), else None.
    Wrong codes are throttled as wrong authenticator codes are."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, _info = device.verify_is_allowed()
    text = "".join(ch for ch in unicodedata.normalize("NFKC", code or "") if ch.isalnum()).lower()
    verified = allowed and bool(text) and device.verify_token(text)
    audit_record(
        action="recovery_code_used",
        outcome=Outcome.SUCCESS if verified else Outcome.FAILURE,
        actor=user,
        object_type=User._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
    )
    return device if verified else None


_UPPER, _LOWER, _DIGITS = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789"


def _initial_password(user: User) -> str:
    """A random password that passes the password rules for `user`: four groups of four letters and digits
    joined by hyphens (no 0/O, 1/l/I to misread when it is handed over)."""
    alphabet = _UPPER + _LOWER + _DIGITS
    for _attempt in range(50):
        groups = ["".join(secrets.choice(alphabet) for _i in range(4)) for _g in range(4)]
        password = "-".join(groups)
        if not (
            any(c in _UPPER for c in password)
            and any(c in _LOWER for c in password)
            and any(c in _DIGITS for c in password)
        ):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("could not generate a password that passes the rules")  # pragma: no cover
