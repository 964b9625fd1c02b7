"""The pages as a province and the ministry use them: the entry table laid out like the printed attachment,
a mistyped cell that loses nothing, the live check, the review page, batch acceptance and logging out."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chengxin.conftest import VALID_FIGURES, make_pdf
from chengxin.reporting import services
from chengxin.reporting.models import Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values
from chengxin.statform.models import Rule
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

ENTRY = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
CHECK = reverse("reporting:check", kwargs={"year": 2020, "unit_code": "440000"})
REVIEW = reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})
COMPLETENESS = reverse("analytics:completeness", kwargs={"year": 2020})
ACCEPT_CLEAN = reverse("reporting:accept_clean", kwargs={"year": 2020})
REACH_RULE = "reach_covers_attendance"
WARNING_FIGURES = dict(VALID_FIGURES, people_reached="1万")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Page(HTMLParser):
    """Reads what a person sees of the form: the statistics table's rows, every input, every cell's messages."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []  # {"labels": [(text, rowspan, colspan)], "inputs": [name], "field_labels": [..]}
        self.inputs: dict[str, dict] = {}
        self.cell_messages: dict[str, list[tuple[str, str]]] = {}
        self.header_colspan = None
        self._in_table = self._in_tbody = False
        self._capture = None  # ("th" | "label" | "msg", target)
        self._text = ""
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "statform" in (a.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            if tag in ("input", "textarea") and a.get("name"):
                self.inputs[a["name"]] = a
            return
        if tag == "th" and not self._in_tbody and a.get("colspan"):
            self.header_colspan = int(a["colspan"])
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows.append({"labels": [], "inputs": [], "field_labels": []})
        elif tag == "th" and self._in_tbody:
            self._capture, self._text = ("th", (int(a.get("rowspan", 1)), int(a.get("colspan", 1)))), ""
        elif tag == "div" and (a.get("id") or "").startswith("cell-"):
            self._cell = a["id"][5:]
        elif tag == "label" and self._in_tbody:
            self._capture, self._text = ("label", None), ""
        elif tag == "p" and "cell-msg" in (a.get("class") or ""):
            severity = "error" if "cell-error" in a["class"] else "warning"
            self._capture, self._text = ("msg", severity), ""
        elif tag in ("input", "output") and self._in_tbody:
            self.rows[-1]["inputs"].append(a.get("name") or a.get("id"))
            if a.get("name"):
                self.inputs[a["name"]] = a

    def handle_endtag(self, tag):
        if tag == "table" and self._in_table:
            self._in_table = self._in_tbody = False
        if self._capture is None:
            return
        kind, extra = self._capture
        text = " ".join(self._text.split())
        if kind == "th" and tag == "th":
            self.rows[-1]["labels"].append((text, *extra))
            self._capture = None
        elif kind == "label" and tag == "label":
            self.rows[-1]["field_labels"].append(text)
            self._capture = None
        elif kind == "msg" and tag == "p":
            self.cell_messages.setdefault(self._cell, []).append((extra, text))
            self._capture = None

    def handle_data(self, data):
        if self._capture is not None:
            self._text += data


def _rule_message(code: str) -> str:
    return Rule.objects.get(form__campaign__year=2020, code=code).message


def _post(client, figures, *, action="save", version=None, extra=None, url=ENTRY):
    data = {f"f_{k}": v for k, v in figures.items()}
    if version is None:
        report = Report.objects.filter(unit__code="440000").first()
        version = report.version if report else 0
    data.update(version=version, action=action, **(extra or {}))
    return client.post(url, data)


def _upload(client, name="广东省总结报告.pdf"):
    url = reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"})
    return client.post(url, {"summary": SimpleUploadedFile(name, make_pdf())})


PRINTED_TABLE = [
    # (label cells (text, rowspan, colspan), input names, the labels beside the inputs)
    (
        [("宣传形式", 8, 1), ("户外活动", 2, 1), ("会议（场次、人次）", 1, 1)],
        ["f_meeting_sessions", "f_meeting_attendance"],
        ["场次", "人次"],
    ),
    ([("宣传资料展示（方式，份数）", 1, 1)], ["f_material_methods", "f_material_copies"], ["方式", "份数"]),
    ([("传统媒介", 3, 1), ("纸媒新闻（篇）", 1, 1)], ["f_print_news"], ["篇数"]),
    ([("电视新闻（条）", 1, 1)], ["f_tv_news"], ["条数"]),
    ([("电台广播（次）", 1, 1)], ["f_radio_broadcasts"], ["次数"]),
    ([("新媒介", 3, 1), ("网站新闻（条）", 1, 1)], ["f_web_news"], ["条数"]),
    ([("视频（条）", 1, 1)], ["f_videos"], ["条数"]),
    ([("直播（场次，观看人次）", 1, 1)], ["f_live_sessions", "f_live_viewers"], ["场次", "观看人次"]),
    ([("宣传效果", 2, 1), ("宣传覆盖总人数（人次）", 1, 2)], ["f_people_reached"], ["人次"]),
    ([("接受咨询服务总量（人次）", 1, 2)], ["f_consultations"], ["人次"]),
]


def test_entry_page_lays_the_table_out_like_the_printed_attachment(client, alice):
    client.force_login(alice)
    response = client.get(ENTRY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2020年“诚信兴商宣传月”活动统计表" in html
    assert "广东省" in html
    page = _Page(html)
    assert page.header_colspan == 3  # 项目 spans group, sub-group and leaf columns
    assert [(r["labels"], r["inputs"], r["field_labels"]) for r in page.rows] == PRINTED_TABLE
    assert page.inputs["version"]["value"] == "0"
    # Nothing is created by looking at the page.
    assert not Report.objects.filter(unit__code="440000").exists()


def test_entry_page_shows_saved_figures_formatted(client, alice):
    client.force_login(alice)
    assert _post(client, VALID_FIGURES).status_code == 302
    page = _Page(client.get(ENTRY).content.decode())
    assert page.inputs["f_live_viewers"]["value"] == "12,000"
    assert page.inputs["f_people_reached"]["value"] == "50,000"
    assert page.inputs["f_material_methods"]["value"] == "展板、手册"
    assert page.inputs["version"]["value"] == "1"


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_mistyped_cell_keeps_everything_typed_and_saves_nothing(client, alice, action):
    client.force_login(alice)
    _post(client, VALID_FIGURES)
    before = report_values(Report.objects.get(unit__code="440000"))
    events = ReportEvent.objects.count()

    typed = dict(VALID_FIGURES, tv_news="abc", live_viewers="1.3万", people_reached="6万人次", material_methods="横幅")
    response = _post(client, typed, action=action)
    assert response.status_code == 422
    html = response.content.decode()
    assert "有单元格填写有误，本次未保存，请按提示修改" in html
    page = _Page(html)
    for code, text in typed.items():  # every cell shows what was typed, as typed
        assert page.inputs[f"f_{code}"]["value"] == text, code
    # The error sits next to the mistyped cell, and only there.
    [(severity, text)] = page.cell_messages["tv_news"]
    assert severity == "error" and "“abc”不是有效的数字" in text
    assert page.inputs["f_tv_news"].get("aria-invalid") == "true"
    assert set(page.cell_messages) == {"tv_news"}
    assert "aria-invalid" not in page.inputs["f_live_viewers"]
    report = Report.objects.get(unit__code="440000")
    assert report_values(report) == before
    assert report.status == Status.DRAFT
    assert ReportEvent.objects.count() == events


def test_stale_page_gets_409_and_its_typing_back(client, alice):
    client.force_login(alice)
    _post(client, VALID_FIGURES, version=0)
    _post(client, dict(VALID_FIGURES, tv_news="4"), version=1)  # saved from another window
    response = _post(client, dict(VALID_FIGURES, tv_news="7"), version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "报告已被他人修改" in html
    assert _Page(html).inputs["f_tv_news"]["value"] == "7"
    assert report_values(Report.objects.get(unit__code="440000"))["tv_news"] == 4


def _resend(client, response, action):
    """Press a button on a re-rendered page: send back every field as the page now holds it."""
    page = _Page(response.content.decode())
    data = {name: attrs.get("value", "") for name, attrs in page.inputs.items() if name.startswith("f_")}
    data["version"] = page.inputs["version"]["value"]
    data["action"] = action
    return client.post(ENTRY, data)


def test_after_a_refused_submit_the_same_page_submits_once_fixed(client, alice):
    client.force_login(alice)
    response = _post(client, VALID_FIGURES, action="submit")  # no summary report yet
    assert response.status_code == 422
    html = response.content.decode()
    assert "还不能报送" in html and "请先上传总结报告" in html
    report = Report.objects.get(unit__code="440000")
    assert report.status == Status.DRAFT  # the draft was kept
    assert _Page(html).inputs["version"]["value"] == str(report.version)

    _upload(client)
    page = client.get(ENTRY)
    assert _resend(client, page, "submit").status_code == 302
    assert Report.objects.get(unit__code="440000").status == Status.SUBMITTED


def test_after_a_conflict_saving_the_same_page_again_does_not_overwrite_unseen(client, alice):
    client.force_login(alice)
    _post(client, VALID_FIGURES, version=0)
    _post(client, dict(VALID_FIGURES, tv_news="4"), version=1)  # saved from another window
    conflict = _post(client, dict(VALID_FIGURES, tv_news="7"), version=1)
    assert conflict.status_code == 409
    assert "请刷新页面查看最新数据" in conflict.content.decode()

    again = _resend(client, conflict, "save")  # the user presses 保存草稿 once more without reloading
    assert again.status_code == 409
    assert report_values(Report.objects.get(unit__code="440000"))["tv_news"] == 4


def test_live_check_returns_findings_without_saving(client, alice):
    client.force_login(alice)
    response = _post(client, dict(VALID_FIGURES, meeting_sessions="0"), url=CHECK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="findings"' in html
    assert "户外活动 › 会议（场次、人次）" in html
    assert _rule_message("meeting_both_or_neither") in html

    html = _post(client, dict(VALID_FIGURES, videos="几十"), url=CHECK).content.decode()
    assert "新媒介 › 视频（条）" in html and "“几十”不是有效的数字" in html

    html = _post(client, WARNING_FIGURES, url=CHECK).content.decode()
    assert _rule_message(REACH_RULE) in html

    html = _post(client, VALID_FIGURES, url=CHECK).content.decode()
    assert "按当前填写，未发现问题。" in html
    assert not Report.objects.filter(unit__code="440000").exists()


def test_live_check_does_not_touch_a_saved_draft(client, alice):
    client.force_login(alice)
    _post(client, VALID_FIGURES)
    report = Report.objects.get(unit__code="440000")
    _post(client, dict(VALID_FIGURES, tv_news="999"), url=CHECK)
    again = Report.objects.get(pk=report.pk)
    assert report_values(again)["tv_news"] == 3
    assert again.version == report.version


def test_submit_from_the_page_with_a_warning_and_its_explanation(client, alice, carol):
    client.force_login(alice)
    _post(client, WARNING_FIGURES)
    html = client.get(ENTRY).content.decode()
    assert f'name="x_{REACH_RULE}"' in html  # the page asks for the explanation

    _upload(client)
    response = _post(client, WARNING_FIGURES, action="submit")
    assert response.status_code == 422
    assert "（请填写说明）" in response.content.decode()

    reason = "直播观看人次含外省观众"
    response = _post(client, WARNING_FIGURES, action="submit", extra={f"x_{REACH_RULE}": reason})
    assert response.status_code == 302
    report = Report.objects.get(unit__code="440000")
    assert report.status == Status.SUBMITTED
    assert report.explanations == {REACH_RULE: reason}


def test_review_page_shows_warnings_explanations_and_the_summary_link(client, alice, carol):
    client.force_login(alice)
    _post(client, WARNING_FIGURES)
    _upload(client, "广东省2020年总结.pdf")
    _post(client, WARNING_FIGURES, action="submit", extra={f"x_{REACH_RULE}": "覆盖人数按去重口径统计"})

    client.force_login(carol)
    response = client.get(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "宣传效果 › 宣传覆盖总人数（人次）" in html
    assert _rule_message(REACH_RULE) in html
    assert "单位说明：覆盖人数按去重口径统计" in html
    download = reverse("reporting:download_summary", kwargs={"year": 2020, "unit_code": "440000"})
    assert f'href="{download}"' in html and "广东省2020年总结.pdf" in html
    assert 'value="accept"' in html and 'value="return"' in html  # the reviewer can act on it
    page = _Page(html)
    assert page.rows[0]["inputs"] == ["f_meeting_sessions", "f_meeting_attendance"]  # read-only outputs
    assert not any(name.startswith("f_") for name in page.inputs)


def test_review_page_warns_when_the_explanation_is_missing(client, alice, carol):
    # A submitted report whose warning has no explanation (e.g. submitted before the rule existed).
    client.force_login(alice)
    _post(client, WARNING_FIGURES)
    Report.objects.filter(unit__code="440000").update(status=Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(carol)
    assert "单位说明：（未填写）" in client.get(REVIEW).content.decode()


def test_return_from_the_review_page_without_a_reason_is_refused(client, alice, carol):
    client.force_login(alice)
    _post(client, VALID_FIGURES)
    _upload(client)
    _post(client, VALID_FIGURES, action="submit")
    client.force_login(carol)
    action = reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440000"})
    response = client.post(action, {"action": "return", "reason": " "})
    assert response.status_code == 422
    assert "请填写退回原因" in response.content.decode()
    assert Report.objects.get(unit__code="440000").status == Status.SUBMITTED


def test_accept_clean_from_the_completeness_page(client, campaign, alice, bob, carol):
    beijing = Report.objects.create(campaign=campaign, unit=Unit.objects.get(code="110000"))
    for user, figures, report in ((alice, VALID_FIGURES, None), (bob, WARNING_FIGURES, beijing)):
        report = report or services.report_get_or_start(campaign=campaign, unit=user.unit)
        report = services.report_save_draft(
            report=report, raw_values=figures, version=None, acting_user=user, explanations={REACH_RULE: "口径"}
        ).report
        services.report_upload_summary(
            report=report, uploaded_file=SimpleUploadedFile("总结.pdf", make_pdf()), acting_user=user
        )
        services.report_submit(report=report, version=None, acting_user=user)

    client.force_login(carol)
    html = client.get(COMPLETENESS).content.decode()
    assert f'action="{ACCEPT_CLEAN}"' in html
    assert 'name="units" value="440000"' in html and 'name="units" value="110000"' in html
    assert 'name="units" value="310000"' not in html  # not submitted: nothing to accept

    response = client.post(ACCEPT_CLEAN, {"units": ["440000", "110000"]}, follow=True)
    assert response.redirect_chain[-1][0] == COMPLETENESS
    html = response.content.decode()
    assert "已审核通过 1 个单位：广东省" in html
    assert "北京市未通过批量审核：有提示需逐一审核" in html
    assert Report.objects.get(unit__code="440000").status == Status.ACCEPTED
    assert Report.objects.get(unit__code="110000").status == Status.SUBMITTED


def test_accept_clean_with_nothing_ticked_says_so(client, carol):
    client.force_login(carol)
    response = client.post(ACCEPT_CLEAN, {}, follow=True)
    assert "请先勾选要审核通过的单位。" in response.content.decode()


def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    logout = reverse("logout")
    assert client.get(logout).status_code == 405
    assert client.get(ENTRY).status_code == 200  # still signed in
    html = client.get(ENTRY).content.decode()
    assert f'<form method="post" action="{logout}"' in html

    response = client.post(logout)
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    response = client.get(ENTRY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
