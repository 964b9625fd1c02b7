"""Separation of duties (三权分立): the system administrator manages accounts in the Django admin, the security
administrator unlocks and resets (/accounts/security/), the auditor reads the audit log; nobody is all three and
production has no superuser."""

import io

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from chengxin.conftest import PASSWORD, totp_device
from chengxin.core.errors import DomainError
from chengxin.units import services
from chengxin.units.models import Role, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blue-Kettle-Walk-77"
ATTACKER = "10.0.0.1"


def sign_in(client, username, password=PASSWORD, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def lock_out(client, username):
    for _ in range(5):
        sign_in(client, username, "Wrong-Horse-2020", ATTACKER)
    assert sign_in(client, username, ip=ATTACKER).status_code == 429


# --- Who opens the security administrator's pages ----------------------------------------------------------


def security_urls(account) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounts:security")),
        ("get", reverse("accounts:security_account", kwargs={"pk": account.pk})),
        ("post", reverse("accounts:security_unlock", kwargs={"pk": account.pk})),
        ("post", reverse("accounts:security_reset_two_factor", kwargs={"pk": account.pk})),
        ("post", reverse("accounts:security_reset_password", kwargs={"pk": account.pk})),
    ]


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "sysadmin", "ivan"])
def test_only_the_security_administrator_opens_the_security_pages(client, request, persona, alice):
    user = request.getfixturevalue(persona)
    totp_device(alice)
    client.force_login(user)
    for method, url in security_urls(alice):
        expected = 403 if persona == "ivan" and method == "post" else 404  # chengxin.audit.middleware
        assert getattr(client, method)(url).status_code == expected, url
    assert TOTPDevice.objects.filter(user=alice).exists()
    assert alice.password == User.objects.get(pk=alice.pk).password


def test_anonymous_visitors_are_sent_to_sign_in(client, alice):
    for method, url in security_urls(alice):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_list_shows_lock_two_factor_and_password_state(client, secadmin, alice, bob, carol):
    totp_device(bob)
    User.objects.filter(pk=carol.pk).update(password_changed_at=None)
    lock_out(client, "alice")
    client.force_login(secadmin)
    page = client.get(reverse("accounts:security")).content.decode()
    rows = {name: page[page.index(f"<td>{name}</td>") :].split("</tr>")[0] for name in ("alice", "bob", "carol")}
    assert "已锁定" in rows["alice"] and "未启用" in rows["alice"]
    assert "已启用" in rows["bob"] and "已锁定" not in rows["bob"]
    assert "初始密码" in rows["carol"]
    assert page.index("<td>alice</td>") < page.index("<td>bob</td>")  # locked accounts first
    page = client.get(reverse("accounts:security"), {"q": "北京"}).content.decode()
    assert "<td>bob</td>" in page and "<td>alice</td>" not in page


def test_the_security_administrator_unlocks_an_account(client, secadmin, alice):
    lock_out(client, "alice")
    client.force_login(secadmin)
    page = client.get(reverse("accounts:security_account", kwargs={"pk": alice.pk})).content.decode()
    assert ATTACKER in page and "已锁定" in page
    response = client.post(reverse("accounts:security_unlock", kwargs={"pk": alice.pk}))
    assert response.url == reverse("accounts:security_account", kwargs={"pk": alice.pk})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    client.logout()
    assert signed_in(sign_in(client, "alice", ip=ATTACKER))
    from chengxin.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="account_unlock")
    assert (event.actor_name, event.object_repr) == ("secadmin", "alice")


def test_the_security_administrator_resets_two_factor(client, secadmin, alice):
    totp_device(alice)
    client.force_login(secadmin)
    client.post(reverse("accounts:security_reset_two_factor", kwargs={"pk": alice.pk}))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    page = client.get(reverse("accounts:security_account", kwargs={"pk": alice.pk})).content.decode()
    assert "已重置“alice”的双因素认证" in page and "未启用" in page


