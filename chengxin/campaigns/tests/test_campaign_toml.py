"""`chengxin campaign-export YEAR` / `chengxin campaign-load FILE`: the whole campaign (texts, plan, expected
units, form) as TOML in the layout of the seed, campaign-2020.toml, and back: all or nothing, every problem named
with its place and line."""

import datetime as dt
import re
import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chengxin.campaigns.campaigntext import campaign_export, campaign_load_text, toml_string
from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.services import CAMPAIGN_FIELDS, campaign_spec, campaign_text
from chengxin.conftest import submitted_report
from chengxin.core.errors import DomainError
from chengxin.reporting.services import report_save_draft
from chengxin.statform.formspec import validate_spec
from chengxin.statform.services import form_as_spec
from chengxin.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[1] / "data" / "campaign-2020.toml"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def as_year(text: str, year: int) -> str:
    """The exported text with [campaign] year changed (the first `year = …` line: a string never spans lines)."""
    return re.sub(r"^year = \d+$", f"year = {year}", text, count=1, flags=re.MULTILINE)


def without_header(text: str) -> str:
    """The text after its leading comment lines (which name the year and the time of the export)."""
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def snapshot(campaign: Campaign) -> dict:
    """Everything a campaign file says about `campaign`, as plain data."""
    form = form_as_spec(campaign.stat_form)
    return {
        "fields": {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS},
        "lock_date": campaign.lock_date,
        "reminder_days": campaign.reminder_days,
        "organiser": campaign.organiser.code,
        "focus_areas": list(campaign.focus_areas.values_list("number", "title", "body")),
        "requirements": list(campaign.requirements.values_list("number", "title", "body")),
        "plan": list(campaign.plan_activities.values_list("number", "title", "lead_body__code", "description")),
        "participants": set(campaign.participants.values_list("unit__code", "fills_statistics")),
        "form": form,
        "figures": list(campaign.stat_form.figures.order_by("order").values_list("code", "label")),
    }


def load(text: str, *args: str, tmp_path: Path) -> str:
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("campaign-load", str(path), *args, stdout=out)
    return out.getvalue()


def refusal(text: str, *, replace: bool = False) -> list[str]:
    """The problems of a refused text; asserts nothing was changed."""
    before = (Campaign.objects.count(), Participant.objects.count())
    with pytest.raises(DomainError) as caught:
        campaign_load_text(text, replace=replace)
    assert (Campaign.objects.count(), Participant.objects.count()) == before
    return [e.message for e in caught.value.errors]


# --- Export ------------------------------------------------------------------------------------------------------


def test_the_export_of_the_seeded_campaign_says_what_the_seed_says(campaign):
    exported = tomllib.loads(campaign_export(campaign))
    seed = campaign_spec(2020)

    assert {k: exported["campaign"][k] for k in seed["campaign"]} == seed["campaign"]
    assert exported["campaign"]["statistics_from"] == "provincial"
    assert set(exported["campaign"]) - set(seed["campaign"]) == {"reminder_days", "activity_grace_days"}
    for table in ("focus_area", "requirement", "plan_activity"):
        assert exported[table] == seed[table]
    assert validate_spec(exported["form"]) == validate_spec(seed["form"])


def test_the_export_starts_with_a_comment_saying_what_it_is_and_when(campaign):
    text = campaign_export(campaign)
    header = text.split("\n")[:3]
    assert all(line.startswith("#") for line in header)
    assert "campaign-export 2020" in header[1]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", header[1])
    assert "[campaign]" in text and "[form]" in text


def test_units_other_than_the_rule_are_exported_as_explicit_lists(campaign, tmp_path):
    guangdong = Unit.objects.get(code="440000")
    city = Unit.objects.create(code="440100", name="广州市", short_name="广州", kind=UnitKind.CITY, parent=guangdong)
    Participant.objects.create(campaign=campaign, unit=city, fills_statistics=True)
    Participant.objects.filter(campaign=campaign, unit__code="GACC").update(fills_statistics=True)
    Participant.objects.filter(campaign=campaign, unit__code="660000").update(fills_statistics=False)

    text = campaign_export(campaign)
    info = tomllib.loads(text)["campaign"]
    assert "440100" in info["statistics_from"] and "GACC" in info["statistics_from"]
    assert info["summary_only"] == ["660000"]

    loaded = campaign_load_text(as_year(text, 2021)).campaign
    assert snapshot(loaded)["participants"] == snapshot(campaign)["participants"]
    assert without_header(campaign_export(loaded)) == without_header(as_year(text, 2021))


def test_campaign_export_command_prints_or_writes_a_file(campaign, tmp_path):
    out = StringIO()
    call_command("campaign-export", "2020", stdout=out)
    assert tomllib.loads(out.getvalue())["campaign"]["year"] == 2020

    target = tmp_path / "campaign-2020.toml"
    out = StringIO()
    call_command("campaign-export", "2020", "--out", str(target), stdout=out)
    assert str(target) in out.getvalue()
    assert without_header(target.read_text(encoding="utf-8")) == without_header(campaign_export(campaign))

    with pytest.raises(CommandError, match="没有 1999 年的活动"):
        call_command("campaign-export", "1999")


