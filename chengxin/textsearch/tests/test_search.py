"""The ministry's full-text search: the texts of summary reports (read from docx and pdf in the background),
cases and activities, found as typed in Chinese on SQLite and PostgreSQL alike."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.activities.tests import factories as activities
from chengxin.campaigns.models import PlanActivity
from chengxin.portal.models import Case
from chengxin.reporting import services as reporting
from chengxin.reporting.services import report_get_or_start
from chengxin.textsearch.models import Extraction, Kind, TextChunk, TextDocument
from chengxin.textsearch.selectors import Filters, search, snippets
from chengxin.textsearch.services import CHUNK_CHARS, document_put_text
from chengxin.textsearch.terms import Query, document_terms
from chengxin.textsearch.tests.documents import docx_bytes, encrypted_pdf_bytes, pdf_bytes
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db
SEARCH = reverse("textsearch:search")


def _upload(campaign, user, unit_code: str, name: str, content: bytes, capture) -> TextDocument:
    report = report_get_or_start(campaign=campaign, unit=Unit.objects.get(code=unit_code))
    with capture(execute=True):  # the text is read after the upload commits, by the task (run at once in tests)
        reporting.report_upload_summary(
            report=report, uploaded_file=SimpleUploadedFile(name, content), acting_user=user
        )
    return TextDocument.objects.get(kind=Kind.SUMMARY, object_id=report.pk)


def _found(typed: str, **filters) -> list[TextDocument]:
    return list(search(Query(typed), Filters(**filters)))


def test_a_phrase_from_an_uploaded_docx_is_found_as_typed(
    campaign, alice, carol, client, django_capture_on_commit_callbacks
):
    document = _upload(
        campaign,
        alice,
        "440000",
        "广东省总结.docx",
        docx_bytes(
            "今年我省开展“诚信兴商”进社区活动，共举办放心消费讲座三十场。",
            table=[["活动", "场次"], ["老字号展销", "12"]],
        ),
        django_capture_on_commit_callbacks,
    )
    assert document.extraction == Extraction.DONE and "老字号展销" in document.text
    assert _found("放心消费讲座") == [document]
    assert _found("老字号展销") == [document]  # a table cell's text too
    assert _found("诚信兴商 讲座") == [document]  # every word, each anywhere
    assert _found("放心讲座") == []  # not as typed: the characters are there, the phrase is not
    assert _found("诚信兴商 区块链") == []  # one word missing
    client.force_login(carol)
    page = client.get(SEARCH, {"q": "放心消费"}).content.decode()
    assert "<mark>放心消费</mark>讲座" in page and "广东省" in page
    assert reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"}) in page


def test_a_pdf_summary_is_read_through_its_fonts_unicode_map(campaign, alice, django_capture_on_commit_callbacks):
    document = _upload(
        campaign,
        alice,
        "440000",
        "总结.pdf",
        pdf_bytes("广东省诚信兴商宣传月活动总结", "举办诚信经营示范街评选"),
        django_capture_on_commit_callbacks,
    )
    assert document.extraction == Extraction.DONE
    assert _found("示范街评选") == [document]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("加密.pdf", encrypted_pdf_bytes(), "文件已加密"),
        ("坏.docx", b"PK\x03\x04" + b"\0" * 10, None),  # refused at upload: not even a document
        ("总结.wps", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "WPS 格式暂不能提取文本"),
        ("扫描件.pdf", pdf_bytes(), "没有可提取的文字"),
    ],
)
def test_a_file_without_readable_text_is_marked_never_an_error_page(
    campaign, alice, carol, client, django_capture_on_commit_callbacks, name, content, why
):
    if why is None:
        from chengxin.core.errors import DomainError

        with pytest.raises(DomainError):
            _upload(campaign, alice, "440000", name, content, django_capture_on_commit_callbacks)
        return
    document = _upload(campaign, alice, "440000", name, content, django_capture_on_commit_callbacks)
    assert document.extraction == Extraction.FAILED and why in document.problem
    client.force_login(carol)
    response = client.get(SEARCH, {"q": "保密"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "文本无法提取" in page and why in page and "广东省" in page


def test_a_damaged_docx_that_passed_the_upload_check_is_marked(campaign, alice, django_capture_on_commit_callbacks):
    from chengxin.conftest import make_docx  # the parts the upload check wants, without Word's relationships

    document = _upload(campaign, alice, "440000", "总结.docx", make_docx(), django_capture_on_commit_callbacks)
    assert document.extraction == Extraction.FAILED and "已损坏" in document.problem


def test_a_new_upload_replaces_the_old_text(campaign, alice, django_capture_on_commit_callbacks):
    _upload(
        campaign, alice, "440000", "一稿.docx", docx_bytes("第一稿写了旧的内容"), django_capture_on_commit_callbacks
    )
    document = _upload(
        campaign, alice, "440000", "二稿.docx", docx_bytes("第二稿写了新的内容"), django_capture_on_commit_callbacks
    )
    assert _found("旧的内容") == [] and _found("新的内容") == [document]
    assert TextDocument.objects.filter(kind=Kind.SUMMARY).count() == 1


def test_until_its_text_is_read_an_upload_is_listed_as_being_read(campaign, alice, carol, client):
    report = report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))
    # No commit in this test: the task that reads the text has not run.
    reporting.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("总结.docx", docx_bytes("诚信兴商")), acting_user=alice
    )
    assert TextDocument.objects.get().extraction == Extraction.PENDING
    client.force_login(carol)
    page = client.get(SEARCH, {"q": "诚信兴商"}).content.decode()
    assert "正在提取文本" in page and "找到 0 项" in page


def _case(user, **fields) -> Case:
    import datetime as dt

    from chengxin.portal.services import case_save

    values = {"kind": "typical", "domain": "commerce", "title": "老字号明码标价", "summary": "三十年无投诉。"}
    values |= {"body": "店主坚持明码标价、足斤足两。", "case_date": dt.date(2020, 10, 15)} | fields
    return case_save(acting_user=user, submit=True, **values)


def test_cases_and_activities_are_found_with_filters_by_kind_year_unit_and_plan_activity(campaign, alice, bob):
    plan = PlanActivity.objects.filter(campaign=campaign).order_by("number").first()
    case = _case(alice)
    activity = activities.create(campaign, alice, plan_activity=str(plan.pk), place="广州市北京路步行街")
    beijing = activities.create(campaign, bob, "110000", region_code="110000", place="北京市王府井步行街")
    assert {d.object_id for d in _found("步行街")} == {activity.pk, beijing.pk}
    assert _found("足斤足两")[0].object_id == case.pk
    assert [d.object_id for d in _found("步行街", unit="440000")] == [activity.pk]
    assert [d.object_id for d in _found("步行街", unit="北京")] == [beijing.pk]
    assert [d.object_id for d in _found("步行街", plan_activity_id=plan.pk)] == [activity.pk]
    assert _found("步行街", kind=Kind.CASE) == [] and _found("步行街", year=2019) == []
    assert len(_found("步行街", year=2020, kind=Kind.ACTIVITY)) == 2
    # An edit is searched as edited; a deletion leaves nothing behind.
    case.body = "改写后的正文"
    case.save()
    assert _found("足斤足两") == [] and len(_found("改写后")) == 1
    beijing.delete()
    assert [d.object_id for d in _found("步行街")] == [activity.pk]
    assert not TextDocument.objects.filter(kind=Kind.ACTIVITY, object_id=beijing.pk).exists()


def test_a_long_report_is_found_at_its_end_and_where_two_slices_meet(campaign, alice):
    unit = Unit.objects.get(code="440000")
    filler = "宣传月期间各地开展了形式多样的活动。"
    text = filler * (CHUNK_CHARS // len(filler)) + "跨越切片边界的短语" + filler * 700 + "报告最后一句话"
    boundary = text.index("跨越切片边界的短语")
    assert boundary < CHUNK_CHARS < boundary + 9  # the phrase straddles the first slice's end
    document = document_put_text(Kind.CASE, 1, year=2020, unit_id=unit.pk, title="长文", text=text)
    assert TextChunk.objects.filter(document=document).count() >= 4
    assert _found("跨越切片边界的短语") == [document]
    assert _found("报告最后一句话") == [document]


def test_one_character_full_width_letters_and_case_are_found_as_a_person_expects(campaign, alice):
    unit = Unit.objects.get(code="440000")
    document = document_put_text(
        Kind.CASE, 2, year=2020, unit_id=unit.pk, title="t", text="投诉热线１２３１５，ＡＢＣ超市。商"
    )
    assert _found("12315") == [document]  # full-width digits typed as ASCII
    assert _found("abc超市") == [document]
    assert _found("商") == [document] and _found("鑫") == []
    assert _found("商 12315") == [document]
    assert "<mark>１２３１５</mark>，<mark>ＡＢＣ超市</mark>" in snippets(document.text, Query("12315 abc超市"))[0]


def test_snippets_mark_the_words_and_escape_the_text():
    query = Query("诚信 <b>")
    passages = snippets("前文" * 30 + "坚持诚信经营<b>粗体</b>" + "后文" * 30, query)
    assert len(passages) == 1
    assert "<mark>诚信</mark>经营<mark>&lt;b&gt;</mark>" in passages[0]
    assert passages[0].startswith("…") and passages[0].endswith("…")


def test_the_search_page_is_the_ministrys_and_ignores_bad_filters(client, alice, carol):
    client.force_login(alice)
    assert client.get(SEARCH, {"q": "诚信"}).status_code == 404
    client.force_login(carol)
    for params in ({"year": "二〇二〇", "kind": "x", "plan": "-1", "page": "999"}, {"q": "\u3000" * 5}, {"q": "!!!"}):
        assert client.get(SEARCH, params).status_code == 200, params


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.one_of(han, st.sampled_from("，。 a1")), min_size=2, max_size=60), data=st.data())
def test_every_run_of_two_or_more_characters_of_a_text_is_found_in_its_terms(text, data):
    """The property the search stands on, checked on terms alone: a query made of a stretch of the text (two
    or more Han characters, or a word) is a run of consecutive terms of the text."""
    import re

    runs = [m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2,}", text)]
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 2))
    end = data.draw(st.integers(start + 2, len(run)))
    phrase = Query(run[start:end]).phrases[0]
    terms = document_terms(text).split()
    assert any(terms[i : i + len(phrase)] == phrase for i in range(len(terms)))


def test_the_index_command_fills_the_index_for_what_came_before_it(campaign, alice, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    _upload(
        campaign, alice, "440000", "总结.docx", docx_bytes("往年上传的总结报告"), django_capture_on_commit_callbacks
    )
    case = _case(alice, body="早已发布的案例正文")
    activity = activities.create(campaign, alice, place="旧活动的地点")
    TextDocument.objects.all().delete()  # as before the search existed
    assert _found("往年上传") == [] and _found("早已发布") == [] and _found("旧活动") == []
    out = io.StringIO()
    call_command("search-index", campaign=2020, stdout=out)
    assert "总结报告 1 份（其中文本无法提取 0 份），案例 1 个，活动 1 项" in out.getvalue()
    assert len(_found("往年上传")) == 1
    assert [d.object_id for d in _found("早已发布")] == [case.pk]
    assert [d.object_id for d in _found("旧活动")] == [activity.pk]
    call_command("search-index", stdout=io.StringIO())  # again, every year: the same, nothing doubled
    assert TextDocument.objects.count() == 3


def test_the_index_is_not_written_into_the_audit_log_but_the_upload_is(
    campaign, alice, django_capture_on_commit_callbacks
):
    from chengxin.audit.models import AuditEvent

    _upload(campaign, alice, "440000", "一稿.docx", docx_bytes("第一稿"), django_capture_on_commit_callbacks)
    _upload(campaign, alice, "440000", "二稿.docx", docx_bytes("第二稿"), django_capture_on_commit_callbacks)
    types = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert "reporting.summaryfile" in types
    assert not {t for t in types if t.startswith("textsearch.")}