def test_the_security_administrator_does_not_act_on_its_own_account(client, secadmin):
    totp_device(secadmin)
    client.force_login(secadmin)
    page = client.get(reverse("accounts:security_account", kwargs={"pk": secadmin.pk})).content.decode()
    assert "须由另一位安全管理员操作" in page
    for action in ("security_unlock", "security_reset_two_factor", "security_reset_password"):
        response = client.post(reverse(f"accounts:{action}", kwargs={"pk": secadmin.pk}))
        assert response.status_code == 403, action
        assert "不能对自己的账号执行此操作" in response.content.decode()
    assert TOTPDevice.objects.filter(user=secadmin).exists()


def test_the_actions_are_post_only(client, secadmin, alice):
    totp_device(alice)
    client.force_login(secadmin)
    for method, url in security_urls(alice)[2:]:
        assert method == "post"
        assert client.get(url).status_code == 405
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_the_services_refuse_anyone_but_a_security_administrator(alice, bob, sysadmin, ivan, dave):
    for acting_user in (bob, sysadmin, ivan, dave):
        for action in (services.user_unlock, services.user_reset_two_factor, services.user_reset_password):
            with pytest.raises(DomainError) as refused:
                action(user=alice, acting_user=acting_user)
            assert refused.value.status == 403


# --- The Django admin: the system administrator ------------------------------------------------------------


def test_the_system_administrator_opens_the_admin_and_only_its_part(client, sysadmin):
    assert User.objects.get(pk=sysadmin.pk).is_staff
    client.force_login(sysadmin)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:units_user_changelist") in page and reverse("admin:units_unit_changelist") in page
    assert reverse("admin:reporting_report_changelist") not in page
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    assert client.get(reverse("admin:units_user_changelist")).status_code == 200
    with pytest.raises(NoReverseMatch):  # nobody reads the authenticators' secrets in the admin
        reverse("admin:otp_totp_totpdevice_changelist")


@pytest.mark.parametrize("persona", ["secadmin", "ivan", "dave", "carol", "alice"])
def test_the_other_roles_do_not_enter_the_admin(client, request, persona):
    user = request.getfixturevalue(persona)
    assert not user.is_staff
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    if user.is_administrator:  # the other administrative roles do not reach the admin at all (DutiesMiddleware)
        assert response.status_code == 404
    else:
        assert response.url.startswith(reverse("admin:login"))


def _add_user(client, **changes):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "unit": "",
        "role": Role.UNIT_REPORTER,
        "display_name": "新同事",
        **changes,
    }
    return client.post(reverse("admin:units_user_add"), data)


