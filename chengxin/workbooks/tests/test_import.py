"""Importing filled workbooks into units' drafts: through reporting's services, all or nothing per file."""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from chengxin.reporting.models import Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values
from chengxin.units.models import Unit
from chengxin.workbooks.services import stats_import_file, system_user
from chengxin.workbooks.tests.builders import EXPECTED, FILLED, attachment, attachment_sheet, to_bytes

pytestmark = pytest.mark.django_db


def _values(code: str) -> dict:
    report = Report.objects.filter(unit__code=code).first()
    return report_values(report) if report else {}


def test_an_attachment_workbook_lands_in_the_units_draft_with_history(campaign, dave):
    result = stats_import_file(campaign=campaign, data=to_bytes(attachment()), file_name="广东.xlsx", acting_user=dave)
    assert result.ok and result.saved
    assert _values("440000") == EXPECTED
    report = Report.objects.get(unit__code="440000")
    assert report.status == Status.DRAFT
    event = ReportEvent.objects.get(report=report)
    assert event.actor == dave and len(event.changes) == 13


def test_a_reporter_imports_its_own_unit_but_not_another(campaign, alice):
    ok = stats_import_file(campaign=campaign, data=to_bytes(attachment()), file_name="gd.xlsx", acting_user=alice)
    assert ok.saved
    other = to_bytes(attachment(unit="北京市商务局"))
    refused = stats_import_file(campaign=campaign, data=other, file_name="bj.xlsx", acting_user=alice)
    assert not refused.saved
    assert [str(p) for p in refused.problems] == ["bj.xlsx!Sheet1: 您不能为北京市导入数据"]
    assert _values("110000") == {}


def test_one_bad_sheet_saves_nothing_of_the_file(campaign, dave):
    wb = Workbook()
    attachment_sheet(wb.active, unit="广东省商务厅")
    wb.active.title = "广东"
    bad = dict(FILLED, **{"电视新闻（条）": "三条"})
    attachment_sheet(wb.create_sheet("大连"), bad, unit="大连市商务局")
    result = stats_import_file(campaign=campaign, data=to_bytes(wb), file_name="两个单位.xlsx", acting_user=dave)
    assert not result.saved
    assert any(str(p).startswith("两个单位.xlsx!大连!D7: ") for p in result.problems), result.problems
    assert _values("440000") == {} and _values("210200") == {}


def test_a_rule_error_names_the_cell_and_saves_nothing(campaign, dave):
    data = to_bytes(attachment(dict(FILLED, **{"会议（场次、人次）": "0场，3400人次"})))
    result = stats_import_file(campaign=campaign, data=data, file_name="gd.xlsx", acting_user=dave)
    assert not result.saved
    assert [str(p) for p in result.problems] == [
        "gd.xlsx!Sheet1!D4: 户外活动 › 会议（场次、人次）：场次为 0 时人次也应为 0；有人次时请填写场次"
    ]
    assert Report.objects.filter(unit__code="440000").count() == 0


def test_empty_cells_stay_empty_unless_confirmed_as_zero(campaign, dave):
    values = {k: v for k, v in FILLED.items() if k != "视频（条）"}
    data = to_bytes(attachment(values))
    stats_import_file(campaign=campaign, data=data, file_name="gd.xlsx", acting_user=dave)
    assert _values("440000").get("videos") is None
    stats_import_file(campaign=campaign, data=data, file_name="gd.xlsx", acting_user=dave, empty_is_zero=True)
    assert _values("440000")["videos"] == 0


def test_cells_saying_none_are_imported_as_zero(campaign, dave):
    """The probe's workbook: 直播 holding a bare 0 (refused as ambiguous before), 会议 saying 无, 宣传资料展示 a
    full-width slash, 视频 a dash. Saved as 0 (no method named), and the rules pass (0 场 with 0 人次)."""
    values = dict(
        FILLED,
        **{
            "直播（场次，观看人次）": 0,
            "会议（场次、人次）": "无",
            "宣传资料展示（方式，份数）": "／",
            "视频（条）": "——",
        },
    )
    result = stats_import_file(
        campaign=campaign, data=to_bytes(attachment(values)), file_name="gd.xlsx", acting_user=dave
    )
    assert result.ok and result.saved, result.problems
    zero = ["live_sessions", "live_viewers", "meeting_sessions", "meeting_attendance", "material_copies", "videos"]
    saved = _values("440000")
    assert {code: saved[code] for code in zero} == dict.fromkeys(zero, 0)
    assert saved.get("material_methods", "") == ""  # no method named
    assert result.sheets[0].sheet.empty == []  # nothing left for the person to confirm
    assert saved["print_news"] == EXPECTED["print_news"]


