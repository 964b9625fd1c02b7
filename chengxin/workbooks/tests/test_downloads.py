"""The Excel and CSV downloads and `chengxin export-stats`: the same consolidated table everywhere, and every
unit's exported table imports back with the same figures."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from chengxin.conftest import VALID_FIGURES
from chengxin.reporting import services
from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_values
from chengxin.units.models import Unit
from chengxin.workbooks.services import stats_import_file

pytestmark = pytest.mark.django_db


def _fill(code: str, user, figures: dict, docx_upload=None, submit=False) -> Report:
    report = services.report_get_or_start(campaign=user_campaign(), unit=Unit.objects.get(code=code))
    report = services.report_save_draft(report=report, raw_values=figures, version=None, acting_user=user).report
    if submit:
        services.report_upload_summary(report=report, uploaded_file=docx_upload, acting_user=user)
        report = services.report_submit(report=report, version=None, acting_user=user)
    return report


def user_campaign():
    from chengxin.campaigns.models import Campaign

    return Campaign.objects.get(year=2020)


def test_every_units_export_imports_back_identically(client, alice, bob, dave, docx_upload):
    _fill("440000", alice, VALID_FIGURES)
    _fill("110000", bob, dict(VALID_FIGURES, tv_news="7", material_methods="横幅", live_viewers="0", live_sessions="0"))
    client.force_login(dave)
    for code in ("440000", "110000"):
        before = report_values(Report.objects.get(unit__code=code))
        response = client.get(reverse("workbooks:unit_xlsx", kwargs={"year": 2020, "unit_code": code}))
        assert response.status_code == 200
        result = stats_import_file(
            campaign=user_campaign(), data=response.content, file_name=f"{code}.xlsx", acting_user=dave
        )
        assert result.ok, [str(p) for p in result.problems]
        assert report_values(Report.objects.get(unit__code=code)) == before


def test_export_stats_writes_the_file_the_ministry_downloads(client, carol, alice, tmp_path, docx_upload, capsys):
    _fill("440000", alice, VALID_FIGURES, docx_upload, submit=True)
    out = tmp_path / "national.xlsx"
    call_command("export-stats", "--campaign", "2020", "--out", str(out))
    assert "37 个单位（1 个有数据）" in capsys.readouterr().out
    client.force_login(carol)
    web = client.get(reverse("workbooks:national_xlsx", kwargs={"year": 2020}))
    assert web.status_code == 200

    def cells(data: bytes) -> list:
        ws = load_workbook(io.BytesIO(data), read_only=True).active
        return [row for row in ws.iter_rows(values_only=True)]

    web_rows, command_rows = cells(web.content), cells(out.read_bytes())
    assert web_rows[1:] == command_rows[1:]  # the same table; the title says who exported it
    title = web_rows[0][0]
    assert title.startswith("2020年“诚信兴商宣传月”活动统计表（全国汇总）　统计范围：已报送和已审核 · 截至 ")
    assert title.endswith("导出：carol（carol）")
    assert command_rows[0][0].endswith("导出：命令行 export-stats")
    flat = [v for row in cells(out.read_bytes()) for v in row]
    assert "广东省" in flat and 12000 in flat  # the unit's column and its 1.2万 live viewers


def test_csv_is_excel_friendly_long_format(client, carol, alice, docx_upload):
    _fill("440000", alice, dict(VALID_FIGURES, material_methods="=HYPERLINK(1)、展板"), docx_upload, submit=True)
    client.force_login(carol)
    response = client.get(reverse("workbooks:national_csv", kwargs={"year": 2020}))
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    titles, names = text.split("\r\n")[:2]
    assert titles == "年度,单位代码,单位名称,指标代码,指标名称,指标值,报送状态"  # Chinese column titles first
    assert names == "campaign,unit_code,unit_name,figure_code,figure_label,value,status"  # then the machine names
    assert "440000" in text and "meeting_attendance" in text
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")  # neutralised: never a formula in Excel
