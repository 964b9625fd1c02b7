"""The public campaign page (/public/<year>/): no login; the notice's content, and the national totals only
as the ministry published them — never live figures, never a draft's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.analytics.services import campaign_publish_totals, campaign_unpublish_totals
from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_copy, campaign_publish
from chengxin.conftest import figures_times, submitted_report
from chengxin.reporting import services as reporting
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:campaign", kwargs={"year": 2020})
NOT_PUBLISHED = "全国汇总数据尚未发布"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reports(campaign, alice, bob, carol):
    """广东省 accepted (VALID × 7: 350,000 people reached); 北京市 a draft (VALID × 3: 150,000)."""
    guangdong = submitted_report(campaign, Unit.objects.get(code="440000"), alice, figures_times(7))
    reporting.report_accept(report=guangdong, acting_user=carol)
    beijing = reporting.report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="110000"))
    reporting.report_save_draft(report=beijing, raw_values=figures_times(3), version=beijing.version, acting_user=bob)


def _page(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_reads_the_campaign_without_logging_in(client, campaign):
    page = _page(client)
    assert "2020年“诚信兴商宣传月”活动" in page
    assert "诚实经营、守信服务" in page
    assert "2020年10月1日 至 2020年10月31日" in page
    assert "（19个部门和单位）" in page and "连锁经营协会" in page and "最高人民法院" in page
    assert page.count("牵头单位：") == 15 and "牵头单位：消费者协会" in page
    assert campaign.focus_areas.first().title in page
    assert "落实防疫要求" in page
    assert "郑文渊" in page and "010-85093311" in page
    assert 'name="viewport"' in page
    assert NOT_PUBLISHED in page


def test_live_totals_never_show_before_publishing(client, reports):
    page = _page(client)
    assert NOT_PUBLISHED in page
    assert "350,000" not in page and "23,800" not in page and "150,000" not in page


def test_published_totals_show_with_their_date_and_only_accepted_figures(client, campaign, dave, reports):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    page = _page(client)
    assert NOT_PUBLISHED not in page
    assert f"发布日期：{timezone.localdate():%Y年%-m月%-d日}" in page
    assert "根据 1 个单位经审核的统计表汇总。" in page
    assert "350,000" in page and "23,800" in page  # 广东省 accepted: people reached, meeting attendance
    assert "150,000" not in page and "10,200" not in page  # 北京市's draft
    assert "宣传覆盖总人数（人次）" in page and "观看人次" in page and "展板 <strong>1</strong> 个单位" in page


def test_the_publication_date_is_written_the_chinese_way(client, campaign, dave, reports):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    at = timezone.make_aware(dt.datetime(2020, 12, 1, 9, 30))
    Campaign.objects.filter(year=2020).update(totals_published_at=at)
    assert "发布日期：2020年12月1日" in _page(client)


def test_figures_accepted_after_publishing_wait_for_the_next_publication(client, campaign, dave, carol, bob, reports):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    beijing = submitted_report(campaign, Unit.objects.get(code="110000"), bob, figures_times(3))
    reporting.report_accept(report=beijing, acting_user=carol)
    page = _page(client)
    assert "350,000" in page and "500,000" not in page
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    assert "500,000" in _page(client)


def test_unpublished_totals_are_gone(client, campaign, dave, reports):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    campaign_unpublish_totals(campaign=campaign, acting_user=dave)
    page = _page(client)
    assert NOT_PUBLISHED in page
    assert "350,000" not in page and "发布日期" not in page


def test_a_year_without_publication_shows_none_of_another_years(client, campaign, dave, reports):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    campaign_publish(campaign=campaign_copy(source=campaign, year=2021, acting_user=dave), acting_user=dave)
    page = client.get(reverse("portal:campaign", kwargs={"year": 2021})).content.decode()
    assert "2021年“诚信兴商宣传月”活动" in page and NOT_PUBLISHED in page and "350,000" not in page
    # earlier years stay in reach, with their totals where published
    years = page.split('id="years"')[1]
    assert f'href="{PAGE}"' in years and f'href="{PAGE}#national-totals"' in years and "诚实经营、守信服务" in years


def test_the_public_address_goes_to_the_newest_published_campaign(client, campaign, dave):
    assert client.get(reverse("portal:home")).headers["Location"] == PAGE
    new = campaign_copy(source=campaign, year=2021, acting_user=dave)
    # being prepared: the public neither lands on it nor finds it
    assert client.get(reverse("portal:home")).headers["Location"] == PAGE
    assert client.get(reverse("portal:campaign", kwargs={"year": 2021})).status_code == 404
    assert "2021" not in client.get(PAGE).content.decode().split('id="years"')[1]
    campaign_publish(campaign=new, acting_user=dave)
    assert client.get(reverse("portal:home")).headers["Location"] == reverse("portal:campaign", kwargs={"year": 2021})


def test_an_unknown_year_is_not_found(client, campaign):
    assert client.get(reverse("portal:campaign", kwargs={"year": 1999})).status_code == 404