# --- Round trip ---------------------------------------------------------------------------------------------------


def test_an_edited_export_loads_as_a_new_year_equal_but_for_the_edits_and_exports_back_unchanged(campaign, tmp_path):
    exported = campaign_export(campaign)
    edited = as_year(exported, 2021).replace('theme = "诚实经营、守信服务"', 'theme = "诚信经营、放心消费"', 1)
    assert edited.count("诚信经营、放心消费") == 1

    output = load(edited, tmp_path=tmp_path)
    new = Campaign.objects.get(year=2021)
    assert "新建" in output and "55 个报送单位" in output and "15 项主要活动" in output and "13 项指标" in output

    expected = snapshot(campaign)
    expected["fields"]["theme"] = "诚信经营、放心消费"
    assert snapshot(new) == expected
    assert new.is_preparing  # a loaded year is prepared before it is published, as a copy is
    assert without_header(campaign_export(new)) == without_header(edited)


def test_the_seed_file_loads_through_campaign_load_too(campaign, tmp_path):
    before = snapshot(campaign)
    output = load(campaign_text(2020), "--replace", tmp_path=tmp_path)
    assert "已替换" in output
    assert snapshot(Campaign.objects.get(year=2020)) == before

    output = load(as_year(campaign_text(2020), 2022), tmp_path=tmp_path)
    assert "新建" in output
    new = snapshot(Campaign.objects.get(year=2022))
    assert new["plan"] == before["plan"] and new["participants"] == before["participants"]
    assert new["figures"] == before["figures"]


def test_replacing_keeps_a_units_own_deadline_and_drops_what_the_file_drops(campaign, tmp_path):
    Participant.objects.filter(campaign=campaign, unit__code="660000").update(
        deadline_override=dt.date(2020, 12, 5), exception_reason="疫情"
    )
    text = campaign_export(campaign)
    cut = text.index("[[plan_activity]]\nnumber = 15")
    text = text[:cut] + text[text.index("\n\n", cut) + 2 :]
    text = text.replace('title = "加强统筹协调"', 'title = "加强组织领导"', 1)

    loaded, created = campaign_load_text(text, replace=True)
    assert not created
    assert loaded.plan_activities.count() == 14
    assert loaded.requirements.get(number=1).title == "加强组织领导"
    assert loaded.participants.get(unit__code="660000").deadline_override == dt.date(2020, 12, 5)


# --- Refusals -----------------------------------------------------------------------------------------------------


@pytest.fixture
def text_2021(campaign) -> str:
    return as_year(campaign_export(campaign), 2021)


