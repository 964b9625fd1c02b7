"""The whole reporting loop through the web UI, as a province and the ministry see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chengxin.analytics.selectors import totals
from chengxin.conftest import VALID_FIGURES, make_docx
from chengxin.reporting.models import Report, Status

pytestmark = pytest.mark.django_db


def _post_figures(client, figures, action="save", version=None, extra=None):
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    report = Report.objects.filter(unit__code="440000").first()
    data = {f"f_{k}": v for k, v in figures.items()}
    data["version"] = version if version is not None else (report.version if report else 0)
    data["action"] = action
    data.update(extra or {})
    return client.post(url, data)


def test_province_fills_submits_and_ministry_returns_then_accepts(client, alice, carol):
    client.force_login(alice)
    entry = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    assert client.get(entry).status_code == 200

    # A validation error: attendance without sessions. The draft is saved, the error names the cell.
    bad = dict(VALID_FIGURES, meeting_sessions="0")
    response = _post_figures(client, bad)
    assert response.status_code == 302
    page = client.get(entry).content.decode()
    assert "户外活动 › 会议（场次、人次）：场次为 0 时人次也应为 0" in page

    response = _post_figures(client, bad, action="submit")
    assert response.status_code == 422
    assert "还不能报送" in response.content.decode()
    assert Report.objects.get(unit__code="440000").status == Status.DRAFT

    # Fixed, then the summary report, then submit.
    assert _post_figures(client, VALID_FIGURES).status_code == 302
    upload = SimpleUploadedFile("总结报告.docx", make_docx())
    client.post(reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"}), {"summary": upload})
    response = _post_figures(client, VALID_FIGURES, action="submit")
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get(unit__code="440000")
    assert report.status == Status.SUBMITTED
    assert report.late  # today is long after 2020-11-25

    # The ministry sees it, returns it with a reason.
    client.force_login(carol)
    page = client.get(reverse("analytics:completeness", kwargs={"year": 2020})).content.decode()
    assert "广东省" in page and "已报送" in page
    review = reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440000"})
    client.post(review, {"action": "return", "reason": "电视新闻条数请与附件核对"})
    assert Report.objects.get(unit__code="440000").status == Status.RETURNED

    # The province sees the reason, corrects, resubmits.
    client.force_login(alice)
    assert "电视新闻条数请与附件核对" in client.get(entry).content.decode()
    fixed = dict(VALID_FIGURES, tv_news="4")
    assert _post_figures(client, fixed, action="submit").status_code == 302
    assert Report.objects.get(unit__code="440000").status == Status.SUBMITTED

    # Accepted, locked, counted.
    client.force_login(carol)
    client.post(review, {"action": "accept"})
    assert Report.objects.get(unit__code="440000").status == Status.ACCEPTED
    result = totals(report.campaign, "accepted")
    assert result["tv_news"] == 4
    assert result["live_viewers"] == 12000
    assert result["material_methods"] == {"展板": 1, "手册": 1}
    page = client.get(reverse("analytics:totals", kwargs={"year": 2020}) + "?scope=accepted").content.decode()
    assert "12,000" in page

    client.force_login(alice)
    response = _post_figures(client, fixed)
    assert response.status_code == 409
    assert "已审核通过并锁定" in response.content.decode()


def test_a_correction_after_the_deadline_keeps_an_on_time_report_on_time(client, alice, carol, docx_upload):
    import datetime as dt

    from django.utils import timezone

    from chengxin.campaigns.models import Campaign

    campaign = Campaign.objects.get(year=2020)
    campaign.deadline = timezone.localdate() + dt.timedelta(days=3)
    campaign.save()
    client.force_login(alice)
    _post_figures(client, VALID_FIGURES)
    client.post(
        reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"}), {"summary": docx_upload}
    )
    assert _post_figures(client, VALID_FIGURES, action="submit").status_code == 302
    assert not Report.objects.get(unit__code="440000").late

    client.force_login(carol)
    review = reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440000"})
    client.post(review, {"action": "return", "reason": "请核对电视新闻"})
    # Time passes: the first submission was five days ago, the deadline two days ago.
    five_days_ago = timezone.now() - dt.timedelta(days=5)
    Report.objects.filter(unit__code="440000").update(first_submitted_at=five_days_ago, submitted_at=five_days_ago)
    campaign.deadline = timezone.localdate() - dt.timedelta(days=2)
    campaign.save()

    client.force_login(alice)
    assert _post_figures(client, dict(VALID_FIGURES, tv_news="4"), action="submit").status_code == 302
    report = Report.objects.get(unit__code="440000")
    assert report.status == Status.SUBMITTED
    assert not report.late
    assert report.first_submitted_at < report.submitted_at