def test_dry_run_checks_everything_and_keeps_nothing(campaign, dave):
    result = stats_import_file(
        campaign=campaign, data=to_bytes(attachment()), file_name="gd.xlsx", acting_user=dave, dry_run=True
    )
    assert result.ok and not result.saved
    assert result.sheets[0].new == EXPECTED and result.sheets[0].changed == set(EXPECTED)
    assert Report.objects.count() == 0


def test_a_submitted_report_is_not_overwritten_by_an_import(campaign, alice, dave, docx_upload):
    from chengxin.reporting import services

    stats_import_file(campaign=campaign, data=to_bytes(attachment()), file_name="gd.xlsx", acting_user=alice)
    report = Report.objects.get(unit__code="440000")
    services.report_upload_summary(report=report, uploaded_file=docx_upload, acting_user=alice)
    services.report_submit(report=report, version=None, acting_user=alice)
    changed = to_bytes(attachment(dict(FILLED, **{"电视新闻（条）": "9"})))
    result = stats_import_file(campaign=campaign, data=changed, file_name="gd.xlsx", acting_user=dave)
    assert not result.saved
    assert "等待审核" in str(result.problems[0])
    assert _values("440000")["tv_news"] == 3


def test_a_summary_only_body_cannot_receive_figures(campaign, dave):
    data = to_bytes(attachment(unit="海关总署"))
    result = stats_import_file(campaign=campaign, data=data, file_name="customs.xlsx", acting_user=dave)
    assert [str(p) for p in result.problems] == ["customs.xlsx!Sheet1: 海关总署不填报2020年统计表"]


def test_the_unit_can_be_chosen_when_the_workbook_does_not_name_it(campaign, dave):
    data = to_bytes(attachment(unit=None))
    unnamed = stats_import_file(campaign=campaign, data=data, file_name="x.xlsx", acting_user=dave)
    assert not unnamed.saved and unnamed.problems[0].kind == "unknown_unit"
    chosen = stats_import_file(
        campaign=campaign, data=data, file_name="x.xlsx", acting_user=dave, unit_choice=Unit.objects.get(code="440000")
    )
    assert chosen.saved and _values("440000") == EXPECTED


def test_command_imports_and_exits_0(campaign, tmp_path, capsys):
    path = tmp_path / "广东.xlsx"
    path.write_bytes(to_bytes(attachment()))
    call_command("import-stats", "--campaign", "2020", str(path))
    assert "已导入草稿 1 个单位：广东省" in capsys.readouterr().out
    assert _values("440000") == EXPECTED
    assert ReportEvent.objects.get().actor == system_user()


def test_command_exits_1_with_file_sheet_cell_lines_and_saves_nothing(campaign, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(to_bytes(attachment(unit="北京市商务局")))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(to_bytes(attachment(dict(FILLED, **{"纸媒新闻（篇）": "八篇"}))))
    not_a_workbook = tmp_path / "notes.xlsx"
    not_a_workbook.write_bytes(b"just text")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import-stats", "--campaign", "2020", str(good), str(bad), str(not_a_workbook))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "bad.xlsx!Sheet1!D6: " in err
    assert "notes.xlsx" in err
    assert _values("110000") == EXPECTED  # files are independent: the good one was imported
    assert _values("440000") == {}


def test_empty_bytes_are_refused_cleanly(campaign, dave):
    result = stats_import_file(campaign=campaign, data=io.BytesIO(b"").getvalue(), file_name="e.xlsx", acting_user=dave)
    assert not result.saved and result.problems and result.problems[0].place.startswith("e.xlsx")
