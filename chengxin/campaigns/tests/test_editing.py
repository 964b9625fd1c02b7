"""Editing a campaign (campaigns/editing.py and the pages of edit_views.py): everything while 筹备中, wording
fixes once 已发布, nothing once 已结束; every change in the campaign's history; national administrators only."""

import datetime as dt

import pytest
from django.urls import reverse

from chengxin.campaigns import editing
from chengxin.campaigns.models import Campaign, CampaignChange, FocusArea, Participant, PlanActivity, Requirement
from chengxin.campaigns.services import campaign_copy
from chengxin.conftest import submitted_report
from chengxin.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def preparing(campaign) -> Campaign:
    """2021, copied from 2020 and not yet published."""
    copy = campaign_copy(source=campaign, year=2021, acting_user=None)
    Campaign.objects.filter(pk=copy.pk).update(published_at=None)
    copy.refresh_from_db()
    assert copy.is_preparing
    return copy


def _history(campaign) -> list[tuple[str, str, str, str]]:
    return list(
        CampaignChange.objects.filter(campaign=campaign).order_by("id").values_list("part", "field", "old", "new")
    )


def _texts(campaign, **changes) -> dict:
    """Every field of the texts page as it is, with `changes`."""
    values = {name: getattr(campaign, name) for name in editing.EDITABLE_FIELDS}
    return {**values, **changes}


def _plan(campaign, number: int) -> PlanActivity:
    return PlanActivity.objects.select_related("lead_body").get(campaign=campaign, number=number)


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- while preparing: everything, recorded ---------------------------------------------------------------------


def test_the_administrator_edits_the_theme_while_preparing_and_it_is_recorded(preparing, dave):
    changes = editing.campaign_edit_texts(campaign=preparing, acting_user=dave, **_texts(preparing, theme="诚信兴商"))
    preparing.refresh_from_db()
    assert preparing.theme == "诚信兴商"
    assert len(changes) == 1
    change = CampaignChange.objects.get(campaign=preparing)
    assert (change.part, change.field, change.old, change.new, change.by) == (
        "活动",
        "活动主题",
        "诚实经营、守信服务",
        "诚信兴商",
        dave,
    )


def test_the_period_and_notice_date_move_while_preparing(preparing, dave):
    editing.campaign_edit_texts(
        campaign=preparing,
        acting_user=dave,
        period_start=dt.date(2021, 9, 15),
        period_end=dt.date(2021, 10, 15),
        notice_date=dt.date(2021, 9, 1),
        activity_grace_days=7,
    )
    preparing.refresh_from_db()
    assert (preparing.period_start, preparing.period_end, preparing.notice_date) == (
        dt.date(2021, 9, 15),
        dt.date(2021, 10, 15),
        dt.date(2021, 9, 1),
    )
    assert preparing.activity_grace_days == 7
    assert ("活动", "活动开始日期", "2021-10-01", "2021-09-15") in _history(preparing)
    assert ("活动", "活动日期宽限天数", "0", "7") in _history(preparing)


def test_saving_unchanged_texts_writes_no_history(preparing, dave):
    assert editing.campaign_edit_texts(campaign=preparing, acting_user=dave, **_texts(preparing)) == []
    assert _history(preparing) == []


def test_a_plan_activitys_lead_body_changes_while_preparing(preparing, dave):
    plan = _plan(preparing, 5)
    editing.plan_activity_edit(
        plan_activity=plan,
        number=5,
        title=plan.title,
        lead_body="SAMR",
        description=plan.description,
        acting_user=dave,
    )
    assert _plan(preparing, 5).lead_body.code == "SAMR"
    assert _history(preparing) == [("主要活动 5", "牵头单位", "工业和信息化部", "市场监管总局")]


