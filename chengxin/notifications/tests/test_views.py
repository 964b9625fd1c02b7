"""The pages: on-demand reminders by the ministry and by a province for its own sub-units, and the notice list."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chengxin.notifications.models import Notice, NoticeKind, Reminder
from chengxin.notifications.services import notify_report_returned, reminders_send
from chengxin.notifications.tests.factories import report_in, reporter, sub_unit
from chengxin.reporting.models import Status
from chengxin.units.models import User

pytestmark = pytest.mark.django_db

REMIND = reverse("notifications:remind", kwargs={"year": 2020})
NOTICES = reverse("notifications:list")
COMPLETENESS = reverse("analytics:completeness", kwargs={"year": 2020})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def provinces_with_cities(campaign, alice, bob):
    """广东省 with 广州市 (draft) and 韶关市 (submitted); 北京市 with 朝阳区 (not started)."""
    sub_unit(campaign, "440100", "广州市", "440000")
    sub_unit(campaign, "440200", "韶关市", "440000")
    sub_unit(campaign, "110105", "朝阳区", "110000", kind="county")
    reporter("gz", "440100", "gz@example.cn")
    reporter("sg", "440200", "sg@example.cn")
    reporter("cy", "110105", "cy@example.cn")
    report_in(campaign, "440100", Status.DRAFT)
    report_in(campaign, "440200", Status.SUBMITTED)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_ministry_reminds_every_top_level_unit_that_has_not_submitted(client, smtp, campaign, carol, alice):
    alice.email = "alice@gd.example.cn"
    alice.save(update_fields=["email"])
    reporter("bj", "110000", "bj@example.cn")
    report_in(campaign, "110000", Status.SUBMITTED)
    sub_unit(campaign, "440100", "广州市", "440000")
    reporter("gz", "440100", "gz@example.cn")
    client.force_login(carol)

    response = client.post(REMIND, {"all_missing": "1", "next": COMPLETENESS + "?status=draft"})

    assert response.status_code == 302 and response.url == COMPLETENESS + "?status=draft"
    assert smtp.recipients == ["alice@gd.example.cn"]  # not 北京 (submitted), not 广州 (the province's to remind)
    reminded = Reminder.objects.count()
    assert not Notice.objects.filter(unit__code__in=["110000", "440100"]).exists()
    shown = _messages(response)
    assert f"已提醒 {reminded} 个单位（发送邮件 1 封）" in shown
    assert any(f"{reminded - 1} 个单位没有登记邮箱，只收到站内通知" in m for m in shown)


def test_unit_without_email_gets_the_in_app_notice_only(client, smtp, campaign, carol, bob):
    client.force_login(carol)

    response = client.post(REMIND, {"unit": "110000"})

    assert smtp.messages == []
    assert "已提醒 1 个单位（发送邮件 0 封）" in _messages(response)
    assert "1 个单位没有登记邮箱，只收到站内通知：北京市" in _messages(response)
    client.force_login(bob)
    page = client.get(NOTICES).content.decode()
    assert "2020年统计表和总结报告已过截止日期，请尽快报送" in page and "未读" in page  # it is long after 2020


def test_province_reminds_its_own_sub_units_that_have_not_submitted(client, smtp, campaign, provinces_with_cities):
    client.force_login(User.objects.get(username="alice"))

    response = client.post(REMIND, {"all_missing": "1"})

    assert response.status_code == 302
    assert smtp.recipients == ["gz@example.cn"]  # not 韶关 (submitted), not 北京's 朝阳区
    assert "（广东省提醒）" in smtp.messages[0].body
    assert "已提醒 1 个单位（发送邮件 1 封）" in _messages(response)


def test_province_reminding_another_provinces_sub_unit_gets_404_and_nothing_is_sent(
    client, smtp, campaign, bob, provinces_with_cities
):
    client.force_login(bob)

    assert client.post(REMIND, {"unit": "440100"}).status_code == 404
    assert client.post(REMIND, {"unit": ["110105", "440100"]}).status_code == 404  # all or nothing

    assert smtp.messages == []
    assert not Notice.objects.exists() and not Reminder.objects.exists()


def test_province_cannot_remind_other_provinces(client, smtp, campaign, alice, bob):
    client.force_login(alice)

    assert client.post(REMIND, {"unit": "110000"}).status_code == 404
    assert client.post(REMIND, {"all_missing": "1"}).status_code == 404  # 广东省 has no sub-units here
    assert not Notice.objects.exists()


def test_reminding_with_the_mail_server_down_still_leaves_the_notice(client, smtp_down, campaign, carol, alice):
    alice.email = "alice@gd.example.cn"
    alice.save(update_fields=["email"])
    client.force_login(carol)

    response = client.post(REMIND, {"unit": "440000"})

    assert response.status_code == 302
    assert Notice.objects.filter(unit__code="440000", kind=NoticeKind.REMINDER).exists()
    assert any("邮件发送失败" in m for m in _messages(response))


def test_next_that_leaves_the_site_is_ignored(client, smtp, campaign, carol):
    client.force_login(carol)

    for target in ("https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com"):
        response = client.post(REMIND, {"unit": "440000", "next": target})
        assert response.url == COMPLETENESS


def test_reminding_is_post_only_and_needs_a_login(client, campaign, carol):
    assert client.post(REMIND, {"all_missing": "1"}).status_code == 302  # to the login page
    assert not Notice.objects.exists()
    client.force_login(carol)
    assert client.get(REMIND).status_code == 405


def test_notice_list_shows_the_units_notices_newest_first_unread_highlighted(client, campaign, alice, bob, carol):
    reminders_send(campaign=campaign, unit_codes=["440000"], acting_user=carol, today=dt.date(2020, 11, 22))
    report = report_in(campaign, "440000", Status.RETURNED, reason="请核对电视新闻条数", reviewed_by=carol)
    notify_report_returned(report=report)
    reminders_send(campaign=campaign, unit_codes=["110000"], acting_user=carol)
    client.force_login(alice)

    page = client.get(NOTICES).content.decode()

    assert page.index("2020年广东省的报告已被退回") < page.index("请于2020年11月25日前报送")
    assert "请核对电视新闻条数" in page
    assert page.count('class="notice notice-') == 2  # not 北京's
    assert page.count(" unread") == 2
    assert "全部标为已读" in page


def test_mark_all_read_marks_only_the_own_units_notices(client, campaign, alice, bob, carol):
    reminders_send(campaign=campaign, unit_codes=["440000", "110000"], acting_user=carol)
    client.force_login(alice)

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert not Notice.objects.filter(unit__code="440000", read_at=None).exists()
    assert Notice.objects.filter(unit__code="110000", read_at=None).count() == 1
    page = client.get(NOTICES).content.decode()
    assert " unread" not in page and "全部标为已读" not in page


def test_unread_count_for_the_header(rf, campaign, alice, carol):
    from chengxin.notifications.context_processors import unread_notices

    reminders_send(campaign=campaign, unit_codes=["440000"], acting_user=carol)
    request = rf.get("/")
    request.user = alice

    assert int(str(unread_notices(request)["unread_notice_count"])) == 1
