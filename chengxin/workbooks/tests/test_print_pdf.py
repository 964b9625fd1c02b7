"""The national table as a PDF (workbooks/printpdf.py), offered beside the workbook: the ministry downloads it,
its text reads back (the font is extractable), a unit's reporter cannot, and when the PDF cannot be made the
totals page says so instead of an error."""

import io
import re
import sys
from collections import Counter

import pytest
from django.urls import reverse
from pypdf import PdfReader

from chengxin.conftest import VALID_FIGURES, figures_times, submitted_report
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory
from chengxin.workbooks import printlayout as paper
from chengxin.workbooks.export import GROUPS, UnitColumn, print_layout
from chengxin.workbooks.printpdf import FONT, national_pdf

pytestmark = pytest.mark.django_db


def _pdf_url(scope: str | None = None) -> str:
    url = reverse("workbooks:national_pdf", kwargs={"year": 2020})
    return f"{url}?scope={scope}" if scope else url


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def reports(campaign, alice, carol):
    """广东省 submitted (alice), 北京市 submitted by its reporter: the default scope holds both."""
    submitted_report(campaign, alice.unit, alice, dict(VALID_FIGURES, material_methods="展板、手册、横幅"))
    beijing = Unit.objects.get(code="110000")
    bob = UserFactory(username="bob-pdf", unit=beijing, role=Role.UNIT_REPORTER)
    submitted_report(campaign, beijing, bob, figures_times(2))


def test_the_ministry_gets_the_national_table_as_a_pdf(client, carol, reports):
    client.force_login(carol)
    response = client.get(_pdf_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")  # opens in the browser, ready to print
    assert response.content.startswith(b"%PDF")
    pages = _text(response.content)
    first = pages[0]
    assert "2020年“诚信兴商宣传月”活动统计表（全国汇总）" in first
    assert "统计范围：已报送和已审核" in first and "导出：carol（carol）" in first
    whole = "".join(pages)
    assert all(name in whole for name in ("广东省", "北京市", "新疆生产建设兵团", paper.TOTAL_LABEL))
    assert "3,400" in whole and "6,800" in whole  # 广东's attendance, 北京's (twice as many)
    assert "10,200" in whole  # their national total
    for page in pages:  # the title and the header on every page
        assert "（全国汇总）" in page and all(head in page for head in paper.LABEL_HEADS)
    assert len(pages) >= 2


def test_the_pdf_follows_the_scope_asked_for(client, carol, reports):
    client.force_login(carol)
    response = client.get(_pdf_url("accepted"))
    assert response.status_code == 200
    whole = "".join(_text(response.content))
    assert "统计范围：仅已审核" in whole
    assert "3,400" not in whole  # nothing is accepted yet: 广东's figures are not in this scope
    assert client.get(_pdf_url("nonsense")).status_code == 200  # an unknown scope is the default one


def test_a_units_reporter_cannot_download_it(client, alice, reports):
    client.force_login(alice)
    response = client.get(_pdf_url())
    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")


def test_the_totals_page_offers_the_pdf_beside_the_workbook(client, carol, campaign):
    client.force_login(carol)
    page = client.get(reverse("analytics:totals", kwargs={"year": 2020}) + "?scope=accepted").content.decode()
    xlsx = reverse("workbooks:national_xlsx", kwargs={"year": 2020}) + "?scope=accepted"
    pdf = _pdf_url("accepted")
    assert xlsx in page and pdf in page
    assert page.index(pdf) > page.index(xlsx)  # beside it


def test_without_its_renderer_the_totals_page_says_the_pdf_cannot_be_made(client, carol, reports, monkeypatch):
    """reportlab missing (an install that skipped it): a message in Chinese on the totals page, never a 500."""
    monkeypatch.setitem(sys.modules, "reportlab.pdfgen.canvas", None)  # `import` of it fails, as when absent
    client.force_login(carol)
    response = client.get(_pdf_url("all"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("analytics:totals", kwargs={"year": 2020}) + "?scope=all", 302)]
    page = response.content.decode()
    assert "暂时无法生成 PDF（服务器未安装生成 PDF 的组件 reportlab）" in page
    assert "打印版" in page  # where to print from instead


def test_the_pdf_is_in_one_font_and_keeps_its_size_for_3400_units(campaign):
    """A pure function of the layout: 3,400 units make one page wide of many pages down, the body at the print
    sheet's size or larger."""
    from chengxin.statform.selectors import form_definition
    from chengxin.workbooks.tests.test_print_sheet import _many_units

    columns, values = _many_units(3400, big=True)
    columns[0] = UnitColumn("440000", "广东省", GROUPS[0])
    layout = print_layout(
        definition=form_definition(campaign), title="标题", details="统计范围", columns=columns, values=values
    )
    data = national_pdf(layout)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 100
    fonts = {str(font["/BaseFont"]) for page in reader.pages[:3] for font in page["/Resources"]["/Font"].values()}
    assert fonts == {f"/{FONT}"}
    last = reader.pages[-1].extract_text()
    assert columns[-1].name in last and "第 " in last
    sizes = [float(s) for s in re.findall(rb"/F\d+ ([\d.]+) Tf", reader.pages[5].get_contents().get_data())]
    body, _count = Counter(sizes).most_common(1)[0]
    assert body >= paper.MIN_PRINT_PT