def test_a_requirements_body_changes_while_preparing(preparing, dave):
    requirement = Requirement.objects.get(campaign=preparing, number=3)
    editing.section_edit(
        item=requirement, number=3, title=requirement.title, body="举办线下活动须有防疫方案。", acting_user=dave
    )
    requirement.refresh_from_db()
    assert requirement.body == "举办线下活动须有防疫方案。"
    [(part, field, old, new)] = _history(preparing)
    assert (part, field, new) == ("有关要求（三）", "内容", "举办线下活动须有防疫方案。")
    assert old.startswith("各地各部门要认真贯彻落实")


def test_sections_and_plan_activities_are_added_and_deleted_while_preparing(preparing, dave):
    area = editing.section_add(
        campaign=preparing, model=FocusArea, number=4, title="宣传诚信典型", body="", acting_user=dave
    )
    added = editing.plan_activity_add(
        campaign=preparing, number=16, title="诚信市场行", lead_body="CGCC", description="", acting_user=dave
    )
    assert (added.lead_body.name, FocusArea.objects.filter(campaign=preparing).count()) == ("商业联合会", 4)
    editing.section_delete(item=area, acting_user=dave)
    editing.plan_activity_delete(plan_activity=added, acting_user=dave)
    assert not FocusArea.objects.filter(campaign=preparing, number=4).exists()
    assert not PlanActivity.objects.filter(campaign=preparing, number=16).exists()
    assert _history(preparing) == [
        ("宣传重点（四）", "新增", "", "宣传诚信典型"),
        ("主要活动 16", "新增", "", "诚信市场行（商业联合会）"),
        ("宣传重点（四）", "删除", "宣传诚信典型", ""),
        ("主要活动 16", "删除", "诚信市场行（商业联合会）", ""),
    ]


def test_a_section_is_renumbered_while_preparing(preparing, dave):
    area = FocusArea.objects.get(campaign=preparing, number=3)
    editing.section_edit(item=area, number=9, title=area.title, body=area.body, acting_user=dave)
    assert FocusArea.objects.get(pk=area.pk).number == 9
    assert _history(preparing) == [("宣传重点（三）", "序号", "3", "9")]


# --- refusals name the field, change nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "  "}, "title", "请填写标题"),
        ({"theme": ""}, "theme", "请填写活动主题"),
        ({"theme": "诚" * 201}, "theme", "活动主题太长"),
        ({"period_end": dt.date(2021, 9, 30)}, "period_end", "活动结束日期不能早于开始日期"),
        ({"notice_date": dt.date(2021, 10, 2)}, "notice_date", "通知日期不能晚于活动开始日期"),
        ({"period_start": dt.date(2021, 12, 1), "period_end": dt.date(2021, 12, 31)}, "period_start", "截止日期"),
        ({"activity_grace_days": 400}, "activity_grace_days", "宽限天数"),
    ],
)
def test_wrong_texts_are_refused_naming_the_field(preparing, dave, changes, field, words):
    error = _refusal(
        lambda: editing.campaign_edit_texts(campaign=preparing, acting_user=dave, **_texts(preparing, **changes))
    )
    assert field in {e.field for e in error.errors}
    assert any(words in e.message for e in error.errors), error.errors
    assert Campaign.objects.get(pk=preparing.pk).theme == "诚实经营、守信服务"
    assert _history(preparing) == []


def test_a_duplicate_number_is_refused_naming_the_number(preparing, dave):
    error = _refusal(
        lambda: editing.section_add(
            campaign=preparing, model=Requirement, number=2, title="又一条", body="", acting_user=dave
        )
    )
    assert [e.field for e in error.errors] == ["number"]
    assert "序号 2 已被“广泛动员参与”使用" in error.message
    plan = _plan(preparing, 1)
    error = _refusal(
        lambda: editing.plan_activity_edit(
            plan_activity=plan, number=2, title=plan.title, lead_body="MOFCOM", description="", acting_user=dave
        )
    )
    assert [e.field for e in error.errors] == ["number"]
    assert _history(preparing) == []


