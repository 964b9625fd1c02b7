"""A unit's report through the API: who may read and write it, stale versions, idempotent writes, the lifecycle."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chengxin.api.models import IdempotencyKey
from chengxin.api.tests.conftest import ApiClient, new_key, token_of
from chengxin.conftest import VALID_FIGURES, VALID_VALUES, make_docx, make_pdf, submitted_report
from chengxin.reporting.models import Action, Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values
from chengxin.units.models import Unit

GD = "/campaigns/2020/reports/440000"
BJ = "/campaigns/2020/reports/110000"


def _events(unit_code: str, action: str | None = None) -> int:
    events = ReportEvent.objects.filter(report__unit__code=unit_code, report__campaign__year=2020)
    return events.filter(action=action).count() if action else events.count()


def _ready_to_submit(client: ApiClient) -> int:
    """Alice's report saved with valid figures and a summary uploaded; returns its version."""
    assert client.put(GD, {"version": 0, "values": VALID_FIGURES}).status_code == 200
    uploaded = client.upload(GD + "/summary", "总结报告.docx", make_docx(), key=new_key())
    assert uploaded.status_code == 200, uploaded.json()
    return uploaded.json()["version"]


# --- reading ---------------------------------------------------------------------------------------------------


def test_own_report_reads_as_documented_even_before_anything_was_saved(as_alice):
    response = as_alice.get(GD)
    assert response.status_code == 200
    assert response.json() == {
        "campaign": 2020,
        "unit": "440000",
        "unit_name": "广东省",
        "status": "not_started",
        "status_label": "未填报",
        "version": 0,
        "late": False,
        "submitted_at": None,
        "return_reason": "",
        "fills_statistics": True,
        "values": {},
        "explanations": {},
        "summary": False,
        "findings": [],
    }
    assert not Report.objects.filter(unit__code="440000").exists()  # reading creates nothing


@pytest.mark.parametrize("persona", ["as_carol", "as_dave"])
def test_ministry_staff_read_every_units_report(request, persona, campaign, alice):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    response = request.getfixturevalue(persona).get(GD)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["values"] == VALID_VALUES


def test_another_unit_never_sees_the_report_404_not_403(as_bob, as_alice, campaign, alice):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    assert as_bob.get(GD).status_code == 404
    assert as_bob.put(GD, {"version": 1, "values": {"tv_news": 1}}).status_code == 404
    assert as_bob.post(GD + "/submit", {}, key=new_key()).status_code == 404
    assert as_bob.post(GD + "/return", {"reason": "看看"}, key=new_key()).status_code == 404
    assert as_bob.post(GD + "/accept", {}, key=new_key()).status_code == 404
    assert as_bob.upload(GD + "/summary", "x.pdf", make_pdf(), key=new_key()).status_code == 404
    # the answer is the same as for a unit that does not exist at all
    assert as_bob.get("/campaigns/2020/reports/999999").json() == as_bob.get(GD).json()


@pytest.mark.parametrize(
    "path", ["/campaigns/2019/reports/440000", "/campaigns/2020/reports/NOPE", "/campaigns/2020/reports/MOFCOM"]
)
def test_unknown_campaign_unit_or_a_unit_that_does_not_report_is_404(as_dave, path):
    assert as_dave.get(path).status_code == 404


def test_anonymous_gets_401_for_reports(as_anonymous):
    assert as_anonymous.get(GD).status_code == 401
    assert as_anonymous.put(GD, {"version": 0, "values": {}}).status_code == 401
    assert as_anonymous.post(GD + "/submit", {}, key=new_key()).status_code == 401


def test_a_province_reads_its_sub_units_reports_and_they_do_not_read_each_other(tree):
    alice, frank, gina = (ApiClient(token_of(tree[p])) for p in ("alice", "frank", "gina"))
    assert alice.get("/campaigns/2020/reports/440100").status_code == 200
    assert alice.get("/campaigns/2020/reports/440106").status_code == 200  # a county under its city
    assert frank.get("/campaigns/2020/reports/440106").status_code == 200
    assert gina.get("/campaigns/2020/reports/440100").status_code == 404
    assert frank.get(GD).status_code == 404  # not upwards either


