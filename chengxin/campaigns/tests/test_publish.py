"""Publishing the national totals (campaign_publish_totals / campaign_unpublish_totals and the buttons on the
settings page): a snapshot of the accepted reports' totals, by the national administrator only."""

import pytest
from django.urls import reverse

from chengxin.analytics.services import campaign_publish_totals, campaign_unpublish_totals
from chengxin.campaigns.models import Campaign
from chengxin.conftest import figures_times, submitted_report
from chengxin.core.errors import DomainError
from chengxin.reporting import services as reporting
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

SETTINGS = reverse("campaigns:settings", kwargs={"year": 2020})
TOTALS = reverse("analytics:totals", kwargs={"year": 2020}) + "?scope=accepted"
PUBLISH = reverse("analytics:publish_totals", kwargs={"year": 2020})
UNPUBLISH = reverse("analytics:unpublish_totals", kwargs={"year": 2020})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reviewed(campaign, alice, bob, carol):
    """广东省 accepted (VALID × 7), 北京市 submitted but not yet accepted (VALID × 2)."""
    guangdong = submitted_report(campaign, Unit.objects.get(code="440000"), alice, figures_times(7))
    reporting.report_accept(report=guangdong, acting_user=carol)
    beijing = submitted_report(campaign, Unit.objects.get(code="110000"), bob, figures_times(2))
    return {"guangdong": guangdong, "beijing": beijing}


def _campaign() -> Campaign:
    return Campaign.objects.get(year=2020)


def test_publishing_snapshots_the_totals_of_accepted_reports_only(campaign, dave, reviewed):
    dave.display_name = "孙大伟"
    dave.save()
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    published = _campaign().published_totals
    assert _campaign().totals_published_at is not None
    assert published["units"] == 1
    assert published["totals"]["meeting_attendance"] == 3400 * 7  # 北京市's submitted table is not in it
    assert published["totals"]["material_methods"] == {"展板": 1, "手册": 1}
    assert published["by"] == {"username": "dave", "name": "孙大伟"}


def test_published_totals_change_only_when_published_again(campaign, dave, carol, reviewed):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    reporting.report_accept(report=reviewed["beijing"], acting_user=carol)
    assert _campaign().published_totals["totals"]["meeting_attendance"] == 3400 * 7
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    assert _campaign().published_totals["totals"]["meeting_attendance"] == 3400 * 9
    assert _campaign().published_totals["units"] == 2


def test_nothing_is_published_before_a_report_is_accepted(campaign, dave, alice):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    with pytest.raises(DomainError, match="还没有已审核的统计表"):
        campaign_publish_totals(campaign=campaign, acting_user=dave)
    assert (_campaign().totals_published_at, _campaign().published_totals) == (None, {})


def test_unpublishing_withdraws_the_totals(campaign, dave, reviewed):
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    campaign_unpublish_totals(campaign=campaign, acting_user=dave)
    assert (_campaign().totals_published_at, _campaign().published_totals) == (None, {})
    with pytest.raises(DomainError, match="全国汇总尚未发布"):
        campaign_unpublish_totals(campaign=campaign, acting_user=dave)


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_only_the_national_administrator_publishes(client, campaign, dave, reviewed, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(DomainError) as caught:
        campaign_publish_totals(campaign=campaign, acting_user=user)
    assert caught.value.status == 403
    client.force_login(user)
    assert client.post(PUBLISH).status_code == 404
    assert _campaign().totals_published_at is None
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    with pytest.raises(DomainError):
        campaign_unpublish_totals(campaign=campaign, acting_user=user)
    assert client.post(UNPUBLISH).status_code == 404
    assert _campaign().totals_published_at is not None


def test_the_totals_page_publishes_with_a_confirmation_and_says_who_published(client, dave, reviewed):
    client.force_login(dave)
    settings_page = client.get(SETTINGS).content.decode()
    assert "全国汇总尚未发布。" in settings_page and f'href="{TOTALS}#publish"' in settings_page  # sends it there
    page = client.get(TOTALS).content.decode()
    assert "全国汇总尚未发布。" in page
    assert f'action="{PUBLISH}"' in page and 'data-confirm="确认发布全国汇总？' in page

    response = client.post(PUBLISH, follow=True)
    assert response.redirect_chain == [(TOTALS + "#publish", 302)]
    page = response.content.decode()
    assert "全国汇总已发布（1 个单位已审核的统计表）" in page
    assert "由 dave（dave）发布，合计 1 个单位已审核的统计表。" in page
    assert f'action="{UNPUBLISH}"' in page and 'data-confirm="确认撤回全国汇总？' in page
    assert reverse("portal:campaign", kwargs={"year": 2020}) in page

    page = client.post(UNPUBLISH, follow=True).content.decode()
    assert "已撤回全国汇总，公开页面不再显示。" in page
    assert _campaign().totals_published_at is None


def test_publishing_nothing_accepted_shows_why(client, dave):
    client.force_login(dave)
    page = client.post(PUBLISH, follow=True).content.decode()
    assert "还没有已审核的统计表，没有可发布的全国汇总" in page
    assert _campaign().totals_published_at is None


def test_the_reviewer_sees_what_is_published_but_has_no_button(client, carol, dave, reviewed):
    campaign_publish_totals(campaign=_campaign(), acting_user=dave)
    client.force_login(carol)
    page = client.get(TOTALS).content.decode()
    assert "由 dave（dave）发布，合计 1 个单位已审核的统计表。" in page and "由国家管理员发布或撤回。" not in page
    assert f'action="{PUBLISH}"' not in page and f'action="{UNPUBLISH}"' not in page