def test_an_empty_title_is_refused(preparing, dave):
    area = FocusArea.objects.get(campaign=preparing, number=1)
    error = _refusal(lambda: editing.section_edit(item=area, number=1, title="", body="x", acting_user=dave))
    assert [(e.field, e.message) for e in error.errors] == [("title", "请填写标题")]
    error = _refusal(
        lambda: editing.plan_activity_add(
            campaign=preparing, number=16, title=" ", lead_body="MOFCOM", description="", acting_user=dave
        )
    )
    assert [(e.field, e.message) for e in error.errors] == [("title", "请填写活动名称")]


@pytest.mark.parametrize("code", ["NOPE", "110000", ""])
def test_a_lead_body_must_be_a_national_body(preparing, dave, code):
    plan = _plan(preparing, 5)
    error = _refusal(
        lambda: editing.plan_activity_edit(
            plan_activity=plan, number=5, title=plan.title, lead_body=code, description="", acting_user=dave
        )
    )
    assert [e.field for e in error.errors] == ["lead_body"]
    assert "牵头单位" in error.message
    assert _plan(preparing, 5).lead_body.code == "MIIT"


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_only_the_national_administrator_edits(preparing, persona, request):
    user = request.getfixturevalue(persona)
    error = _refusal(lambda: editing.campaign_edit_texts(campaign=preparing, acting_user=user, theme="x"))
    assert error.status == 403
    assert _history(preparing) == []


# --- once published: wording fixes only ----------------------------------------------------------------------------


def test_a_typo_fix_to_the_theme_is_allowed_and_recorded_once_published(campaign, dave):
    assert campaign.state == "published"
    editing.campaign_edit_texts(campaign=campaign, acting_user=dave, **_texts(campaign, theme="诚实经营、守信服务！"))
    assert Campaign.objects.get(pk=campaign.pk).theme == "诚实经营、守信服务！"
    assert _history(campaign) == [("活动", "活动主题", "诚实经营、守信服务", "诚实经营、守信服务！")]


def test_the_period_is_fixed_once_published(campaign, dave):
    error = _refusal(
        lambda: editing.campaign_edit_texts(
            campaign=campaign, acting_user=dave, **_texts(campaign, period_end=dt.date(2020, 11, 15))
        )
    )
    assert [e.field for e in error.errors] == ["period_end"]
    assert "活动已发布" in error.message
    assert Campaign.objects.get(pk=campaign.pk).period_end == dt.date(2020, 10, 31)


def test_nothing_is_added_or_deleted_or_renumbered_once_published(campaign, dave):
    error = _refusal(
        lambda: editing.plan_activity_add(
            campaign=campaign, number=16, title="新活动", lead_body="MOFCOM", description="", acting_user=dave
        )
    )
    assert "活动已发布，不能再增加主要活动" in error.message
    assert _refusal(lambda: editing.plan_activity_delete(plan_activity=_plan(campaign, 15), acting_user=dave))
    area = FocusArea.objects.get(campaign=campaign, number=1)
    assert "不能再删除宣传重点" in _refusal(lambda: editing.section_delete(item=area, acting_user=dave)).message
    error = _refusal(
        lambda: editing.section_edit(item=area, number=7, title=area.title, body=area.body, acting_user=dave)
    )
    assert [e.field for e in error.errors] == ["number"]
    assert PlanActivity.objects.filter(campaign=campaign).count() == 15
    assert FocusArea.objects.filter(campaign=campaign).count() == 3
    assert _history(campaign) == []


def test_a_plan_activitys_wording_is_fixed_once_published(campaign, dave):
    plan = _plan(campaign, 10)
    editing.plan_activity_edit(
        plan_activity=plan, number=10, title="“认证在身边”活动", lead_body="SAMR", description="", acting_user=dave
    )
    assert _plan(campaign, 10).title == "“认证在身边”活动"
    assert [row[:2] for row in _history(campaign)] == [("主要活动 10", "活动名称"), ("主要活动 10", "内容")]


