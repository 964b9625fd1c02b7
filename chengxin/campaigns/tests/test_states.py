"""The year's cycle: a new campaign is prepared in private (筹备中), published on a date (已发布: every expected
unit told), closed after its lock date (已结束); which one a user lands on follows the states, never the mere
creation; earlier years stay in reach (the year switcher, the portal)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from chengxin.campaigns.models import CampaignChange
from chengxin.campaigns.selectors import campaign_current
from chengxin.campaigns.services import campaign_copy, campaign_publish, campaign_set_dates
from chengxin.core.errors import DomainError
from chengxin.notifications.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_year(campaign):
    return campaign_copy(source=campaign, year=2021, acting_user=None)


def test_a_copy_is_prepared_in_private(client, campaign, next_year, alice, bob, carol, dave):
    assert (next_year.state, campaign.state) == ("preparing", "published")
    assert campaign_current() == campaign  # nobody lands on the new year by its mere creation
    pages = [
        reverse("campaigns:overview", kwargs={"year": 2021}),
        reverse("analytics:dashboard", kwargs={"year": 2021}),
        reverse("reporting:entry", kwargs={"year": 2021, "unit_code": "110000"}),
        reverse("activities:list", kwargs={"year": 2021}),
    ]
    for user in (bob, carol):
        client.force_login(user)
        assert [client.get(page).status_code for page in pages] == [404] * 4
        assert "2021" not in client.get(reverse("campaigns:overview", kwargs={"year": 2020})).content.decode()
    client.logout()
    assert client.get(reverse("portal:campaign", kwargs={"year": 2021})).status_code == 404
    assert client.get("/api/v1/campaigns/2021").status_code == 404
    assert [c["year"] for c in client.get("/api/v1/campaigns").json()] == [2020]
    # the national administrator works on it, and switches years from the header
    client.force_login(dave)
    page = client.get(reverse("campaigns:overview", kwargs={"year": 2021})).content.decode()
    assert "筹备中：本年度活动尚未发布" in page
    switch = page.split('class="year-switch"')[1].split("</details>")[0]
    assert reverse("campaigns:overview", kwargs={"year": 2020}) in switch and "2021年（筹备中）" in switch
    # the switcher keeps the page: from 2021's settings to 2020's settings
    page = client.get(reverse("campaigns:settings", kwargs={"year": 2021})).content.decode()
    assert reverse("campaigns:settings", kwargs={"year": 2020}) in page.split('class="year-switch"')[1]


def test_publishing_asks_first_then_tells_every_expected_unit(
    client, campaign, next_year, bob, dave, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.gov.cn"
    bob.save()
    page_url = reverse("campaigns:publish", kwargs={"year": 2021})
    client.force_login(dave)
    page = client.get(page_url).content.decode()
    assert "报送单位 55 个，其中报送统计表的 37 个" in page
    assert "2021年“诚信兴商宣传月”活动已发布" in page and "确认发布并通知各单位" in page  # the notice's words
    assert Notice.objects.count() == 0 and next_year.state == "preparing"  # seeing the page changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url)
    assert response.status_code == 302
    next_year.refresh_from_db()
    assert next_year.state == "published" and next_year.published_by == dave
    notices = Notice.objects.filter(campaign=next_year, kind="campaign")
    assert notices.count() == 55
    beijing = notices.get(unit__code="110000")
    assert "2021年11月25日前在系统中报送统计表和总结报告" in beijing.body and beijing.emails_sent == 1
    assert [m.to for m in mail.outbox] == [["bob@example.gov.cn"]]
    assert "诚信兴商宣传月" in mail.outbox[0].subject
    assert "只报送" not in notices.get(unit__code="GACC").body and "总结报告" in notices.get(unit__code="GACC").body
    assert campaign_current() == next_year  # everyone lands on the open year now
    change = CampaignChange.objects.get(campaign=next_year)
    assert (change.field, change.old, change.new, change.by) == ("状态", "筹备中", "已发布", dave)

    with pytest.raises(DomainError, match="已经发布"):  # once
        campaign_publish(campaign=next_year, acting_user=dave)
    assert Notice.objects.filter(campaign=next_year).count() == 55


def test_only_the_national_administrator_publishes(client, next_year, carol, bob):
    url = reverse("campaigns:publish", kwargs={"year": 2021})
    for user in (carol, bob):
        client.force_login(user)
        assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    next_year.refresh_from_db()
    assert next_year.state == "preparing"
    with pytest.raises(DomainError):
        campaign_publish(campaign=next_year, acting_user=carol)


def test_a_campaign_closes_after_its_lock_date_and_stays_in_reach(client, campaign, dave, bob):
    campaign_set_dates(campaign=campaign, deadline=campaign.deadline, lock_date=dt.date(2020, 12, 31), acting_user=dave)
    campaign.refresh_from_db()
    assert campaign.state == "closed"  # the lock date is long past
    assert campaign_current() == campaign  # no open year: the latest closed one
    client.force_login(bob)
    assert "已结束" in client.get(reverse("campaigns:overview", kwargs={"year": 2020})).content.decode()
    change = CampaignChange.objects.get(campaign=campaign)
    assert (change.field, change.old, change.new) == ("锁定日期", "", "2020-12-31")
    client.force_login(dave)
    history = client.get(reverse("campaigns:history", kwargs={"year": 2020})).content.decode()
    assert "锁定日期" in history and "2020-12-31" in history


def test_the_newest_published_year_wins_over_a_newer_one_being_prepared(campaign, next_year, dave):
    later = campaign_copy(source=campaign, year=2022, acting_user=dave)
    campaign_publish(campaign=next_year, acting_user=dave)
    assert campaign_current() == next_year and later.state == "preparing"
