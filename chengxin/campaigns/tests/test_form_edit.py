"""The national administrator edits a campaign's form as TOML text (/campaigns/<year>/form/): rows and figures
added, renamed or dropped, all or nothing, and never once a report is submitted or for a figure with values."""

import pytest
from django.urls import reverse

from chengxin.conftest import CONTRACT_FIGURE_CODES, VALID_FIGURES, submitted_report
from chengxin.core.errors import DomainError
from chengxin.reporting import services as reporting
from chengxin.reporting.models import FigureValue
from chengxin.statform.formtext import spec_from_toml, spec_to_toml
from chengxin.statform.services import form_as_spec, form_edit
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

URL = reverse("campaigns:form", kwargs={"year": 2020})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _text(campaign) -> str:
    return spec_to_toml(form_as_spec(campaign.stat_form))


def _codes(campaign) -> list[str]:
    return list(campaign.stat_form.figures.order_by("order").values_list("code", flat=True))


def _without(text: str, row: str) -> str:
    """The text with the leaf row labelled `row` (and its figures) removed."""
    blocks = text.split("\n\n")
    return "\n\n".join(b for b in blocks if f'label = "{row}"' not in b)


def test_the_text_reads_back_as_the_same_form(campaign):
    text = _text(campaign)
    assert "[form]" in text and "[[form.rows.rows.rows]]" in text and "[[form.rules]]" in text
    assert spec_from_toml(text) == form_as_spec(campaign.stat_form)


def test_the_page_shows_the_form_as_editable_text(client, dave):
    client.force_login(dave)
    page = client.get(URL).content.decode()
    assert '<textarea id="spec" name="spec"' in page
    assert "code = &quot;meeting_sessions&quot;" in page
    assert "data-confirm=" in page
    assert "<code>live_viewers</code>" in page  # the current table beside it


def test_the_administrator_renames_and_adds_a_figure_through_the_page(client, dave, campaign):
    client.force_login(dave)
    text = _text(campaign).replace('label = "观看人次"', 'label = "观看量"')
    text = text.replace(
        '{ code = "live_viewers", label = "观看量"',
        '{ code = "live_hours", label = "时长", unit = "小时" },\n  { code = "live_viewers", label = "观看量"',
    )
    response = client.post(URL, {"spec": text}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "统计表已保存：14 项指标，6 条校验规则。" in response.content.decode()
    form = campaign.stat_form
    assert form.figures.get(code="live_viewers").label == "观看量"
    assert form.figures.get(code="live_hours").row == form.figures.get(code="live_sessions").row


def test_a_row_without_values_is_dropped_with_its_figure(campaign, dave):
    form_edit(campaign=campaign, text=_without(_text(campaign), "电台广播（次）"), acting_user=dave)
    assert "radio_broadcasts" not in _codes(campaign)
    assert not campaign.stat_form.rows.filter(label="电台广播（次）").exists()


def test_a_figure_a_unit_filled_in_cannot_be_dropped(campaign, dave, alice, guangdong_report):
    reporting.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=guangdong_report.version, acting_user=alice
    )
    before = form_as_spec(campaign.stat_form)
    with pytest.raises(DomainError) as caught:
        form_edit(campaign=campaign, text=_without(_text(campaign), "电台广播（次）"), acting_user=dave)
    assert "指标 radio_broadcasts（次数）已有单位填报了数据，不能删除（可以改名）" in caught.value.message
    assert form_as_spec(campaign.stat_form) == before


def test_a_figure_whose_value_was_cleared_can_be_dropped(campaign, dave, alice, guangdong_report):
    report = reporting.report_save_draft(
        report=guangdong_report, raw_values={"tv_news": "3"}, version=guangdong_report.version, acting_user=alice
    ).report
    reporting.report_save_draft(report=report, raw_values={"tv_news": ""}, version=report.version, acting_user=alice)
    assert FigureValue.objects.filter(figure__code="tv_news", number=None).exists()
    form_edit(campaign=campaign, text=_without(_text(campaign), "电视新闻（条）"), acting_user=dave)
    assert "tv_news" not in _codes(campaign)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.replace('[form]\ntitle = "', "[form]\ntitle = "), "TOML 格式错误，在第 6 行第"),
        (
            lambda t: t.replace('right = "meeting_sessions"', 'right = "meeting_session"', 1),
            "校验规则 meeting_both_or_neither 用到了表中没有的指标 meeting_session",
        ),
        (
            lambda t: t.replace('anchor = "people_reached"', 'anchor = "reach"'),
            "校验规则 reach_covers_attendance 的提示单元格（anchor）reach 不是表中的指标",
        ),
        (
            lambda t: t.replace('severity = "warning"', 'severity = "notice"', 1),
            "校验规则 reach_covers_attendance 的级别 severity 只能是 error（错误）或 warning（提示），不是 “notice”",
        ),
        (lambda t: t.replace('code = "videos"', 'code = "Videos"'), "指标 Videos 的代码 code “Videos” 不合格式"),
        (lambda t: t.replace('code = "videos"', 'code = "web_news"'), "指标代码 web_news 重复"),
        (
            lambda t: t.replace('code = "tv_news", label = "条数"', 'code = "tv_news", label = ""'),
            "指标 tv_news 的名称 label 不能为空",
        ),
        (
            lambda t: t.replace('kind = "text"', 'kind = "list"'),
            "指标 material_methods 的类型 kind 只能是 number（数字）或 text（文字）",
        ),
        (
            lambda t: _without(t, "宣传覆盖总人数（人次）"),
            "校验规则 reach_covers_attendance 用到了表中没有的指标 people_reached",
        ),
    ],
)
def test_a_wrong_definition_is_explained_in_chinese_and_changes_nothing(client, dave, campaign, change, words):
    client.force_login(dave)
    before = form_as_spec(campaign.stat_form)
    text = change(_text(campaign))
    response = client.post(URL, {"spec": text})
    assert response.status_code == 422
    page = response.content.decode()
    assert "统计表定义有误，未作任何修改" in page
    assert words.replace("'", "&#x27;") in page
    assert form_as_spec(campaign.stat_form) == before
    assert _codes(campaign) == CONTRACT_FIGURE_CODES


def test_the_typed_text_is_kept_after_an_error(client, dave, campaign):
    client.force_login(dave)
    text = _text(campaign).replace('label = "场次", unit = "场"', 'label = "场数", unit = "场"') + "\n[[form.rules]]\n"
    page = client.post(URL, {"spec": text}).content.decode()
    assert "label = &quot;场数&quot;" in page


def test_the_form_cannot_be_edited_once_a_report_is_submitted(client, dave, alice, campaign):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    text = _text(campaign).replace('label = "观看人次"', 'label = "观看量"')
    with pytest.raises(DomainError) as caught:
        form_edit(campaign=campaign, text=text, acting_user=dave)
    assert caught.value.message == "已有单位报送了2020年的统计表，统计表不能再修改"
    client.force_login(dave)
    page = client.get(URL).content.decode()
    assert "统计表不能再修改" in page and "readonly" in page and 'name="spec"' not in page
    assert client.post(URL, {"spec": text}).status_code == 422
    assert campaign.stat_form.figures.get(code="live_viewers").label == "观看人次"


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_only_the_national_administrator_edits_the_form(client, campaign, persona, request):
    user = request.getfixturevalue(persona)
    text = _text(campaign).replace('label = "观看人次"', 'label = "观看量"')
    with pytest.raises(DomainError):
        form_edit(campaign=campaign, text=text, acting_user=user)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"spec": text}).status_code == 404
    assert campaign.stat_form.figures.get(code="live_viewers").label == "观看人次"