def test_the_lead_body_of_a_plan_activity_with_registered_activities_is_fixed(campaign, dave, bob):
    from chengxin.activities.tests.factories import PLAN_TEXT, create

    create(campaign, bob, "110000", plan_activity="8", epidemic_plan_text=PLAN_TEXT)
    plan = _plan(campaign, 8)
    error = _refusal(
        lambda: editing.plan_activity_edit(
            plan_activity=plan,
            number=8,
            title=plan.title,
            lead_body="MOFCOM",
            description=plan.description,
            acting_user=dave,
        )
    )
    assert [e.field for e in error.errors] == ["lead_body"]
    assert "已有 1 项活动登记" in error.message
    assert _plan(campaign, 8).lead_body.code == "GACC"


def test_a_closed_campaign_is_not_edited(campaign, dave):
    Campaign.objects.filter(pk=campaign.pk).update(lock_date=dt.date(2020, 12, 31))
    campaign.refresh_from_db()
    assert campaign.state == "closed"
    error = _refusal(lambda: editing.campaign_edit_texts(campaign=campaign, acting_user=dave, theme="改"))
    assert "已结束" in error.message


# --- expected units ------------------------------------------------------------------------------------------------


def test_removing_an_expected_unit_with_a_report_is_refused(campaign, dave, bob):
    submitted_report(campaign, bob.unit, bob)
    participant = Participant.objects.get(campaign=campaign, unit=bob.unit)
    error = _refusal(lambda: editing.participant_remove(participant=participant, acting_user=dave))
    assert error.message == "北京市已有本年度的报送记录，不能从报送单位中移除"
    error = _refusal(
        lambda: editing.participants_set_statistics(campaign=campaign, filling={"110000": False}, acting_user=dave)
    )
    assert [e.field for e in error.errors] == ["fills_110000"]
    assert Participant.objects.get(pk=participant.pk).fills_statistics is True
    assert _history(campaign) == []


def test_a_unit_without_a_report_is_removed_added_and_switched(campaign, dave):
    tianjin = Participant.objects.get(campaign=campaign, unit__code="120000")
    editing.participant_remove(participant=tianjin, acting_user=dave)
    assert not Participant.objects.filter(campaign=campaign, unit__code="120000").exists()
    assert [u.code for u in editing.units_to_add(campaign)] == ["120000"]  # the organiser is never offered
    editing.participant_add(campaign=campaign, unit_code="120000", fills_statistics=False, acting_user=dave)
    editing.participants_set_statistics(campaign=campaign, filling={"120000": True}, acting_user=dave)
    assert Participant.objects.get(campaign=campaign, unit__code="120000").fills_statistics is True
    assert _history(campaign) == [
        ("报送单位", "天津市", "报送统计表和总结报告", ""),
        ("报送单位", "天津市", "", "只报送总结报告"),
        ("报送单位", "天津市", "只报送总结报告", "报送统计表和总结报告"),
    ]


def test_the_organiser_and_a_city_are_not_added(campaign, dave):
    for code in ("MOFCOM", "440100", "NOPE"):
        error = _refusal(
            lambda code=code: editing.participant_add(
                campaign=campaign, unit_code=code, fills_statistics=True, acting_user=dave
            )
        )
        assert [e.field for e in error.errors] == ["unit"]


# --- the pages ----------------------------------------------------------------------------------------------------


def _pages(year: int) -> list[str]:
    return [
        reverse("campaigns:edit", kwargs={"year": year}),
        reverse("campaigns:edit_focus_areas", kwargs={"year": year}),
        reverse("campaigns:edit_focus_area", kwargs={"year": year, "number": 1}),
        reverse("campaigns:delete_focus_area", kwargs={"year": year, "number": 1}),
        reverse("campaigns:edit_requirements", kwargs={"year": year}),
        reverse("campaigns:edit_requirement", kwargs={"year": year, "number": 1}),
        reverse("campaigns:delete_requirement", kwargs={"year": year, "number": 1}),
        reverse("campaigns:edit_plan", kwargs={"year": year}),
        reverse("campaigns:edit_plan_activity", kwargs={"year": year, "number": 1}),
        reverse("campaigns:delete_plan_activity", kwargs={"year": year, "number": 1}),
        reverse("campaigns:edit_units", kwargs={"year": year}),
    ]


