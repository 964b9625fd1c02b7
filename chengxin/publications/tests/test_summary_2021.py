"""A later year's form drafts its own summary with no code change: 2021 (copied from 2020, its form edited as the
ministry's administrator would: short_video_views added and shown per 10,000 residents, 传统媒介 renamed 传统媒体,
radio_broadcasts dropped) gets its own totals table, compared with 2020 by figure code."""

import pytest

from chengxin.campaigns.services import campaign_copy
from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.publications.services import summary_document
from chengxin.publications.tests.helpers import blocks, command_json, paragraphs, section, tables, whole
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.selectors import form_definition
from chengxin.statform.services import form_as_spec, form_edit
from chengxin.statform.tests.test_scenario_2021 import FIGURES_2021, edited_2021_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2021(campaign, alice, dave):
    submitted_report(campaign, alice.unit, alice, VALID_FIGURES)  # 2020, to compare with
    new = campaign_copy(source=campaign, year=2021, acting_user=dave)
    form_edit(campaign=new, text=edited_2021_text(spec_to_toml(form_as_spec(new.stat_form))), acting_user=dave)
    submitted_report(new, alice.unit, alice, FIGURES_2021)
    return new


def test_the_2021_summary_has_its_forms_figures_compared_with_2020_by_code(year_2021):
    now = command_json("totals", campaign=2021, status="submitted")
    before = command_json("totals", campaign=2020, status="submitted")
    all_blocks = blocks(summary_document(campaign=year_2021, scope="submitted"))
    part = section(all_blocks, "二、")

    [table] = tables(part)
    assert table[0] == ["项目", "计量单位", "2021年", "2020年", "增减"]
    definition = form_definition(year_2021)
    code_of = {f.cell_name: f.code for f in definition.number_figures}
    rows = {code_of.get(row[0], row[0]): row for row in table[1:]}
    for f in definition.number_figures:
        label, unit, value, previous, change = rows[f.code]
        assert (unit, whole(value)) == (f.unit, now[f.code])
        if f.code == "short_video_views":  # new this year: nothing to compare with
            assert (label, previous, change) == ("新媒介 › 短视频播放量（人次）", "—", "新增指标")
            assert value == "80,000"
        else:
            assert whole(previous) == before[f.code]
    # Dropped this year: last year's number, said so, after this year's figures.
    assert table[-1] == ["电台广播", "次", "—", f"{before['radio_broadcasts']:,}", "本年已取消"]
    assert rows["live_viewers"][4] == "0.0%"  # the same 12,000 both years

    reach = section(all_blocks, "三、")
    headings = [p.text for p in reach if getattr(p, "style", None) is not None and p.style.name == "Heading 2"]
    # The figures shown per 10,000 residents, in the form's order, then the media under this year's names.
    assert headings == [
        "（一）短视频播放量",
        "（二）宣传覆盖总人数",
        "（三）接受咨询服务总量",
        "（四）传统媒体与新媒介",
    ]
    assert not any("电台广播" in cell for t in tables(reach) for row in t for cell in row)
    media = next(t for t in paragraphs(reach) if t.startswith("按发稿量"))
    items = now["print_news"] + now["tv_news"], now["web_news"] + now["videos"]  # the figures counting items
    assert media == f"按发稿量（各项篇数、条数、次数之和）计，传统媒体{items[0]}，新媒介{items[1]}。"