# --- saving a draft --------------------------------------------------------------------------------------------


def test_reporter_saves_figures_typed_as_on_paper(as_alice):
    response = as_alice.put(GD, {"version": 0, "values": {**VALID_FIGURES, "meeting_sessions": 12}})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert body["values"] == VALID_VALUES  # "1.2万" → 12000, "5万" → 50000
    assert _events("440000", Action.SAVE_DRAFT) == 1


def test_a_stale_version_is_409_and_changes_nothing(as_alice):
    as_alice.put(GD, {"version": 0, "values": VALID_FIGURES})
    as_alice.put(GD, {"version": 1, "values": {"tv_news": "4"}})
    events = _events("440000")
    response = as_alice.put(GD, {"version": 1, "values": {"tv_news": "99", "videos": "77"}})
    assert response.status_code == 409
    assert response.json()["detail"]
    report = Report.objects.get(unit__code="440000")
    assert report.version == 2
    assert report_values(report)["tv_news"] == 4
    assert report_values(report)["videos"] == 6
    assert _events("440000") == events


def test_bad_cells_are_422_per_cell_and_nothing_is_saved(as_alice):
    as_alice.put(GD, {"version": 0, "values": VALID_FIGURES})
    response = as_alice.put(GD, {"version": 1, "values": {"tv_news": "很多", "videos": -3, "web_news": 10**16}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"tv_news", "videos", "web_news"}
    assert all(e["message"] for e in response.json()["errors"])
    report = Report.objects.get(unit__code="440000")
    assert report.version == 1
    assert report_values(report)["tv_news"] == 3


def test_unknown_figure_codes_are_422_not_ignored(as_alice):
    response = as_alice.put(GD, {"version": 0, "values": {"tv_news": "3", "tv_newz": "4"}})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "tv_newz", "message": "表中没有指标代码“tv_newz”"}]
    assert not Report.objects.filter(unit__code="440000").exists()


@pytest.mark.parametrize(("persona", "status"), [("as_carol", 403), ("as_dave", 403), ("as_bob", 404)])
def test_only_the_units_reporter_writes(request, persona, status):
    client = request.getfixturevalue(persona)
    assert client.put(GD, {"version": 0, "values": VALID_FIGURES}).status_code == status
    assert client.upload(GD + "/summary", "a.pdf", make_pdf(), key=new_key()).status_code == status
    assert client.post(GD + "/submit", {}, key=new_key()).status_code == status
    assert not Report.objects.filter(unit__code="440000").exists()


def test_a_co_organiser_cannot_store_figures_but_uploads_its_summary(as_erin):
    path = "/campaigns/2020/reports/GACC"
    refused = as_erin.put(path, {"version": 0, "values": {"tv_news": "3"}})
    assert refused.status_code == 422
    uploaded = as_erin.upload(path + "/summary", "总结.pdf", make_pdf(), key=new_key())
    assert uploaded.status_code == 200
    assert uploaded.json()["summary"] is True
    assert uploaded.json()["fills_statistics"] is False
    submitted = as_erin.post(path + "/submit", {"version": uploaded.json()["version"]}, key=new_key())
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def test_put_with_an_idempotency_key_is_done_once(as_alice):
    key = new_key()
    first = as_alice.put(GD, {"version": 0, "values": VALID_FIGURES}, key=key)
    again = as_alice.put(GD, {"version": 0, "values": VALID_FIGURES}, key=key)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Report.objects.get(unit__code="440000").version == 1
    assert _events("440000") == 1


# --- summary, submission -------------------------------------------------------------------------------------