def test_every_page_opens_for_the_administrator(client, dave, preparing):
    client.force_login(dave)
    for year in (2020, 2021):
        for url in _pages(year):
            assert client.get(url).status_code == 200, url
    settings_page = client.get(reverse("campaigns:settings", kwargs={"year": 2021})).content.decode()
    assert reverse("campaigns:edit", kwargs={"year": 2021}) in settings_page
    plan_page = client.get(reverse("campaigns:edit_plan", kwargs={"year": 2021})).content.decode()
    assert 'value="SAMR"' in plan_page and "市场监管总局" in plan_page
    assert reverse("campaigns:delete_plan_activity", kwargs={"year": 2021, "number": 15}) in plan_page
    assert reverse("campaigns:history", kwargs={"year": 2021}) in plan_page
    # published: no delete links, no add form
    plan_page = client.get(reverse("campaigns:edit_plan", kwargs={"year": 2020})).content.decode()
    assert "/delete/" not in plan_page and "增加主要活动" not in plan_page


@pytest.mark.parametrize("persona", ["carol", "bob"])
def test_the_pages_are_not_found_for_others_and_their_posts_change_nothing(client, preparing, persona, request):
    client.force_login(request.getfixturevalue(persona))
    urls = [*_pages(2020), reverse("campaigns:remove_unit", kwargs={"year": 2020, "unit_code": "120000"})]
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        posted = {"theme": "改", "number": "1", "title": "改", "body": "", "lead_body": "MOFCOM", "unit": "120000"}
        assert client.post(url, posted).status_code == 404, url
    assert CampaignChange.objects.count() == 0
    assert Participant.objects.filter(campaign__year=2020, unit__code="120000").exists()
    assert FocusArea.objects.filter(campaign__year=2020, number=1).exists()
    assert Campaign.objects.get(year=2020).theme == "诚实经营、守信服务"


def _form(campaign, **changes) -> dict:
    values = {name: getattr(campaign, name) for name in editing.EDITABLE_FIELDS}
    for name in ("period_start", "period_end", "notice_date"):
        values[name] = values[name].isoformat()
    return {**values, **changes}


def test_the_texts_page_saves_and_the_history_page_shows_it(client, dave, preparing):
    client.force_login(dave)
    url = reverse("campaigns:edit", kwargs={"year": 2021})
    response = client.post(url, _form(preparing, theme="诚信兴商 共建共享"))
    assert (response.status_code, response["Location"]) == (302, url)
    assert Campaign.objects.get(pk=preparing.pk).theme == "诚信兴商 共建共享"
    history = client.get(reverse("campaigns:history", kwargs={"year": 2021})).content.decode()
    assert "诚信兴商 共建共享" in history and "活动主题" in history


