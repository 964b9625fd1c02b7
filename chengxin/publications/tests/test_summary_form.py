"""The summary looks like a ministry summary in Word and WPS: A4 with the official margins, the fonts named in the
styles (仿宋_GB2312 body, 黑体 headings, 方正小标宋简体 title), sections 一、二、三…, page numbers, the appendix on
landscape pages; every chart has its table, and a server without a Chinese font still drafts it, tables only."""

import io

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from chengxin.publications import charts
from chengxin.publications.selectors import excerpt
from chengxin.publications.services import summary_document
from chengxin.publications.tests.helpers import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(campaign, alice, bob, carol, dave, erin, django_capture_on_commit_callbacks):
    return build_campaign(
        campaign, alice=alice, bob=bob, carol=carol, dave=dave, erin=erin, capture=django_capture_on_commit_callbacks
    )


def _cm(length) -> float:
    return round(length.cm, 2)  # stored in twentieths of a point


def _east_asian_font(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_document_has_the_form_of_a_ministry_summary(campaign, in_review):
    document = docx.Document(io.BytesIO(summary_document(campaign=campaign, scope="accepted")))
    first, appendix = document.sections[0], document.sections[-1]
    assert (_cm(first.page_width), _cm(first.page_height)) == (21, 29.7)  # A4
    margins = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    assert [_cm(m) for m in margins] == [3.7, 3.5, 2.8, 2.6]
    assert appendix.orientation == WD_ORIENT.LANDSCAPE and _cm(appendix.page_width) == 29.7

    styles = document.styles
    assert _east_asian_font(styles["Normal"]) == "仿宋_GB2312"
    assert _east_asian_font(styles["Heading 1"]) == "黑体"
    assert _east_asian_font(styles["Title"]) == "方正小标宋简体"
    assert styles["Normal"].font.size.pt == 16  # 三号

    footer = first.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ")

    title = document.paragraphs[0]
    assert (title.style.name, title.text) == ("Title", "2020年“诚信兴商宣传月”活动总结")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h[:2] for h in headings[:6]] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert headings[-1] == "附表"
    assert "统计范围：仅已审核" in document.paragraphs[1].text


def _drafted(campaign) -> docx.document.Document:
    return docx.Document(io.BytesIO(summary_document(campaign=campaign, scope="submitted")))


def test_every_chart_has_its_table_and_without_a_chinese_font_the_tables_stay(campaign, in_review, monkeypatch):
    if charts.cjk_font() is None:
        pytest.skip("no Chinese font installed here (apt-get install fonts-noto-cjk): charts cannot be drawn")
    with_charts = _drafted(campaign)
    captions = [p.text for p in with_charts.paragraphs if p.style.name == "Caption"]
    figures = [c for c in captions if c.startswith("图")]
    # Reach and consultations (no populations here, so no per-10,000 ranking) and the media.
    assert len(with_charts.inline_shapes) == len(figures) == 3
    # Each chart right under the table of its numbers: the caption before a figure's image is a table's.
    assert [c.split("　", 1)[1] for c in figures] == [
        "宣传覆盖总人数前2名",
        "接受咨询服务总量前2名",
        "传统媒介与新媒介发稿量",
    ]
    tables = [c.split("　", 1)[1] for c in captions if c.startswith("表")]
    assert {"宣传覆盖总人数前2名", "接受咨询服务总量前2名", "传统媒介与新媒介发布情况"} <= set(tables)

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    tables_only = _drafted(campaign)
    assert len(tables_only.inline_shapes) == 0
    assert len(tables_only.tables) == len(with_charts.tables)
    notes = [p.text for p in tables_only.paragraphs if "未安装中文字体" in p.text]
    assert len(notes) == 1 and "数据见各表" in notes[0]


def test_a_chart_is_a_png_drawn_with_the_chinese_font():
    if charts.cjk_font() is None:
        pytest.skip("no Chinese font installed here")
    png = charts.bar_chart(["广东省", "北京市"], [50_000, 100_000], unit="人次")
    assert png.startswith(b"\x89PNG")
    assert charts.bar_chart([], []) is None
    assert charts.grouped_bar_chart([("传统媒介", []), ("新媒介", [])]) is None


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        (
            "广东省活动总结\n一、基本情况\n今年我省开展进社区活动，共举办讲座三十场。活动得到广泛好评，群众满意。",
            "今年我省开展进社区活动，共举办讲座三十场。",
        ),
        (
            "总结\n我们高度重视本次活动，精心组织安排部署。各市积极参与，形成了良好氛围。",
            "我们高度重视本次活动，精心组织安排部署。各市积极参与，形成了良好氛围。",
        ),
        ("活动\t场次\n会议\t12", ""),  # a table only: nothing to quote
        ("", ""),
    ],
)
def test_an_excerpt_is_a_sentence_or_two_preferring_what_was_counted(text, quoted):
    assert excerpt(text) == quoted


def test_a_long_sentence_is_cut_at_the_limit():
    text = "我省" + "开展诚信宣传活动" * 40 + "，共举办讲座三十场。"
    cut = excerpt(text, limit=60)
    assert len(cut) == 60 and cut.endswith("…")
