"""The 2020 form as loaded from its data file, and the validator applied to it (statform/validation.py,
statform/definition.py). One test per rule of campaign-2020.toml [form.rules]."""

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import CONTRACT_FIGURE_CODES, VALID_FIGURES
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import check_values, parse_values

# The marker makes pytest-django create the test database even when this module runs alone.
pytestmark = pytest.mark.django_db

FIGURE_CODES = CONTRACT_FIGURE_CODES


@pytest.fixture(scope="module")
def definition(django_db_setup, django_db_blocker):
    """The 2020 form exactly as `load-campaign 2020` stores it, read back once; the load is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        loaded = form_definition(campaign_load(year=2020))
        transaction.set_rollback(True)
    return loaded


@pytest.fixture
def clean(definition):
    """VALID_FIGURES as stored values: every rule passes."""
    values, problems = parse_values(definition, VALID_FIGURES)
    assert problems == []
    return values


def said(message: str) -> tuple[str, str]:
    """(cell as on paper, instruction): the message is "cell: instruction" (a full-width "：" reads as well)."""
    cuts = [(message.find(sep), sep) for sep in ("：", ": ") if sep in message]
    assert cuts, f"message {message!r} does not name its cell"
    at, sep = min(cuts)
    return message[:at], message[at + len(sep) :]


def rule_text(definition, code: str) -> str:
    return next(r.message for r in definition.rules if r.code == code)


def _check(definition, values, **kwargs):
    return check_values(definition, values, **kwargs)


def _by_rule(findings):
    return {f.rule: f for f in findings}


def test_the_valid_figures_pass_every_rule(definition, clean):
    assert clean["live_viewers"] == 12_000
    assert clean["people_reached"] == 50_000
    assert _check(definition, clean, require_complete=True) == []


def test_the_form_has_the_six_rules_of_the_data_file(definition):
    assert [r.code for r in definition.rules] == [
        "meeting_both_or_neither",
        "meeting_attendance_ge_sessions",
        "live_both_or_neither",
        "material_copies_need_methods",
        "reach_covers_attendance",
        "year_on_year_factor",
    ]
    assert [f.code for f in definition.figures] == FIGURE_CODES


# --- 会议: both or neither, attendance ≥ sessions ----------------------------------------------------------


def test_meeting_attendance_without_sessions_is_an_error_at_the_attendance_cell(definition, clean):
    findings = _check(definition, dict(clean, meeting_sessions=0))
    assert [f.rule for f in findings] == ["meeting_both_or_neither"]
    (finding,) = findings
    assert finding.is_error
    assert finding.figure == "meeting_attendance"
    assert said(finding.message) == ("户外活动 › 会议（场次、人次）", "场次为 0 时人次也应为 0；有人次时请填写场次")


def test_meeting_sessions_without_attendance_is_an_error(definition, clean):
    rules = _by_rule(_check(definition, dict(clean, meeting_attendance=0)))
    assert rules["meeting_both_or_neither"].is_error
    # and 0 people at 12 meetings is also fewer attendees than meetings
    assert rules["meeting_attendance_ge_sessions"].is_error


def test_no_meetings_at_all_is_fine(definition, clean):
    assert _check(definition, dict(clean, meeting_sessions=0, meeting_attendance=0)) == []


def test_fewer_attendees_than_meetings_is_an_error(definition, clean):
    findings = _check(definition, dict(clean, meeting_sessions=12, meeting_attendance=11, people_reached=50_000))
    assert [f.rule for f in findings] == ["meeting_attendance_ge_sessions"]
    assert findings[0].is_error
    assert findings[0].figure == "meeting_attendance"
    assert said(findings[0].message) == ("户外活动 › 会议（场次、人次）", "人次不能少于场次（每场会议至少一人参加）")


def test_one_attendee_per_meeting_is_enough(definition, clean):
    assert _check(definition, dict(clean, meeting_sessions=12, meeting_attendance=12)) == []


# --- 直播: both or neither -------------------------------------------------------------------------------


def test_livestream_viewers_without_sessions_is_an_error_named_as_on_paper(definition, clean):
    findings = _check(definition, dict(clean, live_sessions=0))
    assert [f.rule for f in findings] == ["live_both_or_neither"]
    assert findings[0].is_error
    assert findings[0].figure == "live_viewers"
    place, text = said(findings[0].message)
    assert place == "新媒介 › 直播（场次，观看人次）"
    assert text == rule_text(definition, "live_both_or_neither")
    assert "观看人次" in text and "场次为 0" in text


def test_livestream_sessions_without_viewers_is_an_error(definition, clean):
    findings = _check(definition, dict(clean, live_viewers=0))
    assert [f.rule for f in findings] == ["live_both_or_neither"]


def test_an_empty_livestream_cell_counts_as_zero_for_both_or_neither(definition, clean):
    findings = _check(definition, dict(clean, live_sessions=None))
    assert [f.rule for f in findings] == ["live_both_or_neither"]
    assert _check(definition, dict(clean, live_sessions=None, live_viewers=None)) == []


# --- 宣传资料展示: copies need methods ---------------------------------------------------------------------


@pytest.mark.parametrize("methods", ["", "   ", None])
def test_copies_without_a_display_method_is_an_error_at_the_methods_cell(definition, clean, methods):
    findings = _check(definition, dict(clean, material_methods=methods))
    assert [f.rule for f in findings] == ["material_copies_need_methods"]
    assert findings[0].is_error
    assert findings[0].figure == "material_methods"
    assert said(findings[0].message) == (
        "户外活动 › 宣传资料展示（方式，份数）",
        "填写了份数时请注明展示方式（如展板、手册）",
    )


def test_methods_without_copies_is_allowed(definition, clean):
    assert _check(definition, dict(clean, material_copies=0)) == []


def test_no_copies_and_no_methods_is_fine(definition, clean):
    assert _check(definition, dict(clean, material_copies=0, material_methods="")) == []


# --- 宣传覆盖总人数 ≥ 会议人次 + 直播观看人次 (warning) ----------------------------------------------------------


def test_people_reached_below_attendance_plus_viewers_is_a_warning(definition, clean):
    # 3,400 + 12,000 = 15,400 > 15,399
    findings = _check(definition, dict(clean, people_reached=15_399))
    assert [f.rule for f in findings] == ["reach_covers_attendance"]
    (finding,) = findings
    assert not finding.is_error
    assert finding.severity == "warning"
    assert finding.figure == "people_reached"
    place, text = said(finding.message)
    assert place == "宣传效果 › 宣传覆盖总人数（人次）"
    assert text.startswith("宣传覆盖总人数小于会议人次与直播观看人次之和")


def test_people_reached_equal_to_attendance_plus_viewers_is_fine(definition, clean):
    assert _check(definition, dict(clean, people_reached=15_400)) == []


# --- year on year, factor 10 (warning) -----------------------------------------------------------------


def test_more_than_ten_times_last_year_is_a_warning_naming_the_cell_and_both_years(definition, clean):
    previous = dict(clean, tv_news=3)
    findings = _check(definition, dict(clean, tv_news=31), previous=previous)
    assert [f.rule for f in findings] == ["year_on_year_factor:tv_news"]
    (finding,) = findings
    assert finding.severity == "warning"
    assert finding.figure == "tv_news"
    assert said(finding.message) == (
        "传统媒介 › 电视新闻（条）",
        "本年 31，上年 3。与上年相比变化超过 10 倍，请核对或说明原因",
    )


def test_under_a_tenth_of_last_year_is_a_warning(definition, clean):
    previous = dict(clean, consultations=86_001)
    findings = _check(definition, clean, previous=previous)
    assert [f.rule for f in findings] == ["year_on_year_factor:consultations"]
    assert "本年 860，上年 86,001" in findings[0].message


def test_a_two_figure_cell_names_which_figure_changed(definition, clean):
    previous = dict(clean, meeting_attendance=100)
    findings = _check(definition, clean, previous=previous)
    assert [said(f.message)[0] for f in findings] == ["户外活动 › 会议（场次、人次） 人次"]


def test_exactly_ten_times_either_way_is_not_a_warning(definition, clean):
    previous = dict(clean, tv_news=3, consultations=8_600)
    assert _check(definition, dict(clean, tv_news=30), previous=previous) == []


def test_no_year_on_year_warning_when_last_year_was_zero(definition, clean):
    previous = dict(clean, tv_news=0)
    assert _check(definition, dict(clean, tv_news=500), previous=previous) == []


@pytest.mark.parametrize("previous", [None, {}])
def test_no_year_on_year_warning_without_last_years_report(definition, clean, previous):
    assert _check(definition, dict(clean, tv_news=10_000), previous=previous) == []


def test_no_year_on_year_warning_for_a_figure_missing_last_year(definition, clean):
    previous = {k: v for k, v in clean.items() if k != "tv_news"}
    assert _check(definition, dict(clean, tv_news=10_000), previous=previous) == []


def test_each_figure_out_of_range_gets_its_own_warning(definition, clean):
    previous = dict(clean, radio_broadcasts=21, videos=100, print_news=1)  # now 2, 6 and 8
    rules = {f.rule for f in _check(definition, clean, previous=previous)}
    assert rules == {"year_on_year_factor:radio_broadcasts", "year_on_year_factor:videos"}


maybe_number = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


@given(
    values=st.fixed_dictionaries(
        {c: maybe_number for c in FIGURE_CODES if c != "material_methods"}
        | {"material_methods": st.sampled_from(["", "展板", "展板、手册"])}
    ),
    previous=st.one_of(st.none(), st.dictionaries(st.sampled_from(FIGURE_CODES), maybe_number)),
)
def test_any_values_give_findings_that_name_a_real_cell(definition, values, previous):
    findings = check_values(definition, values, previous=previous, require_complete=True)
    for finding in findings:
        figure = definition.by_code[finding.figure]
        assert said(finding.message)[0] in (figure.path, figure.cell_name)
        assert finding.severity in ("error", "warning")
    # the required errors are exactly the empty number cells
    assert {f.figure for f in findings if f.rule == "required"} == {k for k, v in values.items() if v is None}


# --- completeness on submission ---------------------------------------------------------------------------


def test_require_complete_makes_every_empty_number_an_error(definition):
    findings = _check(definition, {}, require_complete=True)
    required = [f for f in findings if f.rule == "required"]
    assert [f.figure for f in required] == [c for c in FIGURE_CODES if c != "material_methods"]
    assert all(f.is_error for f in required)
    said_ = [said(f.message) for f in required]
    assert ("户外活动 › 会议（场次、人次） 场次", "请填写（没有请填 0）") in said_
    assert ("传统媒介 › 纸媒新闻（篇）", "请填写（没有请填 0）") in said_


def test_a_draft_may_leave_cells_empty(definition):
    assert _check(definition, {}) == []


def test_zero_is_a_filled_cell(definition, clean):
    values = dict(clean, print_news=0, tv_news=0, radio_broadcasts=0)
    assert _check(definition, values, require_complete=True) == []


def test_require_complete_names_only_the_empty_cell(definition, clean):
    findings = _check(definition, dict(clean, radio_broadcasts=None), require_complete=True)
    assert [(f.rule, *said(f.message)) for f in findings] == [
        ("required", "传统媒介 › 电台广播（次）", "请填写（没有请填 0）")
    ]


# --- parsing typed text -------------------------------------------------------------------------------------


def test_parse_values_understands_chinese_input(definition):
    values, findings = parse_values(
        definition,
        {"live_viewers": "1.2万", "people_reached": "3亿", "web_news": "１２", "consultations": "12,345人次"},
    )
    assert findings == []
    assert values == {"web_news": 12, "live_viewers": 12_000, "people_reached": 300_000_000, "consultations": 12_345}


def test_parse_values_errors_name_the_cell(definition):
    values, findings = parse_values(
        definition, {"tv_news": "三条", "meeting_attendance": "-5", "live_sessions": "2.5", "videos": "6"}
    )
    assert values == {"videos": 6}
    messages = {f.figure: said(f.message) for f in findings}
    assert all(f.rule == "parse" and f.is_error for f in findings)
    assert messages["tv_news"][0] == "传统媒介 › 电视新闻（条）"
    assert messages["tv_news"][1].startswith("“三条”不是有效的数字")
    assert messages["meeting_attendance"] == ("户外活动 › 会议（场次、人次） 人次", "不能为负数")
    assert messages["live_sessions"][0] == "新媒介 › 直播（场次，观看人次） 场次"
    assert "不是整数" in messages["live_sessions"][1]


def test_parse_values_keeps_text_trimmed_and_refuses_overlong_text(definition):
    values, findings = parse_values(definition, {"material_methods": "  展板、手册  "})
    assert (values, findings) == ({"material_methods": "展板、手册"}, [])
    values, findings = parse_values(definition, {"material_methods": "展板" * 251})
    assert values == {}
    assert said(findings[0].message) == ("户外活动 › 宣传资料展示（方式，份数） 方式", "不能超过 500 字")


def test_parse_values_ignores_codes_the_form_does_not_have(definition):
    values, findings = parse_values(definition, {"no_such_figure": "abc", "videos": ""})
    assert (values, findings) == ({"videos": None}, [])


# --- the printed layout ----------------------------------------------------------------------------------------


def test_table_lines_follow_the_printed_attachment(definition):
    lines = definition.table_lines()
    assert definition.depth == 3
    assert [line.leaf.label for line in lines] == [
        "会议（场次、人次）",
        "宣传资料展示（方式，份数）",
        "纸媒新闻（篇）",
        "电视新闻（条）",
        "电台广播（次）",
        "网站新闻（条）",
        "视频（条）",
        "直播（场次，观看人次）",
        "宣传覆盖总人数（人次）",
        "接受咨询服务总量（人次）",
    ]
    as_tuples = [[(c.label, c.rowspan, c.colspan) for c in line.labels] for line in lines]
    assert as_tuples[0] == [("宣传形式", 8, 1), ("户外活动", 2, 1), ("会议（场次、人次）", 1, 1)]
    assert as_tuples[1] == [("宣传资料展示（方式，份数）", 1, 1)]
    assert as_tuples[2] == [("传统媒介", 3, 1), ("纸媒新闻（篇）", 1, 1)]
    assert as_tuples[5] == [("新媒介", 3, 1), ("网站新闻（条）", 1, 1)]
    assert as_tuples[8] == [("宣传效果", 2, 1), ("宣传覆盖总人数（人次）", 1, 2)]
    assert as_tuples[9] == [("接受咨询服务总量（人次）", 1, 2)]
    # every printed line is exactly as wide as the label columns
    covered = [0] * len(lines)
    for i, line in enumerate(lines):
        for cell in line.labels:
            for j in range(i, i + cell.rowspan):
                covered[j] += cell.colspan
    assert covered == [definition.depth] * len(lines)


def test_two_figure_cells_keep_both_figures_in_printed_order(definition):
    lines = definition.table_lines()
    assert [f.code for f in lines[0].leaf.figures] == ["meeting_sessions", "meeting_attendance"]
    assert [f.label for f in lines[7].leaf.figures] == ["场次", "观看人次"]
    assert [f.unit for f in lines[7].leaf.figures] == ["场", "人次"]
    assert definition.by_code["material_methods"].is_number is False
    assert len(definition.number_figures) == 12
