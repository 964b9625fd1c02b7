"""National totals and completeness as the ministry reads them (analytics/selectors.py).

The reports are put into their states through the reporting services, as the units and the ministry would.
The same set-up is shared with test_commands.py (`build_reports`).
"""

import contextlib
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chengxin.analytics.selectors import completeness, split_methods, totals
from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_load, campaign_spec, participant_grant_exception
from chengxin.conftest import VALID_FIGURES, make_docx
from chengxin.core.errors import DomainError
from chengxin.reporting.models import Report, Status
from chengxin.reporting.services import (
    report_accept,
    report_get_or_start,
    report_return,
    report_save_draft,
    report_submit,
    report_upload_summary,
)
from chengxin.statform.services import form_load
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DALIAN = {
    "meeting_sessions": "5",
    "meeting_attendance": "600",
    "material_methods": "展板、手册和横幅",
    "material_copies": "2000",
    "print_news": "4",
    "tv_news": "1",
    "radio_broadcasts": "1",
    "web_news": "10",
    "videos": "2",
    "live_sessions": "1",
    "live_viewers": "3000",
    "people_reached": "1.2万",
    "consultations": "300",
}
CORPS = {
    "meeting_sessions": "3",
    "meeting_attendance": "90",
    "material_methods": "手册",
    "material_copies": "300",
    "print_news": "2",
    "tv_news": "2",
    "radio_broadcasts": "2",
    "web_news": "2",
    "videos": "2",
    "live_sessions": "0",
    "live_viewers": "0",
    "people_reached": "1000",
    "consultations": "20",
}
SHENZHEN = {
    "meeting_sessions": "1",
    "meeting_attendance": "50",
    "material_methods": "展板",
    "material_copies": "10",
    "print_news": "1",
    "tv_news": "1",
    "radio_broadcasts": "1",
    "web_news": "1",
    "videos": "1",
    "live_sessions": "0",
    "live_viewers": "0",
    "people_reached": "100",
    "consultations": "10",
}
BEIJING_DRAFT = {  # a draft, half filled
    "meeting_sessions": "2",
    "meeting_attendance": "100",
    "material_methods": "横幅",
    "material_copies": "100",
    "tv_news": "7",
    "people_reached": "500",
    "consultations": "50",
}

# Submitted or accepted: 广东省 (VALID_FIGURES, submitted late), 大连市 (accepted, late), 新疆生产建设兵团 (submitted
# on time under an exception) and 海关总署 (summary only). Drafts: 北京市 (figures), 宁波市 (summary only).
# Returned: 深圳市. 上海市 opened its page (a report row exists) but saved nothing.
SUBMITTED_TOTALS = {
    "meeting_sessions": 12 + 5 + 3,
    "meeting_attendance": 3400 + 600 + 90,
    "material_methods": {"手册": 3, "展板": 2, "横幅": 1},
    "material_copies": 5000 + 2000 + 300,
    "print_news": 8 + 4 + 2,
    "tv_news": 3 + 1 + 2,
    "radio_broadcasts": 2 + 1 + 2,
    "web_news": 40 + 10 + 2,
    "videos": 6 + 2 + 2,
    "live_sessions": 3 + 1 + 0,
    "live_viewers": 12_000 + 3000 + 0,
    "people_reached": 50_000 + 12_000 + 1000,
    "consultations": 860 + 300 + 20,
}
ACCEPTED_TOTALS = {
    "meeting_sessions": 5,
    "meeting_attendance": 600,
    "material_methods": {"展板": 1, "手册": 1, "横幅": 1},
    "material_copies": 2000,
    "print_news": 4,
    "tv_news": 1,
    "radio_broadcasts": 1,
    "web_news": 10,
    "videos": 2,
    "live_sessions": 1,
    "live_viewers": 3000,
    "people_reached": 12_000,
    "consultations": 300,
}
ALL_TOTALS = {
    "meeting_sessions": 20 + 2 + 1,
    "meeting_attendance": 4090 + 100 + 50,
    "material_methods": {"展板": 3, "手册": 3, "横幅": 2},
    "material_copies": 7300 + 100 + 10,
    "print_news": 14 + 0 + 1,
    "tv_news": 6 + 7 + 1,
    "radio_broadcasts": 5 + 0 + 1,
    "web_news": 52 + 0 + 1,
    "videos": 10 + 0 + 1,
    "live_sessions": 4 + 0 + 0,
    "live_viewers": 15_000,
    "people_reached": 63_000 + 500 + 100,
    "consultations": 1180 + 50 + 10,
}


