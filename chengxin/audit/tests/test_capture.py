"""What the log records: writes with old → new, who, which unit, from where; sign-ins; secrets masked."""

import json
import logging

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from chengxin.audit.context import audit_context
from chengxin.audit.models import AuditEvent
from chengxin.audit.services import audit_record, audit_summarised
from chengxin.audit.tests.conftest import events, newest
from chengxin.conftest import PASSWORD, VALID_FIGURES
from chengxin.reporting.models import Report
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

ENTRY = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
BROWSER = "Mozilla/5.0 (Windows NT 10.0) 测试浏览器"


def _post_entry(client, report, action="save", **figures):
    data = {f"f_{k}": v for k, v in {**VALID_FIGURES, **figures}.items()}
    data.update(version=report.version, action=action)
    return client.post(ENTRY, data, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT=BROWSER)


def _figure_changes(event) -> dict[str, tuple[str, str]]:
    """The figures' old → new that an audited history event (reporting.reportevent, create) carries."""
    _none, changes = event.changes_dict["changes"]
    return {c["code"]: (c["old"], c["new"]) for c in changes}


def test_saving_a_report_through_the_web_logs_who_where_and_old_to_new(client, alice, guangdong_report):
    client.force_login(alice)
    start = newest().seq
    assert _post_entry(client, guangdong_report).status_code == 302
    report = Report.objects.get(pk=guangdong_report.pk)
    [history] = events(seq__gt=start, object_type="reporting.reportevent", action="create")
    assert _figure_changes(history)["meeting_attendance"] == ("", "3,400")
    assert len(_figure_changes(history)) == len(VALID_FIGURES)
    status = events(seq__gt=start, object_type="reporting.report", action="update")
    assert status[-1].changes_dict["status"] == ["not_started", "draft"]

    start = newest().seq
    assert _post_entry(client, report, tv_news="30").status_code == 302
    [change] = events(seq__gt=start, object_type="reporting.reportevent", action="create")
    assert _figure_changes(change) == {"tv_news": ("3", "30")}
    assert change.actor == alice and change.actor_name == "alice"
    assert (change.unit_code, change.unit_name) == ("440000", "广东省")
    assert change.ip == "10.1.2.3"
    assert change.user_agent == BROWSER
    assert (change.method, change.path) == ("POST", ENTRY)
    assert change.outcome == "success"
    # The history event is the one row of this save (the status stayed 草稿): not one per stored figure.
    assert [e.object_type for e in events(seq__gt=start)] == ["reporting.reportevent"]


def test_figures_saved_through_the_api_are_logged_old_to_new_with_the_token_s_owner(client, alice, guangdong_report):
    from chengxin.api.services import token_create

    _token, raw = token_create(user=alice, name="脚本", acting_user=alice)
    url = "/api/v1/campaigns/2020/reports/440000"
    body = {"version": guangdong_report.version, "values": {**VALID_FIGURES, "videos": "7"}}
    start = newest().seq
    response = client.put(
        url,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="save-1",
        REMOTE_ADDR="10.4.4.4",
    )
    assert response.status_code == 200
    [history] = events(seq__gt=start, object_type="reporting.reportevent", action="create")
    assert _figure_changes(history)["videos"] == ("", "7")
    assert (history.actor, history.ip, history.method) == (alice, "10.4.4.4", "PUT")
    # The API's stored answer for retries is no data of anyone's: not logged.
    assert not events(seq__gt=start, object_type="api.idempotencykey")


def test_figures_imported_from_a_workbook_are_logged_old_to_new(campaign, dave):
    from chengxin.workbooks.services import stats_import_file
    from chengxin.workbooks.tests.builders import attachment, to_bytes

    start = newest().seq
    with audit_context(user=dave, label="task:import"):  # as the import job runs it
        result = stats_import_file(
            campaign=campaign, data=to_bytes(attachment()), file_name="广东.xlsx", acting_user=dave
        )
    assert result.saved
    [history] = events(seq__gt=start, object_type="reporting.reportevent", action="create")
    assert _figure_changes(history)["live_viewers"] == ("", "12,000")
    assert len(_figure_changes(history)) == len(VALID_FIGURES)
    assert history.actor == dave
    assert not events(seq__gt=start, object_type="reporting.figurevalue")


def test_submitting_through_the_web_logs_the_status_change(client, alice, guangdong_report, docx_upload):
    client.force_login(alice)
    _post_entry(client, guangdong_report)
    client.post(
        reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"}), {"summary": docx_upload}
    )
    start = newest().seq
    report = Report.objects.get(pk=guangdong_report.pk)
    assert _post_entry(client, report, action="submit").status_code == 302
    updates = events(seq__gt=start, object_type="reporting.report", action="update")
    assert any(e.changes_dict.get("status") == ["draft", "submitted"] for e in updates)
    history = events(seq__gt=start, object_type="reporting.reportevent", action="create")
    assert history[-1].changes_dict["action"] == [None, "submit"]


