"""The PDF of a drafted document: the .docx printed by LibreOffice where it is installed; where it is not, the
Word document alone, and the page says why."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.publications import pdf
from chengxin.publications.models import DocumentJob

pytestmark = pytest.mark.django_db
WRITER = Path("/usr/lib/libreoffice/program/swriter")  # Debian's libreoffice-writer
# LibreOffice with its Writer (Calc alone, as the print sheet's test needs, cannot open a .docx)
SOFFICE = (shutil.which("soffice") or shutil.which("libreoffice")) if WRITER.exists() else None
PAGE = reverse("publications:summary", kwargs={"year": 2020})


def test_without_libreoffice_there_is_no_pdf_and_the_reason_is_kept(settings):
    settings.CHENGXIN_SOFFICE = ""
    assert not pdf.available()
    with pytest.raises(pdf.PdfUnavailable, match="not installed"):
        pdf.docx_to_pdf(b"PK")


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-writer)")
def test_a_damaged_document_is_refused_in_libreoffices_words(settings):
    settings.CHENGXIN_SOFFICE = SOFFICE
    with pytest.raises(pdf.PdfUnavailable, match="did not print"):
        pdf.docx_to_pdf(b"PK\x03\x04 not a document")


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-writer)")
def test_the_summary_is_offered_as_pdf_too(
    client, campaign, alice, carol, settings, django_capture_on_commit_callbacks
):
    settings.CHENGXIN_SOFFICE = SOFFICE
    submitted_report(campaign, alice.unit, alice, VALID_FIGURES)
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"scope": "submitted"})
    job = DocumentJob.objects.get()
    assert (job.state, job.pdf_missing) == ("done", "") and job.pdf_size > 10_000
    page = client.get(PAGE).content.decode()
    link = reverse("publications:download", kwargs={"year": 2020, "job_id": job.pk, "fmt": "pdf"})
    assert link in page and "下载（PDF）" in page and "未安装 LibreOffice" not in page
    response = client.get(link)
    assert response["Content-Type"] == "application/pdf" and ".pdf" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode()
    words = "".join(text.split())
    assert "2020年“诚信兴商宣传月”活动总结" in words and "纳入全国汇总的统计表共1份" in words
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    assert "CJK" in fonts or "Noto" in fonts  # Chinese set in a real Chinese font, not boxes
    assert io.BytesIO(data).read(5) == b"%PDF-"