def test_the_texts_page_names_the_wrong_field_and_keeps_what_was_typed(client, dave, preparing):
    client.force_login(dave)
    url = reverse("campaigns:edit", kwargs={"year": 2021})
    response = client.post(url, _form(preparing, theme="新主题", period_end="2021-09-01"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "活动结束日期不能早于开始日期" in page
    assert 'name="period_end" value="2021-09-01" required aria-invalid="true"' in page
    assert 'value="新主题"' in page
    assert Campaign.objects.get(pk=preparing.pk).theme == "诚实经营、守信服务"
    response = client.post(url, _form(preparing, period_start="2021/10/01"))
    assert response.status_code == 422
    assert "活动开始日期格式不对" in response.content.decode()


def test_the_plan_pages_add_edit_and_delete_after_confirming(client, dave, preparing):
    client.force_login(dave)
    plan_url = reverse("campaigns:edit_plan", kwargs={"year": 2021})
    response = client.post(plan_url, {"number": "16", "title": "诚信市场行", "lead_body": "CGCC", "description": ""})
    assert response.status_code == 302
    edit_url = reverse("campaigns:edit_plan_activity", kwargs={"year": 2021, "number": 16})
    response = client.post(edit_url, {"number": "16", "title": "诚信市场行", "lead_body": "NOPE", "description": ""})
    assert response.status_code == 422
    assert "牵头单位“NOPE”不是国家部门和单位之一" in response.content.decode()
    response = client.post(edit_url, {"number": "16", "title": "诚信市场行", "lead_body": "CCFA", "description": ""})
    assert response.status_code == 302
    assert _plan(preparing, 16).lead_body.code == "CCFA"
    delete_url = reverse("campaigns:delete_plan_activity", kwargs={"year": 2021, "number": 16})
    confirm = client.get(delete_url)
    assert "确实要删除主要活动 16吗" in confirm.content.decode()
    assert PlanActivity.objects.filter(campaign=preparing, number=16).exists()  # asking deletes nothing
    assert client.post(delete_url).status_code == 302
    assert not PlanActivity.objects.filter(campaign=preparing, number=16).exists()


def test_the_published_plan_page_refuses_an_addition_with_a_message(client, dave, campaign):
    client.force_login(dave)
    response = client.post(
        reverse("campaigns:edit_plan", kwargs={"year": 2020}),
        {"number": "16", "title": "新活动", "lead_body": "MOFCOM", "description": ""},
    )
    assert response.status_code == 422
    assert "活动已发布，不能再增加主要活动" in response.content.decode()
    assert PlanActivity.objects.filter(campaign=campaign).count() == 15


def test_the_section_pages_add_and_edit(client, dave, preparing):
    client.force_login(dave)
    url = reverse("campaigns:edit_requirements", kwargs={"year": 2021})
    response = client.post(url, {"number": "1", "title": "重复", "body": ""})
    assert response.status_code == 422
    assert "序号 1 已被“加强统筹协调”使用" in response.content.decode()
    assert client.post(url, {"number": "5", "title": "加强宣传报道", "body": "各地要及时报送信息。"}).status_code == 302
    item_url = reverse("campaigns:edit_requirement", kwargs={"year": 2021, "number": 5})
    assert client.post(item_url, {"number": "5", "title": "加强宣传报道", "body": "及时报送。"}).status_code == 302
    assert Requirement.objects.get(campaign=preparing, number=5).body == "及时报送。"


def test_the_units_page_switches_adds_and_removes(client, dave, campaign, bob):
    submitted_report(campaign, bob.unit, bob)
    client.force_login(dave)
    url = reverse("campaigns:edit_units", kwargs={"year": 2020})
    page = client.get(url).content.decode()
    assert 'name="units" value="110000"' not in page  # Beijing reported: its row is fixed
    assert 'name="units" value="120000"' in page
    # Tianjin unticked, every other editable row as it was
    editable = list(Participant.objects.filter(campaign=campaign).exclude(unit__code="110000"))
    data = {
        "form": "statistics",
        "units": [p.unit.code for p in editable],
        "fills": [p.unit.code for p in editable if p.fills_statistics and p.unit.code != "120000"],
    }
    assert client.post(url, data).status_code == 302
    assert Participant.objects.get(campaign=campaign, unit__code="120000").fills_statistics is False
    assert len(_history(campaign)) == 1
    remove = reverse("campaigns:remove_unit", kwargs={"year": 2020, "unit_code": "110000"})
    response = client.post(remove)
    assert response.status_code == 422
    assert "北京市已有本年度的报送记录" in response.content.decode()
    remove = reverse("campaigns:remove_unit", kwargs={"year": 2020, "unit_code": "120000"})
    assert client.post(remove).status_code == 302
    assert client.post(url, {"form": "add", "unit": "120000", "fills_statistics": "1"}).status_code == 302
    assert Participant.objects.get(campaign=campaign, unit__code="120000").fills_statistics is True
    assert len(_history(campaign)) == 3