def _reporter(code: str):
    return UserFactory(username=f"reporter-{code}", unit=Unit.objects.get(code=code), role=Role.UNIT_REPORTER)


def _docx(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_docx(name), content_type="application/octet-stream")


def _fill_and_submit(campaign, code: str, figures: dict | None) -> Report:
    user = _reporter(code)
    report = report_get_or_start(campaign=campaign, unit=user.unit)
    if figures is not None:
        report = report_save_draft(report=report, raw_values=figures, version=None, acting_user=user).report
    report_upload_summary(report=report, uploaded_file=_docx(f"{code}总结报告.docx"), acting_user=user)
    report.refresh_from_db()
    return report_submit(report=report, version=report.version, acting_user=user)


def build_reports() -> dict:
    """The 2020 campaign with reports in every state, made through the services."""
    campaign = campaign_load(year=2020)
    mofcom = Unit.objects.get(code="MOFCOM")
    dave = UserFactory(username="dave", unit=mofcom, role=Role.NATIONAL_ADMIN)
    carol = UserFactory(username="carol", unit=mofcom, role=Role.NATIONAL_REVIEWER)

    _fill_and_submit(campaign, "440000", VALID_FIGURES)
    dalian = _fill_and_submit(campaign, "210200", DALIAN)
    report_accept(report=dalian, acting_user=carol)
    shenzhen = _fill_and_submit(campaign, "440300", SHENZHEN)
    report_return(report=shenzhen, reason="份数请与附件核对", acting_user=carol)
    participant_grant_exception(
        campaign=campaign,
        unit=Unit.objects.get(code="660000"),
        deadline=dt.date(2099, 12, 31),
        lock_date=None,
        reason="兵团团场分散",
        acting_user=dave,
    )
    _fill_and_submit(campaign, "660000", CORPS)
    _fill_and_submit(campaign, "GACC", None)

    beijing = _reporter("110000")
    report_save_draft(
        report=report_get_or_start(campaign=campaign, unit=beijing.unit),
        raw_values=BEIJING_DRAFT,
        version=None,
        acting_user=beijing,
    )
    ningbo = _reporter("330200")
    report_upload_summary(
        report=report_get_or_start(campaign=campaign, unit=ningbo.unit),
        uploaded_file=_docx("宁波总结.docx"),
        acting_user=ningbo,
    )
    report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="310000"))
    return {"campaign": campaign, "carol": carol, "dave": dave}


# --- split_methods ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "methods"),
    [
        ("展板、手册和横幅", ["展板", "手册", "横幅"]),
        ("展板，手册,横幅", ["展板", "手册", "横幅"]),
        ("展板；手册; 横幅/海报", ["展板", "手册", "横幅", "海报"]),
        ("展板及手册与横幅等。", ["展板", "手册", "横幅"]),
        ("展板、展板、手册", ["展板", "手册"]),
        ("  ", []),
        ("", []),
        (None, []),
    ],
)
def test_split_methods_reads_the_list_a_unit_typed(text, methods):
    assert split_methods(text) == methods


# --- totals ---------------------------------------------------------------------------------------------------


def test_default_totals_count_submitted_and_accepted_reports(campaign):
    result = totals(campaign)
    assert result == SUBMITTED_TOTALS
    assert totals(campaign, "submitted") == result