def _line_of(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def test_an_unknown_lead_body_is_named_with_its_place_and_line(text_2021, tmp_path):
    text = text_2021.replace('lead_body = "CAC"', 'lead_body = "XYZ"', 1)
    problems = refusal(text)
    line = _line_of(text, 'lead_body = "XYZ"')
    assert problems == [f"第 {line} 行：[[plan_activity]] 3：牵头单位“XYZ”不存在"]

    with pytest.raises(CommandError) as caught:
        load(text, tmp_path=tmp_path)
    lines = str(caught.value).split("\n")
    assert lines[0].endswith("campaign.toml: 活动未作任何修改")
    assert lines[1].endswith(f"campaign.toml: 第 {line} 行：[[plan_activity]] 3：牵头单位“XYZ”不存在")
    assert not Campaign.objects.filter(year=2021).exists()


def test_an_unknown_body_and_an_unknown_reporting_unit_are_refused(text_2021):
    text = text_2021.replace('"CCFA"]', '"NOPE"]', 1).replace(
        'statistics_from = "provincial"', 'statistics_from = ["999999"]'
    )
    problems = refusal(text)
    assert any("bodies 中的单位“NOPE”不存在" in p for p in problems)
    assert any("statistics_from 中的单位“999999”不存在" in p for p in problems)


def test_a_plan_activity_without_title_is_refused(text_2021):
    text = text_2021.replace('title = "“信用交通”主题活动"\n', "", 1)
    problems = refusal(text)
    assert len(problems) == 1 and "[[plan_activity]] 6：缺少标题 title" in problems[0]


def test_duplicate_numbers_are_refused(text_2021):
    cut = text_2021.index("[[requirement]]\nnumber = 2")
    text = text_2021[:cut] + text_2021[cut:].replace("number = 2", "number = 1", 1)
    problems = refusal(text)
    assert len(problems) == 1 and "[[requirement]] 2：序号 1 重复（第 1 项已用）" in problems[0]


def test_a_bad_date_is_refused(text_2021):
    problems = refusal(text_2021.replace("period_start = 2020-10-01", "period_start = 2020-02-30"))
    assert len(problems) == 1 and "TOML 格式错误，在第" in problems[0]

    text = text_2021.replace("period_start = 2020-10-01", 'period_start = "2020-10-01"')
    problems = refusal(text)
    line = _line_of(text, 'period_start = "2020-10-01"')
    assert problems == [f"第 {line} 行：[campaign]：period_start 应为日期，如 2021-10-01（不加引号）"]


def test_period_end_before_period_start_is_refused(text_2021):
    text = text_2021.replace("period_end = 2020-10-31", "period_end = 2020-09-30")
    problems = refusal(text)
    assert problems == [f"第 {_line_of(text, 'period_end = 2020-09-30')} 行：[campaign]：活动结束日期不能早于开始日期"]


def test_every_problem_is_reported_at_once_with_the_forms_own(text_2021):
    text = (
        text_2021.replace('lead_body = "CAC"', 'lead_body = "XYZ"', 1)
        .replace("period_end = 2020-10-31", "period_end = 2020-09-30")
        .replace('code = "tv_news"', 'code = "print_news"')
        .replace("[[focus_area]]", "[[focus_areas]]", 1)
    )
    problems = refusal(text)
    assert len(problems) == 4
    assert any("指标代码 print_news 重复" in p for p in problems)
    assert any("不认识的表 [focus_areas]" in p for p in problems)


def test_an_existing_year_is_refused_without_replace(campaign, tmp_path):
    text = campaign_export(campaign).replace('theme = "诚实经营、守信服务"', 'theme = "别的主题"')
    problems = refusal(text)
    assert len(problems) == 1 and "2020年的活动已经存在；要用本文件替换它，请加 --replace" in problems[0]
    with pytest.raises(CommandError, match="--replace"):
        load(text, tmp_path=tmp_path)
    assert Campaign.objects.get(year=2020).theme == "诚实经营、守信服务"


def test_replacing_is_refused_once_a_unit_has_submitted_a_report(campaign, alice, tmp_path):
    submitted_report(campaign, alice.unit, alice)
    text = campaign_export(campaign).replace('theme = "诚实经营、守信服务"', 'theme = "别的主题"')
    problems = refusal(text, replace=True)
    assert len(problems) == 1 and "已有单位报送了2020年的报告，不能再用文件替换整个活动" in problems[0]
    with pytest.raises(CommandError, match="已有单位报送"):
        load(text, "--replace", tmp_path=tmp_path)
    assert Campaign.objects.get(year=2020).theme == "诚实经营、守信服务"


def test_a_replacement_the_form_refuses_changes_nothing_at_all(campaign, alice, guangdong_report):
    """The form's own rule (a figure a unit holds a value for cannot go) is met after the campaign's texts were
    written: the transaction takes them back too."""
    report_save_draft(report=guangdong_report, raw_values={"tv_news": "3"}, version=0, acting_user=alice)
    text = campaign_export(campaign).replace('theme = "诚实经营、守信服务"', 'theme = "别的主题"')
    cut = text.index('[[form.rows.rows.rows]]\nlabel = "电视新闻（条）"')
    text = text[:cut] + text[text.index("\n\n", cut) + 2 :]

    problems = refusal(text, replace=True)
    assert problems == ["指标 tv_news（条数）已有单位填报了数据，不能删除（可以改名）"]
    assert Campaign.objects.get(year=2020).theme == "诚实经营、守信服务"
    assert campaign.stat_form.figures.filter(code="tv_news").exists()


def test_only_a_national_administrator_may_load_a_file(text_2021, alice, dave):
    with pytest.raises(DomainError) as caught:
        campaign_load_text(text_2021, acting_user=alice)
    assert caught.value.status == 403
    assert campaign_load_text(text_2021, acting_user=dave).created


# --- Any text survives ----------------------------------------------------------------------------------------

# What people paste into a theme or a title: Chinese punctuation, quotes, backslashes, line breaks, control
# characters, TOML's own syntax.
TEXT_CHARACTERS = "诚信兴商（）、，：；“”《》「」Ab9 _-.'\"\\\t\n\r\x01\x7f\u3000[]=#{}$\u2028"
TEXTS = st.text(TEXT_CHARACTERS, min_size=1, max_size=60).filter(str.strip)


@given(value=st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
@settings(max_examples=200, deadline=None)
def test_any_string_reads_back_as_itself(value):
    assert tomllib.loads(f"a = {toml_string(value)}\n")["a"] == value


@given(theme=TEXTS, title=TEXTS, body=TEXTS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_in_theme_and_titles_survives_the_round_trip(campaign, theme, title, body):
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(theme=theme)
        campaign.plan_activities.filter(number=1).update(title=title, description=body)
        campaign.focus_areas.filter(number=2).update(title=title, body=body)
        campaign.refresh_from_db()

        loaded = campaign_load_text(as_year(campaign_export(campaign), 2021)).campaign
        assert loaded.theme == theme
        assert loaded.plan_activities.values_list("title", "description").get(number=1) == (title, body)
        assert loaded.focus_areas.values_list("title", "body").get(number=2) == (title, body)
        transaction.set_rollback(True)
