"""The credit systems page, the published activities on the campaign page, and the cache of the public pages."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.activities.models import Activity
from chengxin.analytics.services import campaign_publish_totals
from chengxin.conftest import figures_times, submitted_report
from chengxin.core.public_cache import portal_cache_bump
from chengxin.reporting import services as reporting
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:campaign", kwargs={"year": 2020})
CREDIT_LINKS = {
    "信用中国": "https://www.creditchina.gov.cn",
    "国家企业信用信息公示系统": "https://www.gsxt.gov.cn",
    "家政信用查": "https://www.mofcom.gov.cn",
    "中国裁判文书网": "https://wenshu.court.gov.cn",
    "中国执行信息公开网": "http://zxgk.court.gov.cn",
    "信用交通": "https://credit.mot.gov.cn",
    "中国海关企业进出口信用信息公示平台": "http://credit.customs.gov.cn",
    "纳税信用": "https://www.chinatax.gov.cn",
}


def test_the_credit_page_lists_the_eight_national_systems_with_links(client, campaign):
    page = client.get(reverse("portal:credit")).content.decode()
    assert page.count('class="card credit-system"') == 8
    for name, url in CREDIT_LINKS.items():
        assert name in page
        assert f'href="{url}"' in page
    assert "主管部门：最高人民法院" in page and "AEO" in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:home"),
        PAGE,
        reverse("portal:credit"),
        reverse("portal:cases"),
        reverse("commitments:search", args=[2020]),
        reverse("commitments:sign", args=[2020]),
    ],
)
def test_public_pages_carry_no_notes_to_ourselves(client, campaign, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    for remark in ("尚未核实", "本平台尚未", "待核实"):
        assert remark not in page, (url, remark)


def _activity(campaign, unit_code: str, title: str, *, published: bool, region: str = "", user=None) -> Activity:
    unit = Unit.objects.get(code=unit_code)
    return Activity.objects.create(
        campaign=campaign,
        unit=unit,
        title=title,
        plan_activity=campaign.plan_activities.get(number=1) if unit_code == "MOFCOM" else None,
        start_date=dt.date(2020, 10, 9),
        end_date=dt.date(2020, 10, 10),
        region_code=region or unit.region_code or "310000",
        mode="online",
        status="published" if published else "draft",
        published_at=timezone.now() if published else None,
        created_by=user,
    )


def test_the_campaign_page_shows_only_published_activities_and_counts_them_per_province(client, campaign, alice):
    _activity(campaign, "440000", "广州诚信街区开放日", published=True, region="440100", user=alice)
    _activity(campaign, "440000", "深圳诚信夜市", published=True, region="440300", user=alice)
    _activity(campaign, "MOFCOM", "宣传月启动仪式", published=True, region="310000", user=alice)
    _activity(campaign, "440000", "尚未发布的草稿活动", published=False, user=alice)
    page = client.get(PAGE).content.decode()
    assert "广州诚信街区开放日" in page and "宣传月启动仪式" in page and "尚未发布的草稿活动" not in page
    assert page.count(campaign.plan_activities.get(number=1).title) >= 2  # in the plan, and as the activity's
    assert "本地活动" in page and "2020-10-09 – 2020-10-10" in page and "线上" in page
    assert "示意图" in page
    data = json.loads(re.search(r'<script id="portal-provinces" type="application/json">(.*?)</script>', page)[1])
    assert data == [
        {"region_code": "310000", "name": "上海市", "value": 1},
        {"region_code": "440000", "name": "广东省", "value": 2},
    ]
    assert "<script>" not in page.split("<main")[1].replace('<script id="portal-provinces"', "")


def test_the_campaign_page_links_the_case_library_and_the_credit_page(client, campaign):
    page = client.get(PAGE).content.decode()
    assert f'href="{reverse("portal:cases")}"' in page and f'href="{reverse("portal:credit")}"' in page


def test_public_pages_may_be_cached_for_a_minute(client, campaign):
    for url in (PAGE, reverse("portal:cases"), reverse("portal:credit")):
        assert client.get(url)["Cache-Control"] == "public, max-age=60"


def test_the_cached_campaign_page_shows_a_publication_at_once(client, campaign, alice, carol, dave):
    assert "全国汇总数据尚未发布" in client.get(PAGE).content.decode()  # now cached
    report = submitted_report(campaign, Unit.objects.get(code="440000"), alice, figures_times(7))
    reporting.report_accept(report=report, acting_user=carol)
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    assert "350,000" in client.get(PAGE).content.decode()


def test_the_cache_serves_the_same_copy_until_it_is_bumped(client, campaign, alice):
    client.get(PAGE)
    # A write that bypasses every service and signal (a raw update): the cached copy still answers...
    Unit.objects.filter(code="MOFCOM").update(name="商务部（改名测试）")
    assert "商务部（改名测试）" not in client.get(PAGE).content.decode()
    # ...until somebody bumps the cache.
    portal_cache_bump()
    assert "商务部（改名测试）" in client.get(PAGE).content.decode()


def test_an_anonymous_visitor_never_gets_a_signed_in_users_header(client, campaign, alice, carol):
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(carol)
    for url in (PAGE, reverse("portal:cases"), reverse("portal:credit")):
        first = signed_in.get(url).content.decode()
        assert "carol" not in first and "退出" not in first
        anonymous = client.get(url).content.decode()
        assert "carol" not in anonymous and "全国审核" not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_each_language_has_its_own_cached_copy(client, campaign):
    assert "活动主题" in client.get(PAGE).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(PAGE)
    assert english["Content-Language"] == "en"
    assert 'lang="en"' in english.content.decode()


def test_unknown_query_parameters_are_served_from_the_same_cached_copy(client, campaign):
    client.get(PAGE)
    Unit.objects.filter(code="MOFCOM").update(name="商务部（改名测试）")
    assert "商务部（改名测试）" not in client.get(PAGE, {"nocache": "1"}).content.decode()
