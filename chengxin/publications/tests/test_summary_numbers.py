"""Every number of the national summary is the one `chengxin completeness` and `chengxin totals` give for the same
scope: the test drafts the summary of a campaign in the middle of its review, reads the .docx back with python-docx
and compares the participation section and the national totals with the commands' JSON."""

from collections import Counter

import pytest

from chengxin.publications.services import summary_document
from chengxin.publications.tests.helpers import (
    GUANGDONG_SUMMARY,
    blocks,
    build_campaign,
    command_json,
    numbers,
    paragraphs,
    section,
    tables,
    whole,
)
from chengxin.statform.selectors import form_definition
from chengxin.units.models import UnitKind

pytestmark = pytest.mark.django_db
SUBMITTED = ("submitted", "accepted")
SCOPE_STATUSES = {"submitted": SUBMITTED, "accepted": ("accepted",)}


@pytest.fixture
def in_review(campaign, alice, bob, carol, dave, erin, django_capture_on_commit_callbacks):
    return build_campaign(
        campaign, alice=alice, bob=bob, carol=carol, dave=dave, erin=erin, capture=django_capture_on_commit_callbacks
    )


def _counts(units: list[dict]) -> list[int]:
    """expected, submitted, on time, late, missing: from `chengxin completeness --json`."""
    submitted = sum(u["status"] in SUBMITTED for u in units)
    late = sum(bool(u["late"]) for u in units)
    return [len(units), submitted, submitted - late, late, len(units) - submitted]


@pytest.mark.parametrize("scope", ["submitted", "accepted"])
def test_every_number_of_the_participation_section_is_what_completeness_says(campaign, in_review, scope):
    units = command_json("completeness", campaign=2020)
    part = section(blocks(summary_document(campaign=campaign, scope=scope)), "一、")

    expected, submitted, on_time, late, missing = _counts(units)
    accepted = sum(u["status"] == "accepted" for u in units)
    assert (expected, submitted, on_time, late, accepted) == (55, 3, 1, 2, 1)  # the scenario is what it says
    lead = paragraphs(part)[0]
    assert numbers(lead) == [
        str(expected),
        str(submitted),
        f"{submitted / expected:.1%}",
        str(on_time),
        str(late),
        str(missing),
        str(accepted),
    ]
    assert "2020年11月25日" in lead  # the deadline

    [table] = tables(part)
    assert table[0] == ["单位类别", "应报送", "已报送", "按时报送", "逾期报送", "未报送"]
    by_kind: dict[str, list[dict]] = {}
    for u in units:
        by_kind.setdefault(u["kind"], []).append(u)
    order = [k.value for k in UnitKind]
    wanted = [[str(UnitKind(k).label), *map(str, _counts(by_kind[k]))] for k in sorted(by_kind, key=order.index)]
    assert table[1:-1] == wanted
    assert table[-1] == ["合计", *map(str, _counts(units))]

    names = paragraphs(part)[1].removeprefix("尚未报送的单位：").removesuffix("。").split("、")
    assert [n.split("（")[0] for n in names] == [u["name"] for u in units if u["status"] not in SUBMITTED]
    assert "上海市（草稿）" in names and "天津市（未填报）" in names


@pytest.mark.parametrize("scope", ["submitted", "accepted"])
def test_every_number_of_the_totals_is_what_the_totals_command_says(campaign, in_review, scope):
    result = command_json("totals", campaign=2020, status=scope)
    units = command_json("completeness", campaign=2020)
    part = section(blocks(summary_document(campaign=campaign, scope=scope)), "二、")
    definition = form_definition(campaign)

    counted = [u for u in units if u["kind"] != UnitKind.NATIONAL_BODY and u["status"] in SCOPE_STATUSES[scope]]
    texts = paragraphs(part)
    assert numbers(texts[0]) == [str(len(counted))]  # the statistics tables added up

    [table] = tables(part)
    assert table[0] == ["项目", "计量单位", "全国合计"]  # no earlier campaign: nothing to compare with
    code_of = {f.cell_name: f.code for f in definition.figures}
    shown = {code_of[label]: whole(value) for label, _unit, value in table[1:]}
    assert shown == {code: value for code, value in result.items() if isinstance(value, int)}
    assert [row[1] for row in table[1:]] == [f.unit for f in definition.number_figures]

    # The headline: each ranked figure's total, as in the table.
    headline = texts[1]
    for code in ("people_reached", "consultations"):
        assert f"{result[code]:,}" in headline
    assert sorted(numbers(headline)) == sorted(f"{result[c]:,}" for c in ("people_reached", "consultations"))

    # The display methods: each named item with the number of units naming it.
    methods = next(t for t in texts if t.startswith("宣传资料展示 方式"))
    named = dict(pair.rsplit(" ", 2)[:2] for pair in methods.split("：", 1)[1].rstrip("。").split("，"))
    assert {item: int(n) for item, n in named.items()} == result["material_methods"]
    if scope == "submitted":
        assert result["people_reached"] == 50_000 * 3  # 广东省 1×, 北京市 2×; the draft of 上海市 is not counted


def test_the_appendix_adds_up_to_the_national_totals(campaign, in_review):
    result = command_json("totals", campaign=2020, status="submitted")
    [table] = tables(section(blocks(summary_document(campaign=campaign, scope="submitted")), "附表"))
    definition = form_definition(campaign)
    assert len(table[0]) == 2 + len(definition.number_figures)
    rows = {row[0]: row for row in table[1:]}
    assert rows["广东省"][1] == "已审核" and rows["北京市"][1] == "已报送" and rows["上海市"][1] == "草稿"
    assert set(rows["上海市"][2:]) == {"—"}  # a draft is not in the scope
    sums: Counter = Counter()
    for row in table[1:-1]:
        for f, cell in zip(definition.number_figures, row[2:], strict=True):
            sums[f.code] += 0 if cell == "—" else whole(cell)
    total = {f.code: whole(cell) for f, cell in zip(definition.number_figures, table[-1][2:], strict=True)}
    assert table[-1][0] == "全国合计"
    assert total == dict(sums) == {code: v for code, v in result.items() if isinstance(v, int)}


def test_rankings_activities_excerpts_and_cases_name_their_units(campaign, in_review):
    all_blocks = blocks(summary_document(campaign=campaign, scope="submitted"))
    reach = section(all_blocks, "三、")
    ranking = tables(reach)[0]
    assert ranking[0][:3] == ["名次", "单位", "宣传覆盖总人数（人次）"]
    assert ranking[1:] == [["1", "北京市", "100,000"], ["2", "广东省", "50,000"]]  # no population: no per 10,000

    [plan] = tables(section(all_blocks, "四、"))
    line = next(row for row in plan if row[0] == "8")
    assert line[2] == "海关总署" and line[3:] == ["1", "1"]
    assert plan[-1][1] == "合计" and plan[-1][3] == "1"

    texts = paragraphs(section(all_blocks, "五、"))
    assert f"广东省：{GUANGDONG_SUMMARY[1]}" in texts  # the sentence that counts something, whole
    assert any(t.startswith("北京市：") and "120家" in t for t in texts)
    assert "【典型案例】老字号明码标价三十年（广东省）：广州某老字号坚持明码标价，三十年无投诉。" in texts
    assert not any("海关总署开展诚信宣传" in t for t in texts)  # too short to be a sentence worth quoting
