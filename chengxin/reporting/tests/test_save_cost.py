"""A save's cost does not grow with the figures: stored values are read once and written in bulk, the form's
definition comes from memory, the save returns the stored figures and their findings (what the API answers), and
one audit row per save (the history event) carries every figure's old → new."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chengxin.audit.models import AuditEvent
from chengxin.conftest import VALID_FIGURES
from chengxin.reporting import services
from chengxin.reporting.models import FigureValue, Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values

pytestmark = pytest.mark.django_db


def _save(report, user, figures, version=None):
    return services.report_save_draft(report=report, raw_values=figures, version=version, acting_user=user)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_changing_thirteen_figures_costs_the_queries_of_changing_one(guangdong_report, alice):
    report = _save(guangdong_report, alice, VALID_FIGURES).report
    one = dict(VALID_FIGURES, tv_news="4")
    every = {code: ("展板" if code == "material_methods" else "0") for code in VALID_FIGURES}
    cost_one = _queries(lambda: _save(report, alice, one))
    cost_every = _queries(lambda: _save(report, alice, every))
    assert cost_every == cost_one
    assert report_values(report) == {code: ("展板" if code == "material_methods" else 0) for code in VALID_FIGURES}


def test_new_changed_and_cleared_figures_are_all_stored(guangdong_report, alice):
    report = _save(guangdong_report, alice, {"tv_news": "3", "videos": "6", "material_methods": "展板"}).report
    saved = _save(report, alice, {"tv_news": "4", "videos": "", "material_methods": "", "web_news": "1.2万"})
    assert report_values(report) == {"tv_news": 4, "videos": None, "material_methods": "", "web_news": 12000}
    assert FigureValue.objects.filter(report=report).count() == 4  # a cleared cell is kept, empty
    # What the save returns is what is stored, with the findings of a fresh check.
    assert saved.values == report_values(report)
    assert saved.findings == services.report_check(report)


def test_one_audit_row_per_save_carries_every_figure(guangdong_report, alice):
    report = _save(guangdong_report, alice, VALID_FIGURES).report
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    _save(report, alice, dict(VALID_FIGURES, tv_news="4", videos="7"))
    [row] = AuditEvent.objects.filter(seq__gt=start)
    assert row.object_type == "reporting.reportevent"
    changes = {c["code"]: (c["old"], c["new"]) for c in row.changes_dict["changes"][1]}
    assert changes == {"tv_news": ("3", "4"), "videos": ("6", "7")}


def test_a_save_from_a_page_read_before_the_report_existed_goes_to_the_report(campaign, guangdong_report, alice):
    """The page saw no report yet (an unsaved one), but another window started it meanwhile: the save lands in
    that report, never in a second one."""
    _save(guangdong_report, alice, {"tv_news": "3"})
    stale_page = Report(campaign=campaign, unit=guangdong_report.unit)
    saved = _save(stale_page, alice, {"videos": "6"}).report
    assert saved.pk == guangdong_report.pk
    assert Report.objects.filter(campaign=campaign, unit=guangdong_report.unit).count() == 1
    assert report_values(saved) == {"tv_news": 3, "videos": 6}
    assert ReportEvent.objects.filter(report=saved).count() == 2


def test_the_first_save_starts_the_report(campaign, alice):
    unit = alice.unit
    saved = _save(Report(campaign=campaign, unit=unit), alice, {"tv_news": "3"}).report
    stored = Report.objects.get(campaign=campaign, unit=unit)
    assert (stored.pk, stored.status, stored.version) == (saved.pk, Status.DRAFT, saved.version)
    assert saved.version == 1
