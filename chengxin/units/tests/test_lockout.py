"""Sign-in lock-out (django-axes): keyed on (user name, client IP), cleared by a success, by the cool-off or by
an administrator."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chengxin.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "登录失败次数过多，该账号在本机所在网络暂时锁定 15 分钟；其他电脑和其他账号不受影响。"
ATTACKER = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def sign_in(client, username, password, ip):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, ip, times):
    for _ in range(times):
        response = sign_in(client, username, "Wrong-Horse-2020", ip)
        assert response.status_code in (200, 429)
    return response


def signed_in(response):
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME


def test_wrong_passwords_below_the_limit_only_show_the_usual_error(client, alice):
    response = fail(client, "alice", ATTACKER, 4)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert signed_in(sign_in(client, "alice", PASSWORD, ATTACKER))


def test_after_the_limit_the_right_password_from_that_ip_is_refused_with_the_chinese_page(client, alice):
    response = fail(client, "alice", ATTACKER, 5)
    assert response.status_code == 429
    response = sign_in(client, "alice", PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert "联系系统管理员" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_locked_account_still_signs_in_from_another_computer(client, alice):
    fail(client, "alice", ATTACKER, 5)
    assert signed_in(sign_in(client, "alice", PASSWORD, ELSEWHERE))


def test_one_attacker_cannot_lock_out_other_units_from_the_same_computer(client, alice, bob):
    fail(client, "alice", ATTACKER, 5)
    assert signed_in(sign_in(client, "bob", PASSWORD, ATTACKER))


def test_a_successful_sign_in_clears_the_failure_count(client, alice):
    fail(client, "alice", ATTACKER, 4)
    assert signed_in(sign_in(client, "alice", PASSWORD, ATTACKER))
    client.logout()
    response = fail(client, "alice", ATTACKER, 4)
    assert response.status_code == 200
    assert signed_in(sign_in(client, "alice", PASSWORD, ATTACKER))


def test_the_lock_ends_after_the_cool_off_time(client, alice):
    fail(client, "alice", ATTACKER, 5)
    assert sign_in(client, "alice", PASSWORD, ATTACKER).status_code == 429
    # Move the failures back in time instead of waiting a quarter of an hour.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert signed_in(sign_in(client, "alice", PASSWORD, ATTACKER))


def test_the_lock_holds_just_before_the_cool_off_time_ends(client, alice):
    fail(client, "alice", ATTACKER, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert sign_in(client, "alice", PASSWORD, ATTACKER).status_code == 429


def test_an_administrator_unlocks_an_account_with_the_reset_command(client, alice, capsys):
    fail(client, "alice", ATTACKER, 5)
    assert sign_in(client, "alice", PASSWORD, ATTACKER).status_code == 429
    call_command("axes_reset_username", "alice")
    assert "removed" in capsys.readouterr().out
    assert signed_in(sign_in(client, "alice", PASSWORD, ATTACKER))


def test_an_administrator_sees_the_lock_in_the_admin(client, alice, dave):
    fail(client, "alice", ATTACKER, 5)
    dave.is_staff = dave.is_superuser = True
    dave.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(dave)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "alice" in response.content.decode() and ATTACKER in response.content.decode()


# --- Behind a reverse proxy -------------------------------------------------------------------------------------

PROXY = "192.168.1.10"


@pytest.fixture
def behind_one_proxy(settings):
    """What CHENGXIN_TRUSTED_PROXY_COUNT=1 sets (chengxin/settings.py)."""
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def via_proxy(client, username, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_the_lock_is_keyed_on_the_address_the_proxy_saw(client, alice, behind_one_proxy):
    for _ in range(5):
        via_proxy(client, "alice", "Wrong-Horse-2020", ATTACKER)
    assert via_proxy(client, "alice", PASSWORD, ATTACKER).status_code == 429
    assert signed_in(via_proxy(client, "alice", PASSWORD, ELSEWHERE))
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_behind_a_proxy_a_forged_forwarded_header_does_not_choose_the_locked_address(client, alice, behind_one_proxy):
    # The attacker prepends a colleague's address; the proxy appends the attacker's own, which is what counts.
    for _ in range(5):
        via_proxy(client, "alice", "Wrong-Horse-2020", f"{ELSEWHERE}, {ATTACKER}")
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert via_proxy(client, "alice", PASSWORD, f"{ELSEWHERE}, {ATTACKER}").status_code == 429
    assert signed_in(via_proxy(client, "alice", PASSWORD, ELSEWHERE))


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, alice):
    for _ in range(5):
        via_proxy(client, "alice", "Wrong-Horse-2020", ATTACKER)
    assert AccessAttempt.objects.get().ip_address == PROXY
