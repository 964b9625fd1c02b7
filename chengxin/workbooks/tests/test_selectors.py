"""What the exports read (workbooks/selectors.py): the national table's columns and figures, and every figure
in long format, for the reports of a scope; in a bounded number of queries.

The reports are analytics' shared set-up (build_reports), made through the reporting services: 广东省 and
新疆生产建设兵团 submitted, 大连市 accepted, 深圳市 returned, 北京市 a draft, 宁波市 a summary only, 上海市
opened but empty, 海关总署 (a co-organiser: summary only) submitted.
"""

import pytest
from django.utils import translation

from chengxin.analytics.tests.test_selectors import BEIJING_DRAFT, CORPS, DALIAN, SHENZHEN
from chengxin.campaigns.models import Participant
from chengxin.conftest import VALID_FIGURES
from chengxin.core.numbers import parse_whole_number
from chengxin.units.models import Unit, UnitKind
from chengxin.units.tests.factories import UnitFactory
from chengxin.workbooks.export import GROUPS, UnitColumn
from chengxin.workbooks.selectors import csv_rows, export_columns, export_data

pytestmark = pytest.mark.django_db

PROVINCES, PLANNED_CITIES, CORPS_GROUP, BODIES, LOCAL = GROUPS
PLANNED_CITY_CODES = ["210200", "370200", "330200", "350200", "440300"]


@pytest.fixture
def campaign(world):
    return world["campaign"]


def as_stored(raw: dict[str, str]) -> dict[str, int | str]:
    """Typed figures as the services store them: "1.2万" → 12000, the methods text as typed."""
    return {code: text if code == "material_methods" else parse_whole_number(text) for code, text in raw.items()}


# --- the national table's columns ---------------------------------------------------------------------------


def test_columns_are_the_units_that_fill_the_table_provinces_then_planned_cities_then_the_corps(campaign):
    columns = export_columns(campaign)
    assert len(columns) == 37
    assert [c.group for c in columns] == [PROVINCES] * 31 + [PLANNED_CITIES] * 5 + [CORPS_GROUP]
    assert columns[0] == UnitColumn("110000", "北京市", PROVINCES)
    assert [c.code for c in columns[31:36]] == PLANNED_CITY_CODES
    assert columns[-1] == UnitColumn("660000", "新疆生产建设兵团", CORPS_GROUP)
    assert "GACC" not in {c.code for c in columns}  # a co-organiser sends a summary only


def test_a_national_body_that_fills_the_table_and_cities_get_their_own_groups_after_the_corps(campaign):
    Participant.objects.filter(campaign=campaign, unit__code="GACC").update(fills_statistics=True)
    guangzhou = UnitFactory(code="440100", name="广州市", kind=UnitKind.CITY, parent=Unit.objects.get(code="440000"))
    Participant.objects.create(campaign=campaign, unit=guangzhou, fills_statistics=True)
    columns = export_columns(campaign)
    assert [c.group for c in columns[-3:]] == [CORPS_GROUP, BODIES, LOCAL]
    assert [c.code for c in columns[-2:]] == ["GACC", "440100"]


# --- the figures of a scope --------------------------------------------------------------------------------


def test_submitted_scope_has_the_figures_of_submitted_and_accepted_reports(campaign):
    columns, values = export_data(campaign, "submitted")
    assert list(values) == [c.code for c in columns]
    assert values["440000"] == as_stored(VALID_FIGURES)
    assert values["210200"] == as_stored(DALIAN)  # accepted
    assert values["660000"] == as_stored(CORPS)
    assert values["440300"] == {}  # returned
    assert values["110000"] == {}  # a draft
    assert values["120000"] == {}  # never opened: still a column
    assert sum(1 for v in values.values() if v) == 3


def test_accepted_scope_has_only_accepted_reports(campaign):
    _columns, values = export_data(campaign, "accepted")
    assert {code for code, v in values.items() if v} == {"210200"}


def test_all_scope_adds_drafts_and_returned_reports(campaign):
    _columns, values = export_data(campaign, "all")
    assert values["110000"] == as_stored(BEIJING_DRAFT)
    assert values["440300"] == as_stored(SHENZHEN)
    assert {code for code, v in values.items() if v} == {"440000", "210200", "660000", "440300", "110000"}


def test_an_unknown_scope_is_refused(campaign):
    with pytest.raises(ValueError, match="submitted"):
        export_data(campaign, "everything")


def test_export_data_reads_in_two_queries(campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        export_data(campaign, "all")


# --- long format ------------------------------------------------------------------------------------------------


def _rows(campaign, scope="submitted") -> dict[tuple[str, str], dict]:
    return {(row["unit_code"], row["figure_code"]): row for row in csv_rows(campaign, scope)}


def test_long_format_has_every_figure_of_every_unit_with_its_status_in_chinese(campaign):
    rows = _rows(campaign)
    assert len(rows) == 37 * 13
    assert rows[("440000", "meeting_attendance")] == {
        "campaign": 2020,
        "unit_code": "440000",
        "unit_name": "广东省",
        "figure_code": "meeting_attendance",
        "figure_label": "户外活动 › 会议（场次、人次） 人次",
        "value": 3400,
        "status": "已报送",
    }
    assert rows[("440000", "material_methods")]["value"] == "展板、手册"
    assert (rows[("210200", "live_viewers")]["value"], rows[("210200", "live_viewers")]["status"]) == (3000, "已审核")
    assert (rows[("440300", "tv_news")]["value"], rows[("440300", "tv_news")]["status"]) == ("", "已退回")
    assert (rows[("110000", "tv_news")]["value"], rows[("110000", "tv_news")]["status"]) == ("", "草稿")
    assert (rows[("310000", "tv_news")]["value"], rows[("310000", "tv_news")]["status"]) == ("", "未填报")
    assert rows[("120000", "tv_news")]["status"] == "未填报"  # no report at all


def test_long_format_follows_the_columns_and_the_form_order(campaign):
    rows = list(csv_rows(campaign, "all"))
    assert [r["figure_code"] for r in rows[:13]] == list(VALID_FIGURES)
    assert rows[0]["unit_code"] == "110000" and rows[-1]["unit_code"] == "660000"
    assert rows[0]["value"] == 2  # 北京市's draft counts under "all"


def test_long_format_status_is_chinese_whatever_the_interface_language(campaign):
    with translation.override("en"):
        rows = _rows(campaign)
    assert rows[("440000", "tv_news")]["status"] == "已报送"


def test_long_format_reads_in_seven_queries(campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # the form (4), the columns, the figures, the statuses
        rows = list(csv_rows(campaign, "submitted"))
    assert len(rows) == 37 * 13