def test_methods_are_counted_per_unit_most_named_first(campaign):
    assert list(totals(campaign)["material_methods"].items()) == [("手册", 3), ("展板", 2), ("横幅", 1)]


def test_accepted_scope_counts_only_accepted_reports(campaign):
    assert totals(campaign, "accepted") == ACCEPTED_TOTALS


def test_all_scope_adds_drafts_and_returned_reports(campaign):
    assert totals(campaign, "all") == ALL_TOTALS


def test_totals_keys_are_the_figure_codes_in_printed_order(campaign):
    assert list(totals(campaign)) == list(SUBMITTED_TOTALS)


def test_a_unit_naming_a_method_twice_counts_once(campaign, world):
    guangdong = Unit.objects.get(code="440000")
    alice = UserFactory(username="alice", unit=guangdong, role=Role.UNIT_REPORTER)
    report = Report.objects.get(campaign=campaign, unit=guangdong)
    report_return(report=report, reason="请补充", acting_user=world["carol"])
    report.refresh_from_db()
    report_save_draft(
        report=report,
        raw_values={"material_methods": "展板、展板和展板"},
        version=report.version,
        acting_user=alice,
    )
    assert totals(campaign, "all")["material_methods"]["展板"] == 3  # 广东省, 大连市, 深圳市 — not 5


def test_an_empty_campaign_totals_zero(db, world):
    """A campaign nobody reported for yet: every number 0 and no methods (not missing keys)."""
    empty = Campaign.objects.create(
        year=2021,
        title="2021",
        theme="t",
        period_start=dt.date(2021, 10, 1),
        period_end=dt.date(2021, 10, 31),
        notice_date=dt.date(2021, 9, 1),
        deadline=dt.date(2021, 11, 25),
    )
    form_load(campaign=empty, spec=campaign_spec(2020)["form"])
    result = totals(empty, "all")
    assert result["material_methods"] == {}
    assert {k: v for k, v in result.items() if k != "material_methods"} == dict.fromkeys(
        [k for k in SUBMITTED_TOTALS if k != "material_methods"], 0
    )


def test_figures_of_a_summary_only_body_never_reach_the_national_totals(campaign, world):
    before = totals(campaign, "all")
    customs = Unit.objects.get(code="GACC")
    erin = UserFactory(username="erin", unit=customs, role=Role.UNIT_REPORTER)
    report = Report.objects.get(campaign=campaign, unit=customs)
    report_return(report=report, reason="请补充总结", acting_user=world["carol"])
    report.refresh_from_db()
    with contextlib.suppress(DomainError):  # as a hand-made POST to the entry page would; refusing it is fine too
        report_save_draft(report=report, raw_values={"tv_news": "1000"}, version=report.version, acting_user=erin)
    assert totals(campaign, "all")["tv_news"] == before["tv_news"]


# --- completeness -----------------------------------------------------------------------------------------------


def _summary(kind):
    return {
        "expected": kind.expected,
        "submitted": kind.submitted,
        "on_time": kind.on_time,
        "drafts": kind.drafts,
        "returned": kind.returned,
        "not_started": kind.not_started,
        "accepted": kind.accepted,
    }


