"""Reading every summary report: the ministry's zip of them (issue 14) and the review page's previous / next
unit links."""

import csv
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chengxin.campaigns.models import Participant
from chengxin.conftest import _persona, make_docx, make_pdf, submitted_report
from chengxin.reporting import services
from chengxin.reporting.models import Report, Status, SummaryFile
from chengxin.reporting.summaries_zip import summary_name
from chengxin.units.models import Role, Unit, UnitKind

pytestmark = pytest.mark.django_db

ZIP = reverse("reporting:summaries_zip", kwargs={"year": 2020})
FORBIDDEN = set('/\\:*?"<>|')


@pytest.fixture
def reports(campaign, alice, bob, carol, erin):
    """广东省 (docx) and 海关总署 (a co-organiser, pdf) submitted, 北京市 (docx) accepted, 上海市 a draft with a
    summary uploaded, every other unit nothing."""
    guangdong, beijing, gacc = (Unit.objects.get(code=c) for c in ("440000", "110000", "GACC"))
    submitted_report(campaign, guangdong, alice)
    accepted = submitted_report(campaign, beijing, bob)
    services.report_accept(report=accepted, acting_user=carol)
    report = services.report_get_or_start(campaign=campaign, unit=gacc)
    services.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("海关总署总结.pdf", make_pdf()), acting_user=erin
    )
    report.refresh_from_db()
    services.report_submit(report=report, version=report.version, acting_user=erin)
    shanghai = Unit.objects.get(code="310000")
    sam = _persona("sam", "310000", Role.UNIT_REPORTER)
    report = services.report_get_or_start(campaign=campaign, unit=shanghai)
    services.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("上海.docx", make_docx("上海")), acting_user=sam
    )


def _zip(client, query: str = "") -> tuple[zipfile.ZipFile, object]:
    response = client.get(ZIP + query)
    assert response.status_code == 200
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))), response


def _catalogue(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("目录.csv").decode("utf-8-sig")
    lines = text.splitlines()[1:]  # the Chinese titles first, then the machine names
    return list(csv.DictReader(lines))


def test_the_zip_holds_each_submitted_or_accepted_summary_once_under_the_units_code_and_name(client, carol, reports):
    client.force_login(carol)
    archive, response = _zip(client)
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition.lower()
    assert unquote(disposition.split("''", 1)[1]) == "2020年总结报告.zip"
    names = archive.namelist()
    # The completeness page's order (sort order, code), the list of units last.
    assert names == [
        "110000-北京市-总结报告.docx",
        "440000-广东省-总结报告.docx",
        "GACC-海关总署-总结报告.pdf",
        "目录.csv",
    ]
    assert archive.testzip() is None
    # The UTF-8 flag: Windows' and macOS' tools show the names in Chinese.
    assert all(info.flag_bits & 0x800 for info in archive.infolist())
    stored = SummaryFile.objects.get(report__unit__code="440000").file.read()
    assert archive.read("440000-广东省-总结报告.docx") == stored
    assert archive.read("GACC-海关总署-总结报告.pdf") == make_pdf()


def test_the_newest_summary_counts(client, carol, campaign, alice):
    report = submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    services.report_return(report=report, reason="请补充", acting_user=carol)
    report.refresh_from_db()
    services.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("新.pdf", make_pdf()), acting_user=alice
    )
    report.refresh_from_db()
    services.report_submit(report=report, version=report.version, acting_user=alice)
    client.force_login(carol)
    archive, _response = _zip(client)
    assert [n for n in archive.namelist() if n.startswith("440000")] == ["440000-广东省-总结报告.pdf"]


def test_the_list_names_every_unit_in_the_filter_and_whether_its_summary_is_in(client, carol, campaign, reports):
    client.force_login(carol)
    archive, _response = _zip(client, "?status=all")
    rows = {row["unit_code"]: row for row in _catalogue(archive)}
    assert len(rows) == Participant.objects.filter(campaign=campaign, unit__parent=None).count()
    assert rows["440000"]["in_zip"] == "是" and rows["440000"]["file_name"] == "440000-广东省-总结报告.docx"
    assert rows["440000"]["status"] == "已报送" and rows["110000"]["status"] == "已审核"
    assert rows["310000"]["status"] == "草稿" and rows["310000"]["in_zip"] == "是"  # status=all: drafts too
    assert rows["120000"] == {
        "unit_code": "120000",
        "unit_name": "天津市",
        "unit_kind": "省、自治区、直辖市",
        "status": "未填报",
        "in_zip": "否（未上传）",
        "file_name": "",
    }
    assert "310000-上海市-总结报告.docx" in archive.namelist()
    first = archive.read("目录.csv").decode("utf-8-sig").splitlines()[0]
    assert first.split(",")[:2] == ["单位代码", "单位名称"]


def test_the_status_filter(client, carol, reports):
    client.force_login(carol)
    by_status = {
        "?status=submitted": ["440000", "GACC"],
        "?status=accepted": ["110000"],
        "?status=draft": ["310000"],
        "?status=returned": [],
        "?status=nonsense": ["110000", "440000", "GACC"],  # unknown: the default
    }
    for query, codes in by_status.items():
        archive, _response = _zip(client, query)
        assert [n.split("-")[0] for n in archive.namelist()[:-1]] == codes, query
        assert [row["unit_code"] for row in _catalogue(archive)] == codes, query


