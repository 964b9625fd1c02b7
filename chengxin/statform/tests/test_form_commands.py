"""`chengxin form-export YEAR` and `chengxin form-load YEAR FILE`: the form as TOML on the command line, checked by
the same validator as the web editor and the data file, refused with the line of each problem, and refused once
a unit has submitted a report."""

import io

import pytest
from django.core.management import CommandError, call_command

from chengxin.conftest import submitted_report
from chengxin.statform.services import form_as_spec
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


def export(year: int) -> str:
    out = io.StringIO()
    call_command("form-export", str(year), stdout=out)
    return out.getvalue()


def load(year: int, path, *, exit_code: bool = False):
    """Run form-load; with `exit_code`, what the shell sees of a refusal: Django's command runner prints a
    CommandError to standard error and exits with its `returncode`. (Not through run_from_argv itself: it closes
    the database connections, the test's own among them.)"""
    if not exit_code:
        out = io.StringIO()
        call_command("form-load", str(year), str(path), stdout=out)
        return out.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command("form-load", str(year), str(path))
    return refused.value.returncode, str(refused.value)


def test_export_prints_the_form_and_load_reads_it_back_unchanged(campaign, tmp_path):
    before = form_as_spec(campaign.stat_form)
    text = export(2020)
    assert text.count("[[form.rules]]") == 6 and 'code = "people_reached"' in text and "per_10k = true" in text
    path = tmp_path / "form-2020.toml"
    path.write_text(text, encoding="utf-8")
    assert load(2020, path) == "2020年“诚信兴商宣传月”活动统计表：13 项指标，6 条校验规则\n"
    assert form_as_spec(campaign.stat_form) == before


def test_a_renamed_group_is_loaded(campaign, tmp_path):
    path = tmp_path / "form.toml"
    path.write_text(export(2020).replace('label = "传统媒介"', 'label = "传统媒体"'), encoding="utf-8")
    load(2020, path)
    assert campaign.stat_form.rows.filter(label="传统媒体").exists()


def test_a_wrong_file_exits_1_naming_each_problem_and_its_line(campaign, tmp_path):
    before = form_as_spec(campaign.stat_form)
    text = export(2020).replace('anchor = "people_reached"', 'anchor = "reach"')
    text = text.replace('count = "copies"', 'count = "sheets"')
    path = tmp_path / "form.toml"
    path.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    copies = next(n for n, line in enumerate(lines, 1) if 'count = "sheets"' in line)
    code, err = load(2020, path, exit_code=True)
    assert code == 1
    assert f"form.toml: 第 {copies} 行：指标 material_copies 的计数类别 count 只能是" in err
    assert "统计表未作任何修改" in err
    assert form_as_spec(campaign.stat_form) == before
    # With the shape right, the rule's unknown anchor is named on its line.
    path.write_text(text.replace('count = "sheets"', 'count = "copies"'), encoding="utf-8")
    anchor = next(n for n, line in enumerate(lines, 1) if 'anchor = "reach"' in line)
    with pytest.raises(CommandError, match=f"第 {anchor} 行：校验规则 reach_covers_attendance 的提示单元格"):
        load(2020, path)


def test_refused_once_a_unit_has_submitted(campaign, alice, tmp_path):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    path = tmp_path / "form.toml"
    path.write_text(export(2020).replace('label = "观看人次"', 'label = "观看量"'), encoding="utf-8")
    code, err = load(2020, path, exit_code=True)
    assert code == 1 and "已有单位报送了2020年的统计表，统计表不能再修改" in err
    assert campaign.stat_form.figures.get(code="live_viewers").label == "观看人次"


def test_an_unknown_year_is_a_clear_error(campaign, tmp_path):
    with pytest.raises(CommandError, match="没有 2031 年的统计表（已有：2020）"):
        export(2031)
    with pytest.raises(CommandError, match="没有 2031 年的活动"):
        load(2031, tmp_path / "missing.toml")