def test_sign_in_failed_sign_in_and_sign_out_are_logged_with_the_ip(client, alice):
    start = newest().seq
    client.post(reverse("login"), {"username": "alice", "password": "wrong-password"}, REMOTE_ADDR="10.9.8.7")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7")
    client.post(reverse("logout"), REMOTE_ADDR="10.9.8.7")
    failed, login, logout = events(seq__gt=start, action__in=["login", "login_failed", "logout"])
    assert (failed.action, failed.outcome, failed.actor_name, failed.ip) == (
        "login_failed",
        "failure",
        "alice",
        "10.9.8.7",
    )
    assert failed.actor is None and failed.object_repr == "alice"
    assert (login.action, login.outcome, login.actor, login.ip) == ("login", "success", alice, "10.9.8.7")
    assert login.unit_code == "440000"
    assert (logout.action, logout.actor) == ("logout", alice)
    # The password typed is nowhere in the log.
    assert not AuditEvent.objects.filter(changes__contains="wrong-password").exists()
    # Signing in updates last_login: not a row of its own.
    assert not events(seq__gt=start, object_type="units.user", action="update")


def test_a_public_write_names_the_anonymous_and_their_ip(client, campaign):
    data = {
        "name": "华为技术有限公司",
        "uscc": "914403001922038216",
        "region_code": "440000",
        "industry": "manufacturing",
        "contact_name": "李四",
        "contact_phone": "13800138000",
    }
    response = client.post(reverse("commitments:sign", kwargs={"year": 2020}), data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    signed = events(object_type="commitments.commitment", action="create")[-1]
    assert (signed.actor, signed.actor_name, signed.ip) == (None, "anonymous", "198.51.100.7")
    assert signed.changes_dict["name"] == [None, "华为技术有限公司"]


def test_a_client_ip_behind_the_trusted_proxy_is_the_one_the_proxy_saw(client, alice, settings):
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.1",
        # What the client sent itself stands to the left of what the proxy appended.
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5",
    )
    assert newest().ip == "203.0.113.5"


def test_passwords_and_totp_keys_are_masked(alice):
    start = newest().seq
    alice.set_password("Another-Horse-2021")
    alice.save()
    [change] = events(seq__gt=start, object_type="units.user")
    assert change.changes_dict["password"] == ["***", "***"]
    assert "password_changed_at" in change.changes_dict
    assert alice.password not in change.changes

    device = TOTPDevice.objects.create(user=alice, name="手机", confirmed=True)
    created = newest()
    assert (created.action, created.object_type) == ("create", "otp_totp.totpdevice")
    assert created.changes_dict["key"] == [None, "***"]
    assert device.key not in created.changes
    # The device's counters change at every sign-in: not logged.
    seq = newest().seq
    device.last_t = 12345
    device.drift = 1
    device.save()
    assert newest().seq == seq
    device.delete()
    assert (newest().action, newest().object_repr) == ("delete", str(device))
    assert newest().changes_dict["key"] == ["***", None]


def test_a_users_groups_are_logged(alice):
    group = Group.objects.create(name="填报员")
    alice.groups.add(group)
    added = newest()
    assert (added.action, added.object_type, added.object_id) == ("m2m_add", "units.user", str(alice.pk))
    assert added.changes_dict == {"groups": [None, [group.pk]]}
    group.user_set.clear()
    assert newest().action == "m2m_clear"
    assert newest().changes_dict == {"user_set": [[alice.pk], []]}


def test_a_delete_is_logged_with_the_last_values(campaign):
    unit = Unit.objects.create(code="469000", name="临时单位", short_name="临时", kind="province")
    pk = unit.pk
    unit.delete()
    gone = newest()
    assert (gone.action, gone.object_repr, gone.object_id) == ("delete", "临时单位", str(pk))
    assert gone.changes_dict["code"] == ["469000", None]


def test_the_actor_of_a_command_or_a_task(alice, campaign):
    unit = Unit.objects.get(code="110000")
    unit.population = 21_890_000
    unit.save()
    assert newest().actor is None and newest().actor_name.startswith("system")
    with audit_context(user=alice, label="task:import"):
        unit.population = 21_900_000
        unit.save()
    assert newest().actor == alice and newest().changes_dict == {"population": [21_890_000, 21_900_000]}
    with audit_context(label="task:nightly"):
        audit_record(action="reminders_sent", changes={"count": 3})
    assert (newest().actor_name, newest().action) == ("task:nightly", "reminders_sent")


def test_a_write_outside_a_transaction_is_logged_with_a_warning(transactional_db, caplog):
    caplog.set_level(logging.WARNING, logger="chengxin.audit")
    unit = Unit.objects.create(code="469001", name="自动提交单位", short_name="自动", kind="province")
    assert newest().object_repr == "自动提交单位"
    assert "outside a transaction" in caplog.text
    unit.delete()


def test_a_bulk_job_can_record_one_summary_row(campaign):
    start = newest().seq
    with audit_summarised(action="demo_data_reset", object_repr="演示数据"):
        for n in range(3):
            Unit.objects.create(code=f"46900{n + 2}", name=f"批量{n}", short_name=f"批量{n}", kind="province")
        unit = Unit.objects.get(code="469002")
        unit.name = "改名"
        unit.save()
        Unit.objects.filter(code__startswith="46900").delete()
    [summary] = events(seq__gt=start)
    assert summary.action == "demo_data_reset"
    assert json.loads(summary.changes)["counts"] == {"units.unit": {"create": 3, "delete": 3, "update": 1}}


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("token_hash", True),
        ("key_hash", True),
        ("totp_secret", True),
        ("session_key", True),
        ("api_key", True),
        ("password_changed_at", False),
        ("token_expires_at", False),
        ("name_key", False),
        ("sha256", False),
        ("title", False),
    ],
)
def test_which_fields_are_secret(name, secret):
    from chengxin.audit.signals import is_secret

    assert is_secret(Unit, name) is secret
    assert is_secret(TOTPDevice, "key") is True
