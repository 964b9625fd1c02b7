"""A new year's campaign is a copy of an earlier one (campaign_copy, `chengxin copy-campaign`, /campaigns/new/);
its form is then edited on its own, and figures stay comparable across years by their code."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_copy, participant_grant_exception
from chengxin.conftest import CONTRACT_FIGURE_CODES
from chengxin.core.errors import DomainError
from chengxin.reporting.models import Report
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.services import form_as_spec, form_edit
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _codes(campaign: Campaign) -> list[str]:
    return list(campaign.stat_form.figures.order_by("order").values_list("code", flat=True))


def _without_title(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "title"}


def test_a_copy_has_the_plan_focus_areas_requirements_units_and_form_of_the_source(campaign, dave):
    participant_grant_exception(
        campaign=campaign,
        unit=Unit.objects.get(code="660000"),
        deadline=dt.date(2020, 12, 5),
        lock_date=None,
        reason="疫情",
        acting_user=dave,
    )
    copy = campaign_copy(source=campaign, year=2021, acting_user=dave)

    assert copy.title == "2021年“诚信兴商宣传月”活动"
    assert copy.theme == campaign.theme
    assert copy.copied_from == campaign
    plan = [(a.number, a.title, a.lead_body.code) for a in copy.plan_activities.select_related("lead_body")]
    assert len(plan) == 15
    assert plan == [(a.number, a.title, a.lead_body.code) for a in campaign.plan_activities.select_related("lead_body")]
    assert [f.title for f in copy.focus_areas.all()] == [f.title for f in campaign.focus_areas.all()]
    assert copy.focus_areas.count() == 3 and copy.requirements.count() == 4
    # the texts speak of their own year: 《2020年…统计表》 becomes 《2021年…统计表》, nothing else changes
    assert [r.body for r in copy.requirements.all()] == [
        r.body.replace("2020年", "2021年") for r in campaign.requirements.all()
    ]
    assert "报送《2021年“诚信兴商宣传月”活动统计表》" in copy.requirements.get(number=4).body
    assert copy.published_at is None and copy.state == "preparing"  # being prepared until published
    pairs = set(copy.participants.values_list("unit__code", "fills_statistics"))
    assert pairs == set(campaign.participants.values_list("unit__code", "fills_statistics"))
    assert len(pairs) == 55
    assert not copy.participants.exclude(deadline_override=None, lock_override=None).exists()
    assert _codes(copy) == CONTRACT_FIGURE_CODES
    assert copy.stat_form.rules.count() == 6
    assert _without_title(form_as_spec(copy.stat_form)) == _without_title(form_as_spec(campaign.stat_form))
    assert copy.stat_form.title == "2021年“诚信兴商宣传月”活动统计表"
    assert not Report.objects.filter(campaign=copy).exists()


def test_a_copy_moves_every_date_by_one_year(campaign, dave):
    copy = campaign_copy(source=campaign, year=2021, acting_user=dave)
    assert (copy.period_start, copy.period_end) == (dt.date(2021, 10, 1), dt.date(2021, 10, 31))
    assert copy.notice_date == dt.date(2021, 9, 17)
    assert copy.deadline == dt.date(2021, 11, 25)
    assert copy.lock_date is None
    assert "2021年" in copy.notice_title and "2020" not in copy.notice_title
    assert (copy.totals_published_at, copy.published_totals) == (None, {})


def test_a_copy_takes_a_new_title_theme_and_deadline_at_once(campaign, dave):
    copy = campaign_copy(
        source=campaign, year=2021, acting_user=dave, theme="诚信经营、放心消费", deadline=dt.date(2021, 11, 30)
    )
    assert (copy.theme, copy.deadline) == ("诚信经营、放心消费", dt.date(2021, 11, 30))


def test_copying_onto_an_existing_year_is_refused_with_a_year_error(campaign, dave):
    with pytest.raises(DomainError) as caught:
        campaign_copy(source=campaign, year=2020, acting_user=dave)
    assert [(e.field, e.message) for e in caught.value.errors] == [("year", "2020年的活动已经存在")]
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_only_the_national_administrator_may_copy_a_campaign(campaign, persona, request):
    with pytest.raises(DomainError) as caught:
        campaign_copy(source=campaign, year=2021, acting_user=request.getfixturevalue(persona))
    assert caught.value.status == 403
    assert not Campaign.objects.filter(year=2021).exists()


def test_the_new_years_form_is_edited_without_touching_last_years(campaign, dave):
    before = form_as_spec(campaign.stat_form)
    copy = campaign_copy(source=campaign, year=2021, acting_user=dave)
    text = spec_to_toml(form_as_spec(copy.stat_form))
    text = text.replace('label = "纸媒新闻（篇）"', 'label = "报刊新闻（篇）"')  # a row renamed
    text = text.replace('{ code = "videos", label = "条数"', '{ code = "videos", label = "短视频条数"')  # a figure
    text = text.replace('code = "radio_broadcasts"', 'code = "radio_items"')  # a figure dropped, one added
    text = text.replace(  # a figure added to a new row
        'label = "视频（条）"',
        'label = "公众号文章（篇）"\nfigures = [{ code = "wechat_posts", label = "篇数", unit = "篇" }]\n\n'
        '[[form.rows.rows.rows]]\nlabel = "视频（条）"',
    )
    form_edit(campaign=copy, text=text, acting_user=dave)

    codes = _codes(copy)
    assert "radio_broadcasts" not in codes and {"radio_items", "wechat_posts"} <= set(codes)
    assert len(codes) == 14
    assert copy.stat_form.figures.get(code="videos").label == "短视频条数"
    assert copy.stat_form.rows.filter(label="报刊新闻（篇）").exists()
    # 2020 is as the notice printed it.
    assert form_as_spec(campaign.stat_form) == before
    assert _codes(campaign) == CONTRACT_FIGURE_CODES
    # Figures kept their codes, so they compare across the two years.
    assert set(_codes(campaign)) & set(codes) == set(CONTRACT_FIGURE_CODES) - {"radio_broadcasts"}


# --- chengxin copy-campaign -----------------------------------------------------------------------------------


def test_the_command_copies_a_year(campaign):
    out = StringIO()
    call_command(
        "copy-campaign", "2020", "2021", "--theme", "诚信经营、放心消费", "--deadline", "2021-11-30", stdout=out
    )
    copy = Campaign.objects.get(year=2021)
    assert (copy.theme, copy.deadline) == ("诚信经营、放心消费", dt.date(2021, 11, 30))
    assert "2021年“诚信兴商宣传月”活动（复制自 2020 年）" in out.getvalue()
    assert "15 项主要活动，统计表 13 项指标，6 条校验规则" in out.getvalue()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["2020", "2020"], "2020年的活动已经存在"),
        (["2019", "2021"], "没有 2019 年的活动"),
        (["2020", "2021", "--deadline", "2021/11/30"], "--deadline 应为 年-月-日"),
    ],
)
def test_the_command_refuses_clearly(campaign, argv, words):
    with pytest.raises(CommandError, match=words):
        call_command("copy-campaign", *argv)
    assert Campaign.objects.count() == 1


def test_the_command_exits_1_on_an_existing_year(campaign, capsys):
    from chengxin.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["chengxin", "copy-campaign", "2020", "2020"])
    assert exited.value.code == 1
    assert "2020年的活动已经存在" in capsys.readouterr().err


# --- /campaigns/new/ ------------------------------------------------------------------------------------------

NEW = reverse("campaigns:new")


def _new_post(**changes) -> dict:
    data = {
        "source": "2020",
        "year": "2021",
        "title": "2021年“诚信兴商宣传月”活动",
        "theme": "诚信经营、放心消费",
        "period_start": "2021-10-01",
        "period_end": "2021-10-31",
        "deadline": "2021-11-25",
    }
    return {**data, **changes}


def test_the_new_campaign_page_is_prefilled_from_the_newest_year(client, dave):
    client.force_login(dave)
    page = client.get(NEW).content.decode()
    assert 'name="year" value="2021"' in page
    assert 'name="title" value="2021年“诚信兴商宣传月”活动"' in page
    assert 'name="theme" value="诚实经营、守信服务"' in page
    assert 'name="deadline" value="2021-11-25"' in page
    assert '<option value="2020" selected>' in page


def test_the_administrator_creates_a_year_being_prepared_and_lands_on_its_settings(client, dave, bob, carol):
    client.force_login(dave)
    response = client.post(NEW, _new_post(), follow=True)
    assert response.redirect_chain == [(reverse("campaigns:settings", kwargs={"year": 2021}), 302)]
    page = response.content.decode()
    assert "已根据2020年的活动创建2021年的活动（筹备中：只有国家管理员看得到）" in page
    assert "筹备中" in page and reverse("campaigns:publish", kwargs={"year": 2021}) in page
    assert Campaign.objects.get(year=2021).plan_activities.count() == 15
    # nobody else lands on it or finds it: the header still shows 2020, and 2021's pages do not exist for them
    for user in (bob, carol):
        client.force_login(user)
        assert "2021" not in client.get(reverse("home"), follow=True).content.decode().split("</nav>")[0]
        assert client.get(reverse("campaigns:overview", kwargs={"year": 2021})).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"year": "2020"}, "year", "2020年的活动已经存在"),
        ({"year": "明年"}, "year", "年度应为四位数字"),
        ({"theme": ""}, "theme", "请填写活动主题"),
        ({"period_end": "2021-09-01"}, "period_end", "活动结束日期不能早于开始日期"),
        ({"deadline": "2021-13-01"}, "deadline", "报送截止日期格式不对"),
    ],
)
def test_a_wrong_field_is_named_and_the_typed_values_are_kept(client, dave, changes, field, message):
    client.force_login(dave)
    response = client.post(NEW, _new_post(**{"title": "2021年活动（草拟）", **changes}))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert f'name="{field}" value="{changes[field]}"' in page
    assert 'aria-invalid="true"' in page
    assert 'name="title" value="2021年活动（草拟）"' in page
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_the_new_campaign_page_is_not_found_for_others(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, _new_post()).status_code == 404
    assert not Campaign.objects.filter(year=2021).exists()


def test_the_settings_page_links_to_a_new_year(client, dave):
    client.force_login(dave)
    page = client.get(reverse("campaigns:settings", kwargs={"year": 2020})).content.decode()
    assert f'href="{NEW}?source=2020"' in page


def test_the_overview_links_the_public_page_and_the_administrators_year_tools(client, alice, dave):
    overview = reverse("campaigns:overview", kwargs={"year": 2020})
    client.force_login(alice)
    page = client.get(overview).content.decode()
    assert 'href="/public/2020/"' in page and f'href="{NEW}"' not in page
    client.force_login(dave)
    page = client.get(overview).content.decode()
    assert f'href="{NEW}"' in page and 'href="/campaigns/2020/form/"' in page


def test_a_copy_names_its_own_year_and_warns_of_an_earlier_year_left(campaign, dave):
    from chengxin.campaigns.services import earlier_years_left

    requirement = campaign.requirements.get(number=1)
    requirement.body += "参照2019年的做法。"
    requirement.save()
    copy = campaign_copy(source=campaign, year=2021, acting_user=dave)
    assert "参照2019年的做法" in copy.requirements.get(number=1).body  # another year is not the campaign's own
    left = earlier_years_left(copy)
    assert len(left) == 1 and left[0].startswith("有关要求 1：") and "2019年" in left[0]