def test_an_account_the_system_administrator_creates_changes_its_password_at_first_sign_in(client, sysadmin, campaign):
    from chengxin.units.models import Unit

    client.force_login(sysadmin)
    response = _add_user(client, unit=Unit.objects.get(code="440000").pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    newbie = User.objects.get(username="newbie")
    assert newbie.password_changed_at is None and not newbie.is_staff and not newbie.is_superuser
    client.logout()
    sign_in(client, "newbie", NEW_PASSWORD)
    assert client.get(reverse("home")).url == reverse("password_change")


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_the_system_administrator_cannot_give_an_administrative_role(client, sysadmin, role):
    client.force_login(sysadmin)
    response = _add_user(client, role=role)
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newbie").exists()


def test_the_system_administrator_cannot_make_a_superuser_or_give_permissions(client, sysadmin, bob):
    client.force_login(sysadmin)
    url = reverse("admin:units_user_change", kwargs={"object_id": bob.pk})
    form = client.get(url).context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    data = {
        "username": "bob",
        "unit": bob.unit_id,
        "role": Role.UNIT_REPORTER,
        "display_name": "鲍勃",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.display_name == "鲍勃" and not bob.is_superuser and not bob.is_staff


def test_the_system_administrator_cannot_change_an_administrators_account(client, sysadmin, secadmin):
    client.force_login(sysadmin)
    url = reverse("admin:units_user_change", kwargs={"object_id": secadmin.pk})
    assert client.get(url).status_code == 200  # read-only
    response = client.post(url, {"username": "secadmin", "role": Role.SECURITY_ADMIN, "is_active": ""})
    assert response.status_code == 403
    assert User.objects.get(pk=secadmin.pk).is_active


def test_the_system_administrator_neither_deletes_accounts_nor_resets_passwords(client, sysadmin, bob):
    client.force_login(sysadmin)
    assert (
        client.post(reverse("admin:units_user_delete", kwargs={"object_id": bob.pk}), {"post": "yes"}).status_code
        == 403
    )
    url = reverse("admin:auth_user_password_change", kwargs={"id": bob.pk})
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 403
    assert User.objects.get(pk=bob.pk).check_password(PASSWORD)


def test_a_password_set_in_the_admin_must_be_changed_at_next_sign_in(client, dave, bob):
    """The break-glass superuser (a developer's machine): a reset in the admin forces a change too."""
    dave.is_superuser = True
    dave.save(update_fields=["is_superuser"])
    client.force_login(dave)
    url = reverse("admin:auth_user_password_change", kwargs={"id": bob.pk})
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD) and bob.password_changed_at is None
    client.logout()
    sign_in(client, "bob", NEW_PASSWORD)
    assert client.get(reverse("home")).url == reverse("password_change")


# --- One role an account; no superuser in production -----------------------------------------------------------


def test_the_admin_entrance_follows_from_the_role(bob):
    bob.is_staff = True
    bob.save()
    assert not User.objects.get(pk=bob.pk).is_staff
    bob.role = Role.SYSTEM_ADMIN
    bob.save(update_fields=["role"])
    assert User.objects.get(pk=bob.pk).is_staff
    assert bob.has_perm("units.add_user") and not bob.has_perm("units.delete_user")
    assert not bob.has_perm("reporting.change_report")


def test_production_refuses_a_superuser(settings, campaign):
    settings.PRODUCTION = True
    with pytest.raises(ValidationError, match="生产环境不允许超级用户账号"):
        User.objects.create_superuser("root", "root@example.gov.cn", NEW_PASSWORD)
    assert not User.objects.filter(username="root").exists()
    settings.PRODUCTION = False
    assert User.objects.create_superuser("root", "root@example.gov.cn", NEW_PASSWORD).is_staff


def test_create_admin_makes_an_administrator_with_a_one_time_password(client, campaign):
    out = io.StringIO()
    call_command("create-admin", "zhang-sec", "--role", "security", "--name", "张三", stdout=out)
    user = User.objects.get(username="zhang-sec")
    assert user.role == Role.SECURITY_ADMIN and user.unit.code == "MOFCOM" and not user.is_staff
    password = out.getvalue().split("只显示这一次）：")[1].split()[0]
    assert user.check_password(password) and user.password_changed_at is None
    sign_in(client, "zhang-sec", password)
    assert client.get(reverse("home")).url == reverse("password_change")
    with pytest.raises(CommandError, match="已被使用"):
        call_command("create-admin", "zhang-sec", "--role", "auditor", stdout=io.StringIO())


def test_create_admin_makes_only_administrators(campaign):
    with pytest.raises(DomainError):
        services.user_create_administrator(username="x", role=Role.NATIONAL_ADMIN)


def test_the_demo_has_one_account_per_administrative_role_and_no_superuser(settings, campaign):
    from chengxin.units.demo import demo_accounts_ensure

    settings.CHENGXIN_DEMO_ACCOUNTS = True
    demo_accounts_ensure()
    assert not User.objects.filter(is_superuser=True).exists()
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR):
        assert User.objects.filter(role=role, username__startswith="mofcom-").count() == 1
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["mofcom-sysadmin"]
