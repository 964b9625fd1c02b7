"""Separation of duties that holds against one insider (issue 12): business roles given by the system administrator
take effect only when a security administrator approves; a reset never lets the resetter become the user (the owner
gets a one-time link by email; resets of administrative and national accounts need a second approver); the second
factor comes before a forced password change; each account gets one-time recovery codes at enrolment."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chengxin.audit.models import AuditEvent
from chengxin.conftest import PASSWORD, totp_code, totp_device
from chengxin.core.errors import DomainError
from chengxin.units import services
from chengxin.units.models import Approval, ApprovalState, Role, Unit, User
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blue-Kettle-Walk-77"


def _admin_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "unit": user.unit_id or "",
        "role": user.role,
        "display_name": user.display_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
    }
    return {**data, **changes}


@pytest.fixture
def second_secadmin(campaign):
    return UserFactory(username="secadmin2", unit=Unit.objects.get(code="MOFCOM"), role=Role.SECURITY_ADMIN)


# --- Business roles: the system administrator asks, a security administrator approves ------------------------


def test_the_system_administrator_alone_cannot_make_a_reporter_a_national_administrator(
    client, sysadmin, secadmin, bob
):
    client.force_login(sysadmin)
    url = reverse("admin:units_user_change", kwargs={"object_id": bob.pk})
    mofcom = Unit.objects.get(code="MOFCOM")
    response = client.post(url, _admin_form(bob, role=Role.NATIONAL_ADMIN, unit=mofcom.pk), follow=True)
    assert "须由安全管理员批准后才生效" in response.content.decode()
    bob.refresh_from_db()
    assert (bob.role, bob.unit.code) == (Role.UNIT_REPORTER, "110000")  # nothing changed yet
    approval = Approval.objects.get(user=bob, state=ApprovalState.PENDING)
    assert (approval.role, approval.unit, approval.requested_by) == (Role.NATIONAL_ADMIN, mofcom, sysadmin)

    client.force_login(secadmin)
    page = client.get(reverse("accounts:security_approvals")).content.decode()
    assert "bob" in page and "国家管理员" in page
    client.post(reverse("accounts:security_approval_decide", args=[approval.pk, "approve"]))
    bob.refresh_from_db()
    assert (bob.role, bob.unit) == (Role.NATIONAL_ADMIN, mofcom)
    approval.refresh_from_db()
    assert approval.state == ApprovalState.APPROVED and approval.decided_by == secadmin
    # The audit log says who asked, who approved, and the role change itself.
    changes = AuditEvent.objects.filter(object_type="units.approval").values_list("actor_name", "action")
    assert ("sysadmin", "create") in changes and ("secadmin", "update") in changes
    assert AuditEvent.objects.filter(object_type="units.user", object_id=str(bob.pk), actor_name="secadmin").exists()


def test_a_new_account_with_a_national_role_has_no_unit_until_approved(client, sysadmin, campaign):
    client.force_login(sysadmin)
    data = {
        "username": "newchief",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "unit": Unit.objects.get(code="MOFCOM").pk,
        "role": Role.NATIONAL_REVIEWER,
        "display_name": "新审核员",
    }
    client.post(reverse("admin:units_user_add"), data)
    account = User.objects.get(username="newchief")
    assert (account.role, account.unit) == (Role.UNIT_REPORTER, None)  # sees nothing of anyone's
    assert Approval.objects.filter(user=account, role=Role.NATIONAL_REVIEWER, state="pending").exists()


def test_a_reviewers_scope_over_sub_units_needs_approval_too(client, sysadmin, tree, campaign):
    """The reporter of a province that has cities reviews them: that scope is a business grant."""
    newbie = UserFactory(username="newbie", unit=Unit.objects.get(code="440100"), role=Role.UNIT_REPORTER)
    client.force_login(sysadmin)
    url = reverse("admin:units_user_change", kwargs={"object_id": newbie.pk})
    client.post(url, _admin_form(newbie, unit=Unit.objects.get(code="440000").pk))
    newbie.refresh_from_db()
    assert newbie.unit.code == "440100"
    assert Approval.objects.get(user=newbie).unit.code == "440000"


def test_a_plain_reporting_account_needs_no_second_person(client, sysadmin, campaign, bob):
    client.force_login(sysadmin)
    url = reverse("admin:units_user_change", kwargs={"object_id": bob.pk})
    client.post(url, _admin_form(bob, display_name="鲍勃"))
    assert User.objects.get(pk=bob.pk).display_name == "鲍勃"
    assert not Approval.objects.exists()


def test_the_requester_never_approves_and_the_system_administrator_cannot_reach_the_page(
    client, sysadmin, secadmin, second_secadmin, bob
):
    approval = services.role_grant_request(user=bob, role=Role.NATIONAL_ADMIN, unit=bob.unit, acting_user=secadmin)
    with pytest.raises(DomainError) as refused:
        services.approval_approve(approval=approval, acting_user=secadmin)
    assert refused.value.status == 403 and "须由另一位安全管理员批准" in refused.value.message
    for actor in (sysadmin, bob):
        with pytest.raises(DomainError):
            services.approval_approve(approval=approval, acting_user=actor)
    client.force_login(sysadmin)
    assert client.get(reverse("accounts:security_approvals")).status_code == 404
    services.approval_reject(approval=approval, acting_user=second_secadmin, reason="未经单位确认")
    assert User.objects.get(pk=bob.pk).role == Role.UNIT_REPORTER
    with pytest.raises(DomainError) as again:
        services.approval_approve(approval=approval, acting_user=second_secadmin)
    assert again.value.status == 409


# --- Resets: the owner gets the link, the resetter sees nothing ----------------------------------------------


def test_a_password_reset_mails_the_owner_a_one_time_link_and_shows_the_resetter_no_password(
    client, secadmin, bob, django_capture_on_commit_callbacks
):
    bob.email = "bob@beijing.gov.cn"
    bob.save(update_fields=["email"])
    client.force_login(secadmin)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("accounts:security_reset_password", kwargs={"pk": bob.pk}), follow=True)
    text = page.content.decode()
    assert "b***@beijing.gov.cn" in text and "bob@beijing.gov.cn" not in text
    bob.refresh_from_db()
    assert not bob.has_usable_password() and not bob.check_password(PASSWORD)  # the old one stopped working
    [message] = mail.outbox
    assert message.to == ["bob@beijing.gov.cn"]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    assert link not in text

    owner = client.__class__()
    path = urlsplit(link).path
    form = owner.get(path, follow=True)
    set_url = form.redirect_chain[-1][0]
    done = owner.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD) and bob.password_changed_at is not None
    again = owner.get(path, follow=True)
    assert "这个链接已失效" in again.content.decode()  # one time only


def test_an_account_without_email_is_told_how_the_owner_gets_the_link(client, secadmin, bob):
    client.force_login(secadmin)
    response = client.post(reverse("accounts:security_reset_password", kwargs={"pk": bob.pk}))
    assert response.status_code == 409
    assert "chengxin password-reset-link bob" in response.content.decode()
    assert User.objects.get(pk=bob.pk).check_password(PASSWORD)  # nothing changed


def test_the_server_command_prints_the_link_for_the_owner(bob, capsys):
    call_command("password-reset-link", "bob")
    out = capsys.readouterr().out
    assert "/accounts/reset/" in out
    assert not User.objects.get(pk=bob.pk).has_usable_password()


def test_resets_of_a_national_or_administrative_account_wait_for_a_second_security_administrator(
    client, secadmin, second_secadmin, dave, sysadmin, django_capture_on_commit_callbacks
):
    dave.email = "dave@mofcom.gov.cn"
    dave.save(update_fields=["email"])
    totp_device(sysadmin)
    client.force_login(secadmin)
    client.post(reverse("accounts:security_reset_password", kwargs={"pk": dave.pk}))
    client.post(reverse("accounts:security_reset_two_factor", kwargs={"pk": sysadmin.pk}))
    assert User.objects.get(pk=dave.pk).check_password(PASSWORD) and not mail.outbox  # nothing yet
    assert TOTPDevice.objects.filter(user=sysadmin).exists()
    pending = Approval.objects.filter(state="pending")
    assert sorted(pending.values_list("kind", flat=True)) == ["password_reset", "two_factor_reset"]

    client.force_login(second_secadmin)
    with django_capture_on_commit_callbacks(execute=True):
        for approval in pending:
            client.post(reverse("accounts:security_approval_decide", args=[approval.pk, "approve"]))
    assert not User.objects.get(pk=dave.pk).has_usable_password()
    assert mail.outbox[0].to == ["dave@mofcom.gov.cn"]
    assert not TOTPDevice.objects.filter(user=sysadmin).exists()


# --- The second factor before a forced password change; recovery codes ----------------------------------------


def test_an_expired_password_alone_does_not_reach_the_password_change(client, two_factor, alice, settings):
    import datetime as dt

    from django.utils import timezone

    totp_device(alice)
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=365))
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("accounts:two_factor_verify") in response["Location"]
    posted = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert posted.status_code == 302 and reverse("accounts:two_factor_verify") in posted["Location"]
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)
    # With the code given, the change is forced.
    client.post(reverse("accounts:two_factor_verify"), {"token": totp_code(TOTPDevice.objects.get(user=alice))})
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_enrolment_shows_ten_recovery_codes_once_and_each_signs_in_once(client, two_factor, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    setup = client.get(reverse("accounts:two_factor_setup")).content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', setup).group(1)
    shown = client.post(reverse("accounts:two_factor_setup"), {"token": totp_code(secret)})
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == 10 and StaticToken.objects.count() == 10
    assert codes[0] not in client.get(reverse("accounts:two_factor")).content.decode()  # never shown again

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    verified = client.post(reverse("accounts:two_factor_verify"), {"recovery": codes[0].upper()})
    assert verified.status_code == 302
    assert StaticToken.objects.count() == 9
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    again = client.post(reverse("accounts:two_factor_verify"), {"recovery": codes[0]})
    assert again.status_code == 422 and "恢复码不正确或已经用过" in again.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, alice):
    old = services.recovery_codes_issue(user=alice, acting_user=alice)
    client.force_login(alice)
    page = client.post(reverse("accounts:two_factor_recovery")).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(new) == 10 and not set(old) & set(new)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_a_second_factor_reset_removes_the_recovery_codes_too(secadmin, alice):
    totp_device(alice)
    services.recovery_codes_issue(user=alice, acting_user=alice)
    services.user_reset_two_factor(user=alice, acting_user=secadmin)
    assert not StaticToken.objects.exists() and not TOTPDevice.objects.filter(user=alice).exists()