def test_summary_is_checked_like_in_the_browser(as_alice):
    fake = as_alice.upload(GD + "/summary", "总结.docx", b"not a document at all", key=new_key())
    assert fake.status_code == 422
    assert fake.json()["errors"][0]["field"] == "summary"
    wrong_name = as_alice.upload(GD + "/summary", "总结.pdf", make_docx(), key=new_key())
    assert wrong_name.status_code == 422
    missing = as_alice.client.post(
        "/api/v1" + GD + "/summary", {}, headers={"Authorization": f"Bearer {as_alice.token}", "Idempotency-Key": "k1"}
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"
    assert _events("440000") == 0


@pytest.mark.parametrize("path", [GD + "/submit", GD + "/return", GD + "/accept", GD + "/summary"])
@pytest.mark.parametrize("key", [None, "", "   "])
def test_posts_without_idempotency_key_are_400_with_a_chinese_message(as_alice, as_carol, path, key):
    client = as_carol if path.endswith(("/return", "/accept")) else as_alice
    if path.endswith("/summary"):
        headers = {"Idempotency-Key": key} if key is not None else {}
        response = client.client.post(
            "/api/v1" + path,
            {"file": SimpleUploadedFile("总结.pdf", make_pdf())},
            headers={"Authorization": f"Bearer {client.token}", **headers},
        )
    else:
        response = client.post(
            path, {"reason": "请补充说明"}, headers={"Idempotency-Key": key} if key is not None else {}
        )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "Idempotency-Key", "message": response.json()["detail"]}]
    assert "幂等键" in response.json()["detail"]


def test_an_idempotency_key_must_be_printable_ascii(as_alice):
    response = as_alice.post(GD + "/submit", {}, headers={"Idempotency-Key": "键"})
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_submit_retried_with_the_same_key_answers_the_same_and_submits_once(as_alice):
    version = _ready_to_submit(as_alice)
    key = new_key()
    first = as_alice.post(GD + "/submit", {"version": version}, key=key)
    assert first.status_code == 200
    assert first.json()["status"] == "submitted"
    again = as_alice.post(GD + "/submit", {"version": version}, key=key)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert _events("440000", Action.SUBMIT) == 1
    # without the key the same request is a new one, and the lifecycle refuses it
    assert as_alice.post(GD + "/submit", {"version": version}, key=new_key()).status_code == 409
    assert _events("440000", Action.SUBMIT) == 1


def test_the_same_key_with_another_body_or_address_is_refused(as_alice, as_carol):
    version = _ready_to_submit(as_alice)
    key = new_key()
    assert as_alice.post(GD + "/submit", {"version": version}, key=key).status_code == 200
    other_body = as_alice.post(GD + "/submit", {"version": version, "explanations": {"x": "y"}}, key=key)
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["field"] == "Idempotency-Key"
    other_path = as_alice.put(GD, {"version": version + 1, "values": {}}, key=key)
    assert other_path.status_code == 422
    # keys belong to their account: carol may use the same string for her own request
    assert as_carol.post(GD + "/return", {"reason": "数字需核对"}, key=key).status_code == 200
    assert _events("440000", Action.SUBMIT) == 1


def test_a_refused_request_is_not_stored_so_the_corrected_one_may_reuse_the_key(as_alice):
    as_alice.put(GD, {"version": 0, "values": VALID_FIGURES})
    key = new_key()
    refused = as_alice.post(GD + "/submit", {"version": 1}, key=key)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["summary"]
    assert not IdempotencyKey.objects.filter(key=key).exists()
    version = as_alice.upload(GD + "/summary", "总结.pdf", make_pdf(), key=new_key()).json()["version"]
    assert as_alice.post(GD + "/submit", {"version": version}, key=key).status_code == 200
    assert IdempotencyKey.objects.filter(key=key, status_code=200).count() == 1


def test_submit_with_a_stale_version_is_409(as_alice):
    version = _ready_to_submit(as_alice)
    response = as_alice.post(GD + "/submit", {"version": version - 1}, key=new_key())
    assert response.status_code == 409
    assert Report.objects.get(unit__code="440000").status == Status.DRAFT