def test_the_kind_filter(client, carol, reports):
    client.force_login(carol)
    for query, codes in {
        "?kind=provincial": ["110000", "440000"],
        "?kind=national_body": ["GACC"],
        "?kind=province&kind=national_body": ["110000", "440000", "GACC"],
        "?kind=planned_city": [],
        "?kind=nonsense": ["110000", "440000", "GACC"],
    }.items():
        archive, _response = _zip(client, query)
        assert [row["unit_code"] for row in _catalogue(archive)] == codes, query
    archive, _response = _zip(client, "?kind=provincial&status=all")
    kinds = {row["unit_kind"] for row in _catalogue(archive)}
    assert kinds == {str(UnitKind(k).label) for k in ("province", "planned_city", "corps")}


def test_a_missing_stored_file_is_listed_not_fatal(client, carol, reports):
    summary = SummaryFile.objects.get(report__unit__code="440000")
    summary.file.storage.delete(summary.file.name)
    client.force_login(carol)
    archive, _response = _zip(client)
    assert archive.namelist() == ["110000-北京市-总结报告.docx", "GACC-海关总署-总结报告.pdf", "目录.csv"]
    rows = {row["unit_code"]: row for row in _catalogue(archive)}
    assert rows["440000"]["in_zip"] == "否（文件缺失）"


def test_names_are_safe_on_every_system():
    from chengxin.reporting.selectors import UnitSummary

    entry = UnitSummary('A/B\\C:D*E?F"G<H>I|J', "某某/单位:*?<>|\x07", "national_body", "submitted", "x", "docx", 1)
    name = summary_name(entry)
    assert not FORBIDDEN & set(name)
    assert not any(ord(c) < 32 for c in name)
    assert name.endswith("-总结报告.docx")


def test_refused_to_a_unit_reporter_and_the_anonymous(client, alice, bob, reports):
    assert client.get(ZIP).status_code == 302
    assert "/accounts/login/" in client.get(ZIP)["Location"] or "login" in client.get(ZIP)["Location"]
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(ZIP).status_code == 404


def test_the_completeness_page_links_to_the_zip_with_its_filter(client, carol, campaign):
    client.force_login(carol)
    page = client.get(reverse("analytics:completeness", kwargs={"year": 2020}) + "?status=accepted").content.decode()
    assert f'href="{ZIP}?status=accepted"' in page
    page = client.get(reverse("analytics:completeness", kwargs={"year": 2020})).content.decode()
    assert f'href="{ZIP}"' in page


# --- The review page: previous / next unit ---------------------------------------------------------------------


def _review(code: str) -> str:
    return reverse("reporting:review", kwargs={"year": 2020, "unit_code": code})


def _pager(client, code: str, query: str = "") -> dict[str, str]:
    page = client.get(_review(code) + query).content.decode()
    return {rel: href for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', page)}


def _order(campaign) -> list[str]:
    return list(
        Participant.objects.filter(campaign=campaign, unit__parent=None)
        .order_by("unit__sort_order", "unit__code")
        .values_list("unit__code", flat=True)
    )


def test_review_links_go_through_the_units_in_the_completeness_order(client, carol, campaign):
    client.force_login(carol)
    order = _order(campaign)
    assert _pager(client, order[0]) == {"next": _review(order[1])}  # the first unit has no previous one
    assert _pager(client, order[1]) == {"prev": _review(order[0]), "next": _review(order[2])}
    assert _pager(client, order[-1]) == {"prev": _review(order[-2])}
    page = client.get(_review(order[1])).content.decode()
    assert "上一个单位" in page and "下一个单位" in page


def test_review_links_keep_the_status_filter(client, carol, campaign, reports):
    client.force_login(carol)
    # Submitted: 广东省 and 海关总署, in that order; from 北京市 (accepted) the filter still finds them.
    assert _pager(client, "440000", "?status=submitted") == {"next": _review("GACC") + "?status=submitted"}
    assert _pager(client, "GACC", "?status=submitted") == {"prev": _review("440000") + "?status=submitted"}
    assert _pager(client, "110000", "?status=submitted") == {"next": _review("440000") + "?status=submitted"}
    page = client.get(_review("440000") + "?status=submitted").content.decode()
    assert '<input type="hidden" name="status" value="submitted">' in page
    # Accepting keeps the filter: back on the unit's page with it, its neighbours still the submitted ones.
    response = client.post(
        reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440000"}),
        {"action": "accept", "status": "submitted"},
    )
    assert response.status_code == 302 and response["Location"] == _review("440000") + "?status=submitted"
    assert Report.objects.get(unit__code="440000").status == Status.ACCEPTED
    assert _pager(client, "440000", "?status=submitted") == {"next": _review("GACC") + "?status=submitted"}


def test_no_review_links_for_a_reader_who_does_not_review(client, carol, tree):
    client.force_login(carol)  # reads 广州市's report, but 广东省 reviews it
    assert _pager(client, "440100") == {}


def test_a_province_reviewer_goes_through_its_cities(client, tree):
    client.force_login(tree["alice"])
    assert _pager(client, "440100") == {"next": _review("440600")}
    assert _pager(client, "440600") == {"prev": _review("440100")}
