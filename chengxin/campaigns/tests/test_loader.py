"""`chengxin load-campaign 2020`: the notice of 2020-09-17 as data, loaded idempotently."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement
from chengxin.campaigns.services import campaign_set_dates, participant_grant_exception
from chengxin.conftest import CONTRACT_FIGURE_CODES
from chengxin.statform.models import Figure, Row, Rule
from chengxin.units.models import Role, Unit, UnitKind
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas get a password; a cheap hasher keeps the module fast (runs before the personas are made)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BODIES = [
    ("MOFCOM", "商务部"),
    ("CPD", "中央宣传部"),
    ("CAC", "中央网信办"),
    ("SPC", "最高人民法院"),
    ("NDRC", "发展改革委"),
    ("MIIT", "工业和信息化部"),
    ("MOT", "交通运输部"),
    ("MCT", "文化和旅游部"),
    ("GACC", "海关总署"),
    ("STA", "税务总局"),
    ("SAMR", "市场监管总局"),
    ("NRTA", "广电总局"),
    ("SAFE", "外汇局"),
    ("CCPIT", "贸促会"),
    ("CEC", "企业联合会"),
    ("CGCC", "商业联合会"),
    ("CFLP", "物流与采购联合会"),
    ("CCA", "消费者协会"),
    ("CCFA", "连锁经营协会"),
]
LEADS = [
    "MOFCOM",
    "CPD",
    "CAC",
    "SPC",
    "MIIT",
    "MOT",
    "MCT",
    "GACC",
    "STA",
    "SAMR",
    "NRTA",
    "SAFE",
    "CCPIT",
    "CEC",
    "CCA",
]
FIGURE_CODES = CONTRACT_FIGURE_CODES


def load() -> str:
    out = StringIO()
    call_command("load-campaign", "2020", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "units": Unit.objects.count(),
        "campaigns": Campaign.objects.count(),
        "focus": FocusArea.objects.count(),
        "requirements": Requirement.objects.count(),
        "plan": PlanActivity.objects.count(),
        "participants": Participant.objects.count(),
        "rows": Row.objects.count(),
        "figures": Figure.objects.count(),
        "rules": Rule.objects.count(),
    }


@pytest.fixture
def loaded(db) -> Campaign:
    output = load()
    assert "2020年“诚信兴商宣传月”活动" in output
    assert "截止日期 2020-11-25" in output
    return Campaign.objects.get(year=2020)


def test_the_19_bodies_in_signature_order(loaded):
    bodies = Unit.objects.filter(kind=UnitKind.NATIONAL_BODY).order_by("sort_order")
    assert [(u.code, u.name) for u in bodies] == BODIES
    assert Unit.objects.get(code="GACC").full_name == "海关总署"
    assert Unit.objects.get(code="MOFCOM").full_name == "中华人民共和国商务部"


def test_the_37_provincial_units(loaded):
    assert Unit.objects.filter(kind=UnitKind.PROVINCE).count() == 31
    planned = Unit.objects.filter(kind=UnitKind.PLANNED_CITY)
    assert sorted(planned.values_list("code", "short_name")) == sorted(
        [("210200", "大连"), ("370200", "青岛"), ("330200", "宁波"), ("350200", "厦门"), ("440300", "深圳")]
    )
    assert Unit.objects.filter(kind=UnitKind.CORPS).count() == 1
    assert Unit.objects.filter(kind__in=["province", "planned_city", "corps"]).count() == 37
    assert Unit.objects.count() == 19 + 37


def test_gb_t_2260_codes(loaded):
    guangdong = Unit.objects.get(code="440000")
    assert (guangdong.name, guangdong.kind, guangdong.region_code) == ("广东省", UnitKind.PROVINCE, "440000")
    dalian = Unit.objects.get(code="210200")
    assert (dalian.name, dalian.kind, dalian.region_code) == ("大连市", UnitKind.PLANNED_CITY, "210200")
    assert Unit.objects.get(code="110000").name == "北京市"
    assert Unit.objects.get(code="650000").name == "新疆维吾尔自治区"
    provincial = Unit.objects.filter(kind__in=[UnitKind.PROVINCE, UnitKind.PLANNED_CITY])
    assert all(u.code == u.region_code and len(u.code) == 6 and u.code.isdigit() for u in provincial)
    assert all(u.code.endswith("0000") for u in provincial.filter(kind=UnitKind.PROVINCE))


def test_the_corps_reports_under_660000_with_no_region_code(loaded):
    corps = Unit.objects.get(code="660000")
    assert corps.name == "新疆生产建设兵团"
    assert corps.kind == UnitKind.CORPS
    assert corps.region_code == ""
    assert corps.is_provincial


def test_the_campaign_as_the_notice_states_it(loaded):
    c = loaded
    assert c.title == "2020年“诚信兴商宣传月”活动"
    assert c.theme == "诚实经营、守信服务"
    assert (c.period_start, c.period_end) == (dt.date(2020, 10, 1), dt.date(2020, 10, 31))
    assert c.notice_date == dt.date(2020, 9, 17)
    assert c.deadline == dt.date(2020, 11, 25)
    assert c.lock_date is None  # the notice names none
    assert (c.contact_name, c.contact_phone, c.contact_fax) == ("郑文渊", "010-85093311", "010-85093681")
    assert c.receiver == "商务部（市场建设司）"


def test_focus_areas_and_requirements(loaded):
    assert list(loaded.focus_areas.values_list("number", flat=True)) == [1, 2, 3]
    assert loaded.focus_areas.get(number=3).title == "培育“重信守诺”的诚信文化"
    assert list(loaded.requirements.values_list("title", flat=True)) == [
        "加强统筹协调",
        "广泛动员参与",
        "落实防疫要求",
        "及时总结工作",
    ]
    assert "防疫方案" in loaded.requirements.get(number=3).body


def test_15_plan_activities_each_led_by_its_body(loaded):
    plan = list(loaded.plan_activities.select_related("lead_body"))
    assert [a.number for a in plan] == list(range(1, 16))
    assert [a.lead_body.code for a in plan] == LEADS
    assert plan[0].lead_body.name == "商务部"
    assert "启动仪式" in plan[0].title
    assert plan[7].lead_body.name == "海关总署"
    assert plan[14].lead_body.name == "消费者协会"
    assert plan[14].title == "“凝聚你我力量 让消费更温暖”公益活动"
    # four co-organisers lead no activity of their own
    assert {"NDRC", "CGCC", "CFLP", "CCFA"}.isdisjoint({a.lead_body.code for a in plan})


def test_the_form_has_exactly_the_13_figure_codes_of_the_contract_in_order(loaded):
    form = loaded.stat_form
    assert form.title == "2020年“诚信兴商宣传月”活动统计表"
    assert list(form.figures.values_list("code", flat=True)) == FIGURE_CODES
    assert list(form.figures.filter(kind="text").values_list("code", flat=True)) == ["material_methods"]
    assert form.rules.count() == 6


def test_participants_37_fill_statistics_18_co_organisers_send_a_summary(loaded):
    participants = Participant.objects.filter(campaign=loaded).select_related("unit")
    fill = [p for p in participants if p.fills_statistics]
    summary_only = [p for p in participants if not p.fills_statistics]
    assert len(fill) == 37
    assert all(p.unit.is_provincial for p in fill)
    assert sorted(p.unit.code for p in summary_only) == sorted(code for code, _ in BODIES if code != "MOFCOM")
    assert not participants.filter(unit__code="MOFCOM").exists()  # the organiser reviews, it does not report


def test_running_it_twice_changes_no_counts(loaded):
    first = counts()
    assert first == {
        "units": 56,
        "campaigns": 1,
        "focus": 3,
        "requirements": 4,
        "plan": 15,
        "participants": 55,
        "rows": 15,
        "figures": 13,
        "rules": 6,
    }
    figure_pks = list(Figure.objects.values_list("pk", flat=True))
    load()
    assert counts() == first
    assert list(Figure.objects.values_list("pk", flat=True)) == figure_pks


def test_a_reload_keeps_the_lock_date_and_exceptions_the_ministry_set(loaded):
    admin = UserFactory(username="dave", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_ADMIN)
    campaign_set_dates(campaign=loaded, deadline=loaded.deadline, lock_date=dt.date(2020, 12, 31), acting_user=admin)
    participant_grant_exception(
        campaign=loaded,
        unit=Unit.objects.get(code="660000"),
        deadline=dt.date(2020, 12, 5),
        lock_date=dt.date(2021, 1, 10),
        reason="兵团团场分散，统计口径需逐级汇总",
        acting_user=admin,
    )
    load()
    campaign = Campaign.objects.get(year=2020)
    assert campaign.lock_date == dt.date(2020, 12, 31)
    corps = Participant.objects.get(campaign=campaign, unit__code="660000")
    assert (corps.deadline_override, corps.lock_override) == (dt.date(2020, 12, 5), dt.date(2021, 1, 10))
    assert corps.exception_reason == "兵团团场分散，统计口径需逐级汇总"
    assert corps.fills_statistics


def test_a_reload_keeps_a_deadline_the_ministry_extended(loaded):
    """The notice's deadline is only the first value: after the ministry extends it, a reload keeps the extension."""
    admin = UserFactory(username="dave", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_ADMIN)
    campaign_set_dates(campaign=loaded, deadline=dt.date(2020, 11, 30), lock_date=None, acting_user=admin)
    load()
    assert Campaign.objects.get(year=2020).deadline == dt.date(2020, 11, 30)


def test_an_unknown_year_is_a_clear_error():
    with pytest.raises(CommandError, match="没有 1999 年的活动数据文件"):
        call_command("load-campaign", "1999", stdout=StringIO())