def test_a_warning_needs_an_explanation_to_submit(as_alice):
    figures = {**VALID_FIGURES, "people_reached": "100"}  # below attendance + viewers: a warning
    as_alice.put(GD, {"version": 0, "values": figures})
    version = as_alice.upload(GD + "/summary", "总结.pdf", make_pdf(), key=new_key()).json()["version"]
    report = as_alice.get(GD).json()
    [warning] = [f for f in report["findings"] if f["severity"] == "warning"]
    refused = as_alice.post(GD + "/submit", {"version": version}, key=new_key())
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == warning["figure"]
    done = as_alice.post(
        GD + "/submit",
        {"version": version, "explanations": {warning["rule"]: "部分活动只统计了线上覆盖"}},
        key=new_key(),
    )
    assert done.status_code == 200
    assert done.json()["explanations"] == {warning["rule"]: "部分活动只统计了线上覆盖"}


# --- review --------------------------------------------------------------------------------------------------


def test_ministry_returns_with_a_reason_and_the_unit_resubmits(as_alice, as_carol):
    version = _ready_to_submit(as_alice)
    as_alice.post(GD + "/submit", {"version": version}, key=new_key())
    no_reason = as_carol.post(GD + "/return", {"reason": " "}, key=new_key())
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    returned = as_carol.post(GD + "/return", {"reason": "电视新闻条数请核对"}, key=new_key())
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert as_alice.get(GD).json()["return_reason"] == "电视新闻条数请核对"
    resubmitted = as_alice.post(GD + "/submit", {}, key=new_key())
    assert resubmitted.status_code == 200
    assert resubmitted.json()["status"] == "submitted"


def test_accept_locks_the_report_and_is_done_once(as_alice, as_dave):
    version = _ready_to_submit(as_alice)
    as_alice.post(GD + "/submit", {"version": version}, key=new_key())
    key = new_key()
    accepted = as_dave.post(GD + "/accept", {"reason": "数据完整"}, key=key)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert as_dave.post(GD + "/accept", {"reason": "数据完整"}, key=key).json() == accepted.json()
    assert as_dave.post(GD + "/accept", {}, key=new_key()).status_code == 409
    assert _events("440000", Action.ACCEPT) == 1
    locked = as_alice.put(GD, {"version": accepted.json()["version"], "values": {"tv_news": "1"}})
    assert locked.status_code == 409


def test_a_unit_cannot_review_its_own_report(as_alice):
    version = _ready_to_submit(as_alice)
    as_alice.post(GD + "/submit", {"version": version}, key=new_key())
    assert as_alice.post(GD + "/accept", {}, key=new_key()).status_code == 403
    assert as_alice.post(GD + "/return", {"reason": "自己退回"}, key=new_key()).status_code == 403
    assert Report.objects.get(unit__code="440000").status == Status.SUBMITTED


def test_sub_units_are_reviewed_by_the_unit_above_not_by_the_ministry(tree, as_carol, campaign):
    submitted_report(campaign, tree["guangzhou"], tree["frank"])
    path = "/campaigns/2020/reports/440100"
    refused = as_carol.post(path + "/accept", {}, key=new_key())
    assert refused.status_code == 403
    assert "广东省" in refused.json()["detail"]
    assert ApiClient(token_of(tree["gina"])).post(path + "/accept", {}, key=new_key()).status_code == 404
    accepted = ApiClient(token_of(tree["alice"])).post(path + "/accept", {}, key=new_key())
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"


# --- cost: every answer with a report is built once, from what the write already knows -----------------------


def test_the_answer_of_a_save_is_what_a_read_then_shows(as_alice):
    figures = dict(VALID_FIGURES, people_reached="1万")  # a warning: findings are not empty
    saved = as_alice.put(GD, {"version": 0, "values": figures}, key=new_key())
    assert saved.status_code == 200
    read = as_alice.get(GD).json()
    assert saved.json() == read
    assert [f["rule"] for f in read["findings"]] == ["reach_covers_attendance"]


def test_reading_a_report_takes_a_handful_of_queries(as_alice, django_assert_max_num_queries):
    as_alice.put(GD, {"version": 0, "values": VALID_FIGURES})
    as_alice.get(GD)  # the form's definition is built once per process and revision
    # token, unit's participation (with campaign and unit), report, form revision, values, last year's values,
    # summary: whatever the number of figures and rules.
    with django_assert_max_num_queries(7):
        assert as_alice.get(GD).status_code == 200
