"""Excel on the web: the unit's template, and import with a preview before anything is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_values
from chengxin.workbooks.tests.builders import EXPECTED, FILLED, attachment, to_bytes

pytestmark = pytest.mark.django_db

IMPORT = reverse("workbooks:import", kwargs={"year": 2020})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_the_template_download_is_the_units_own(client, bob):
    import io

    from openpyxl import load_workbook

    client.force_login(bob)
    response = client.get(reverse("workbooks:template", kwargs={"year": 2020, "unit_code": "110000"}))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("北京市" in t and "110000" in t for t in texts)


def test_preview_then_confirm_saves_the_draft(client, alice):
    client.force_login(alice)
    preview = client.post(IMPORT, {"action": "preview", "files": [_upload("广东.xlsx", to_bytes(attachment()))]})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "可以导入" in page and "尚未保存任何数据" in page
    assert Report.objects.count() == 0  # nothing saved by the preview
    token = preview.context["token"]
    done = client.post(IMPORT, {"action": "confirm", "token": token}, follow=True)
    assert "已导入草稿（广东省）" in done.content.decode()
    assert report_values(Report.objects.get(unit__code="440000")) == EXPECTED
    again = client.post(IMPORT, {"action": "confirm", "token": token}, follow=True)  # a token works once
    assert "预览已过期" in again.content.decode()


def test_a_file_with_one_error_names_the_cell_and_is_not_offered(client, alice):
    client.force_login(alice)
    bad = to_bytes(attachment(dict(FILLED, **{"电视新闻（条）": "三条"})))
    response = client.post(IMPORT, {"action": "preview", "files": [_upload("广东.xlsx", bad)]})
    page = response.content.decode()
    assert response.status_code == 422
    assert "广东.xlsx!Sheet1!D7" in page
    assert "确认导入" not in page


def test_a_reviewer_cannot_import(client, carol):
    client.force_login(carol)
    assert client.get(IMPORT).status_code == 404


def test_no_file_is_a_clear_refusal(client, alice):
    client.force_login(alice)
    response = client.post(IMPORT, {"action": "preview"})
    assert response.status_code == 422
    assert "请选择要导入的 Excel 文件" in response.content.decode()