def test_completeness_counts_per_kind(campaign):
    data = completeness(campaign)
    by_kind = {k.kind: _summary(k) for k in data.by_kind}
    assert [k.kind for k in data.by_kind] == ["province", "planned_city", "corps", "national_body"]
    assert [k.label for k in data.by_kind] == ["省、自治区、直辖市", "计划单列市", "新疆生产建设兵团", "国家部门和单位"]
    assert by_kind["province"] == {
        "expected": 31,
        "submitted": 1,
        "on_time": 0,
        "drafts": 1,
        "returned": 0,
        "not_started": 29,
        "accepted": 0,
    }
    assert by_kind["planned_city"] == {
        "expected": 5,
        "submitted": 1,
        "on_time": 0,
        "drafts": 1,
        "returned": 1,
        "not_started": 2,
        "accepted": 1,
    }
    assert by_kind["corps"] == {
        "expected": 1,
        "submitted": 1,
        "on_time": 1,
        "drafts": 0,
        "returned": 0,
        "not_started": 0,
        "accepted": 0,
    }
    assert by_kind["national_body"] == {
        "expected": 18,
        "submitted": 1,
        "on_time": 0,
        "drafts": 0,
        "returned": 0,
        "not_started": 17,
        "accepted": 0,
    }
    assert _summary(data.overall) == {
        "expected": 55,
        "submitted": 4,
        "on_time": 1,
        "drafts": 2,
        "returned": 1,
        "not_started": 48,
        "accepted": 1,
    }
    assert data.overall.rate == pytest.approx(4 / 55)
    assert data.overall.on_time_rate == pytest.approx(1 / 55)
    assert by_kind["corps"] and data.by_kind[2].rate == 1.0


def test_each_unit_with_its_status_and_late_flag(campaign):
    units = {u.code: u for u in completeness(campaign).units}
    assert len(units) == 55
    assert "MOFCOM" not in units
    expected = {
        "440000": (Status.SUBMITTED, True),
        "210200": (Status.ACCEPTED, True),
        "660000": (Status.SUBMITTED, False),
        "GACC": (Status.SUBMITTED, True),
        "440300": (Status.RETURNED, False),
        "110000": (Status.DRAFT, False),
        "330200": (Status.DRAFT, False),
        "310000": (Status.NOT_STARTED, False),
        "120000": (Status.NOT_STARTED, False),
    }
    assert {code: (units[code].status, units[code].late) for code in expected} == expected
    assert units["440000"].status_label == "已报送"
    assert units["440000"].submitted_at is not None
    assert units["440300"].submitted_at is None  # returned: not counted as submitted
    assert units["110000"].submitted_at is None
    assert units["660000"].deadline == dt.date(2099, 12, 31)
    assert units["660000"].has_exception
    assert not units["440000"].has_exception
    assert units["GACC"].fills_statistics is False
    assert units["440000"].fills_statistics is True


def test_units_are_listed_provinces_first_in_the_reference_order(campaign):
    codes = [u.code for u in completeness(campaign).units]
    assert codes[0] == "110000"
    assert codes.index("650000") < codes.index("210200") < codes.index("660000") < codes.index("CPD")
    assert codes[-1] == "CCFA"


def test_as_json_has_the_contract_fields(campaign):
    units = {u.code: u.as_json() for u in completeness(campaign).units}
    gd = units["440000"]
    assert set(gd) == {"code", "name", "kind", "status", "submitted_at", "late"}
    assert (gd["name"], gd["kind"], gd["status"], gd["late"]) == ("广东省", "province", "submitted", True)
    assert dt.datetime.fromisoformat(gd["submitted_at"]).tzinfo is not None
    assert units["310000"] == {
        "code": "310000",
        "name": "上海市",
        "kind": "province",
        "status": "not_started",
        "submitted_at": None,
        "late": False,
    }


@pytest.mark.parametrize(
    ("today", "words"),
    [
        (dt.date(2020, 11, 20), "距报送截止（2020年11月25日）还有 5 天"),
        (dt.date(2020, 11, 24), "距报送截止（2020年11月25日）还有 1 天"),
        (dt.date(2020, 11, 25), "今天（2020年11月25日）24时报送截止"),
        (dt.date(2020, 11, 27), "报送已于 2020年11月25日 截止，已过 2 天；此后报送记为逾期"),
    ],
)
def test_days_left_in_words(campaign, today, words):
    data = completeness(campaign)
    data.today = today
    assert data.deadline_words == words


def test_days_left_today_is_the_shanghai_date(campaign):
    data = completeness(campaign)
    assert data.today == timezone.localdate()
    assert data.days_left == (dt.date(2020, 11, 25) - timezone.localdate()).days
    assert data.deadline_words.startswith("报送已于 2020年11月25日 截止")
