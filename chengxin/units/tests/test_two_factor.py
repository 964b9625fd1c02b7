"""Two-factor sign-in (TOTP): enrolment, the code after the password, codes used once, throttling, and the walk of
every URL of the project as an account that has given its password but not yet its code."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from chengxin.conftest import PASSWORD, totp_code, totp_device, verified_login
from chengxin.units.middleware import PUBLIC_URL_NAMES, TWO_FACTOR_PENDING_URL_NAMES
from chengxin.units.models import User
from chengxin.units.services import user_reset_two_factor

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/2fa/verify/"
SETUP = "/accounts/2fa/setup/"
API_MESSAGE = "请先用身份验证器的动态验证码完成登录（双因素认证）"
NEW_PASSWORD = "Blue-Kettle-Walk-77"


def entry_url(unit_code: str = "440000") -> str:
    return reverse("reporting:entry", kwargs={"year": 2020, "unit_code": unit_code})


def sign_in(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return response


def secret_on(page: str) -> str:
    return re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def full_width(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


# --- Enrolment ------------------------------------------------------------------------------------------------


def test_without_an_authenticator_the_account_enrols_after_the_password_and_goes_on(client, alice, two_factor):
    sign_in(client, "alice")
    response = client.get(entry_url())
    assert response.status_code == 302
    assert response.url == SETUP + "?next=" + entry_url().replace("/", "%2F")

    page = client.get(response.url).content.decode()
    assert "启用双因素认证" in page
    qr = re.search(r"<svg[^>]*class=\"totp-qr\".*?</svg>", page, re.S).group(0)
    assert "<script" not in qr and "style=" not in qr
    # Scaled by its viewBox to the box the stylesheet gives it: a fixed pixel size was clipped for long
    # account names, and a clipped code does not scan.
    assert "viewBox=" in qr and 'width="' not in qr.split(">", 1)[0]
    secret = secret_on(page)
    assert len(secret.replace(" ", "")) == 32 and secret.count(" ") == 7  # 20 bytes, in groups of four

    response = client.post(SETUP, {"token": totp_code(secret), "next": entry_url()})
    # The recovery codes, shown once, then on to the page asked for.
    assert response.status_code == 200 and "请保存您的恢复码" in response.content.decode()
    assert f'href="{entry_url()}"' in response.content.decode()
    assert client.get(entry_url()).status_code == 200
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_opening_the_enrolment_page_stores_nothing_and_keeps_the_same_secret(client, alice, two_factor):
    sign_in(client, "alice")
    first = secret_on(client.get(SETUP).content.decode())
    assert secret_on(client.get(SETUP).content.decode()) == first
    assert not TOTPDevice.objects.exists()


def test_a_wrong_first_code_enrols_nothing_and_the_right_one_then_does(client, alice, two_factor):
    sign_in(client, "alice")
    secret = secret_on(client.get(SETUP).content.decode())
    response = client.post(SETUP, {"token": wrong(totp_code(secret))})
    assert response.status_code == 422
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.get(entry_url()).url.startswith(SETUP)
    assert secret_on(response.content.decode()) == secret
    assert "请保存您的恢复码" in client.post(SETUP, {"token": totp_code(secret)}).content.decode()
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).count() == 1


def test_digits_typed_full_width_with_a_chinese_input_method_are_accepted(client, alice, two_factor):
    sign_in(client, "alice")
    secret = secret_on(client.get(SETUP).content.decode())
    code = totp_code(secret)
    enrolled = client.post(SETUP, {"token": f"{full_width(code[:3])} {full_width(code[3:])}"})
    assert "请保存您的恢复码" in enrolled.content.decode()
    assert client.get(entry_url()).status_code == 200


def test_an_enrolled_account_cannot_enrol_a_second_authenticator(client, alice, two_factor):
    device = verified_login(client, alice)
    assert client.get(SETUP).url == reverse("accounts:two_factor")
    assert list(TOTPDevice.objects.filter(user=alice)) == [device]


# --- The code after the password ------------------------------------------------------------------------------


def test_an_enrolled_account_gives_its_code_after_the_password(client, alice, two_factor):
    device = totp_device(alice)
    sign_in(client, "alice")
    response = client.get(entry_url())
    assert response.url == VERIFY + "?next=" + entry_url().replace("/", "%2F")
    assert "输入动态验证码" in client.get(response.url).content.decode()
    before = client.session.session_key
    response = client.post(VERIFY, {"token": totp_code(device), "next": entry_url()})
    assert response.status_code == 302 and response.url == entry_url()
    assert client.session.session_key != before  # a new session id once the second factor is in
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(entry_url()).status_code == 200


def test_a_code_is_accepted_only_once(client, alice, two_factor):
    device = totp_device(alice)
    code = totp_code(device)
    sign_in(client, "alice")
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post(reverse("logout"))

    sign_in(client, "alice")
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 422
    assert "验证码不正确或已经用过" in response.content.decode()
    assert client.get(entry_url()).url.startswith(VERIFY)
    # The authenticator's next code is good (within the tolerated clock difference), a second later: the refused
    # code counts as a wrong one, and the next try waits a second.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=2))
    assert client.post(VERIFY, {"token": totp_code(device, steps_ahead=1)}).status_code == 302
    assert client.get(entry_url()).status_code == 200


def test_wrong_codes_make_the_next_try_wait_even_with_the_right_code(client, alice, two_factor):
    device = totp_device(alice)
    sign_in(client, "alice")
    for _ in range(3):
        assert client.post(VERIFY, {"token": wrong(totp_code(device))}).status_code == 422
        # Each wrong code counts when the person waited as asked: move the failure back instead of waiting.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
        )
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now())
    device.refresh_from_db()
    assert device.throttling_failure_count == 3

    response = client.post(VERIFY, {"token": totp_code(device)})
    assert response.status_code == 422
    wait = re.search(r"验证码错误次数过多，请 (\d+) 秒后再试", response.content.decode())
    assert wait and 1 <= int(wait.group(1)) <= 4  # the fourth try waits 4 s after the third wrong code
    assert DEVICE_ID_SESSION_KEY not in client.session

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert client.post(VERIFY, {"token": totp_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_letters_instead_of_digits_count_as_a_wrong_code(client, alice, two_factor):
    device = totp_device(alice)
    sign_in(client, "alice")
    response = client.post(VERIFY, {"token": "abcdef"})
    assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_failed_and_a_good_code_are_in_the_audit_log(client, alice, two_factor):
    from chengxin.audit.models import AuditEvent

    device = totp_device(alice)
    sign_in(client, "alice")
    client.post(VERIFY, {"token": wrong(totp_code(device))})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    client.post(VERIFY, {"token": totp_code(device)})
    events = AuditEvent.objects.filter(action="two_factor_verify", actor_name="alice").order_by("seq")
    assert [e.outcome for e in events] == ["failure", "success"]


def test_after_the_code_only_a_path_on_this_site_is_followed(client, alice, two_factor):
    device = totp_device(alice)
    sign_in(client, "alice")
    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("secadmin", "accounts:security"), ("sysadmin", "admin:index"), ("ivan", "audit:list"), ("alice", "home")],
)
def test_after_the_code_each_role_starts_on_its_own_page(client, request, persona, landing, two_factor):
    user = request.getfixturevalue(persona)
    device = totp_device(user)
    sign_in(client, user.username)
    response = client.post(VERIFY, {"token": totp_code(device), "next": "/"})
    assert response.url == reverse(landing)


def test_two_factor_comes_first_then_the_forced_password_change(client, alice, two_factor):
    """An initial password (or an expired one) alone reaches neither the site nor the password change: the code
    first (here: enrolment), then the change is forced."""
    User.objects.filter(pk=alice.pk).update(password_changed_at=None)
    sign_in(client, "alice")
    assert client.get(entry_url()).url.startswith(SETUP)
    assert client.get(reverse("password_change")).url.startswith(SETUP)
    secret = secret_on(client.get(SETUP).content.decode())
    client.post(SETUP, {"token": totp_code(secret)})
    assert client.get(entry_url()).url == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("password_change_done")
    assert client.get(entry_url()).status_code == 200


def test_signing_out_works_before_the_code(client, alice, two_factor):
    totp_device(alice)
    sign_in(client, "alice")
    key = client.session.session_key
    assert client.post(reverse("logout")).url == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()


def test_an_htmx_request_navigates_the_whole_page_to_the_code_page(client, alice, two_factor):
    totp_device(alice)
    client.force_login(alice)
    response = client.get(entry_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == VERIFY


def test_the_api_answers_an_unverified_session_with_json_403(client, alice, two_factor):
    client.force_login(alice)
    for response in (client.get("/api/v1/campaigns"), client.post("/api/v1/campaigns/2020/reports/440000/submit")):
        assert response.status_code == 403
        assert response.json() == {"detail": API_MESSAGE, "errors": []}


def test_a_browser_navigating_under_api_is_sent_to_the_code_page(client, alice, two_factor):
    client.force_login(alice)
    response = client.get("/api/v1/tokens/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 302 and response.url.startswith(SETUP)


def test_an_api_request_with_a_token_header_is_left_to_the_token(client, alice, two_factor):
    """Scripts send a token and no session: the token decides; even beside an unverified session cookie the
    session counts for nothing (a bad token is the API's 401, not this 403)."""
    client.force_login(alice)
    form = "/api/v1/campaigns/2020/form"  # needs an account
    response = client.get(form, headers={"Authorization": "Bearer not-a-real-token"})
    assert response.status_code == 401
    assert Client().get(form, headers={"Authorization": "Bearer x"}).status_code == 401


def test_the_django_admin_demands_the_code_too(client, sysadmin, two_factor):
    client.force_login(sysadmin)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)
    assert client.get(reverse("admin:units_user_changelist")).url.startswith(SETUP)
    client.logout()
    verified_login(client, sysadmin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_verified_by_a_reset_authenticator_must_enrol_again(client, alice, secadmin, two_factor):
    verified_login(client, alice)
    assert client.get(entry_url()).status_code == 200
    user_reset_two_factor(user=alice, acting_user=secadmin)
    assert client.get(entry_url()).url.startswith(SETUP)


def test_the_account_sees_that_two_factor_is_on(client, alice, two_factor):
    verified_login(client, alice)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "已启用" in page and "绑定时间" in page


def test_with_two_factor_off_a_password_is_enough(client, alice):
    sign_in(client, "alice")
    assert client.get(entry_url()).status_code == 200
    assert "未启用" in client.get(reverse("accounts:two_factor")).content.decode()


# --- Every URL of the project, signed in with the password only ------------------------------------------------

PLACEHOLDERS = {
    "year": 2020,
    "unit_code": "110000",
    "pk": 1,
    "photo_pk": 1,
    "number": 8,
    "job_id": uuid.UUID("3f0c1d2e-0000-4000-8000-000000000b0b"),
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "app_label": "units",
    "uidb64": "MQ",
    "token": "x-y",
    "decision": "approve",
    "key": "abc",
    "fmt": "docx",
    "code": "sh-shopping",
    "version": 1,
}


def every_named_url() -> list[tuple[str, str]]:
    """(name, path) for every named pattern of the URLconf, its parameters filled with placeholders."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = getattr(pattern.pattern, "converters", None)
                params = converters.keys() if converters else pattern.pattern.regex.groupindex.keys()
                found.append((name, reverse(name, kwargs={p: PLACEHOLDERS[p] for p in params})))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_walk_covers_every_part_of_the_site():
    names = [name for name, _path in every_named_url()]
    namespaces = {name.split(":")[0] for name in names if ":" in name}
    assert {
        "accounts",
        "activities",
        "admin",
        "analytics",
        "campaigns",
        "commitments",
        "notifications",
        "portal",
        "reporting",
        "workbooks",
    } <= namespaces
    assert {"home", "login", "password_change"} <= set(names)
    assert len(names) > 100
    assert set(names) >= PUBLIC_URL_NAMES | TWO_FACTOR_PENDING_URL_NAMES


@pytest.mark.parametrize("persona", ["bob", "alice"])
def test_signed_in_without_the_code_no_page_shows_anything_private(client, persona, alice, bob, two_factor):
    """bob has an authenticator (sent to the code page), alice has none (sent to enrolment). Public pages answer
    as they answer an anonymous visitor; the API answers JSON 403; everything else is the 2FA page."""
    user = {"alice": alice, "bob": bob}[persona]
    if persona == "bob":
        totp_device(bob)
    target = VERIFY if persona == "bob" else SETUP
    anonymous = Client()
    wrong = []
    for name, path in every_named_url():
        if name == "logout":
            continue  # signing out is allowed (test_signing_out_works_before_the_code); it would end the walk
        if name == "favicon":
            client.force_login(user)
            assert client.get(path).url.startswith("/static/")  # static files are nobody's secret
            continue
        for method in ("get", "post"):
            client.force_login(user)
            response = getattr(client, method)(path)
            if response.streaming:
                b"".join(response.streaming_content)
            got = f"{method.upper()} {name} {path}: {response.status_code} {response.get('Location', '')}"
            if name in TWO_FACTOR_PENDING_URL_NAMES:
                if response.status_code >= 500:
                    wrong.append(got)
            elif name in PUBLIC_URL_NAMES:
                seen_by_anonymous = getattr(anonymous, method)(path)
                if response.status_code != seen_by_anonymous.status_code:
                    wrong.append(f"{got} (anonymous: {seen_by_anonymous.status_code})")
                elif response.status_code == 200 and re.search(rf"\b{user.username}\b", response.content.decode()):
                    # (a word, not three letters inside a random CSRF token)
                    wrong.append(f"{got} shows the account")
            elif path.startswith("/api/"):
                if response.status_code != 403 or response.json() != {"detail": API_MESSAGE, "errors": []}:
                    wrong.append(got)
            elif response.status_code != 302 or not response["Location"].startswith(target):
                wrong.append(got)
    assert wrong == [], "\n".join(wrong)
