"""`chengxin totals` and `chengxin completeness`: the JSON a script reads equals what the pages show."""

import datetime as dt
import html
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from chengxin.analytics.selectors import completeness, totals
from chengxin.analytics.tests.test_selectors import ACCEPTED_TOTALS, ALL_TOTALS, SUBMITTED_TOTALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, world):
    client.force_login(world["carol"])
    return client


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def page_totals(client, scope: str | None = None) -> dict:
    """The national totals as a person reads them off /campaigns/2020/totals/."""
    url = reverse("analytics:totals", kwargs={"year": 2020})
    response = client.get(url + (f"?scope={scope}" if scope else ""))
    assert response.status_code == 200
    page = response.content.decode()
    numbers = {
        code: 0 if text == "—" else int(text.replace(",", ""))
        for code, text in re.findall(r'<strong class="num" data-code="(\w+)">([\d,—]+)</strong>', page)
    }
    methods_block = re.search(r'id="total-material_methods">(.*?)</div>', page, re.S).group(1)
    methods = {
        html.unescape(name): int(count)
        for name, count in re.findall(r"<li>(.+?) <strong>(\d+)</strong> 个单位</li>", methods_block)
    }
    return {**numbers, "material_methods": methods}


# --- totals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), SUBMITTED_TOTALS),
        (("--status", "submitted"), SUBMITTED_TOTALS),
        (("--status", "accepted"), ACCEPTED_TOTALS),
        (("--status", "all"), ALL_TOTALS),
    ],
)
def test_totals_json_is_the_selectors_result(campaign, args, expected):
    result = json.loads(run("totals", "--campaign", "2020", "--json", *args))
    scope = args[1] if args else "submitted"
    assert result == totals(campaign, scope)
    assert result == expected
    assert list(result) == list(expected)  # figure codes in printed order


def test_totals_json_keeps_the_method_order_and_chinese_text(campaign):
    text = run("totals", "--campaign", "2020", "--json")
    assert '"手册": 3' in text  # not \\u escapes
    assert list(json.loads(text)["material_methods"]) == ["手册", "展板", "横幅"]


@pytest.mark.parametrize("scope", [None, "submitted", "accepted", "all"])
def test_totals_json_equals_the_numbers_on_the_totals_page(reviewer_client, scope):
    args = ("--status", scope) if scope else ()
    result = json.loads(run("totals", "--campaign", "2020", "--json", *args))
    assert page_totals(reviewer_client, scope) == result


def test_the_totals_page_shows_thousands_separators_and_units(reviewer_client):
    page = reviewer_client.get(reverse("analytics:totals", kwargs={"year": 2020})).content.decode()
    assert '<strong class="num" data-code="live_viewers">15,000</strong> <span class="uom">人次</span>' in page
    assert '<strong class="num" data-code="people_reached">63,000</strong>' in page


def test_an_unknown_scope_on_the_page_falls_back_to_submitted(reviewer_client):
    assert page_totals(reviewer_client, "everything") == SUBMITTED_TOTALS


def test_totals_text_output_names_each_cell(campaign):
    text = run("totals", "--campaign", "2020", "--status", "all")
    assert "2020年“诚信兴商宣传月”活动 全国合计（全部（含草稿））" in text
    assert "tv_news              传统媒介 › 电视新闻（条）: 14 条" in text
    assert "新媒介 › 直播（场次，观看人次） 观看人次: 15,000 人次" in text
    assert "户外活动 › 宣传资料展示（方式，份数） 方式: 展板 3，手册 3，横幅 2" in text


def test_totals_refuses_an_unknown_campaign_or_scope(campaign):
    with pytest.raises(CommandError, match="没有 2019 年的活动"):
        run("totals", "--campaign", "2019", "--json")
    with pytest.raises(CommandError, match="invalid choice"):
        run("totals", "--campaign", "2020", "--status", "draft")


def test_the_totals_page_is_for_ministry_staff_only(client, world):
    from chengxin.units.models import Unit
    from chengxin.units.tests.factories import UserFactory

    reporter = UserFactory(username="gd-reporter", unit=Unit.objects.get(code="440000"))
    client.force_login(reporter)
    assert client.get(reverse("analytics:totals", kwargs={"year": 2020})).status_code == 404
    assert client.get(reverse("analytics:completeness", kwargs={"year": 2020})).status_code == 404


# --- completeness -------------------------------------------------------------------------------------------------


def test_completeness_json_is_every_expected_unit_as_the_selector_sees_it(campaign):
    result = json.loads(run("completeness", "--campaign", "2020", "--json"))
    assert result == [u.as_json() for u in completeness(campaign).units]
    assert len(result) == 55
    by_code = {u["code"]: u for u in result}
    assert by_code["440000"]["status"] == "submitted" and by_code["440000"]["late"] is True
    assert by_code["660000"]["status"] == "submitted" and by_code["660000"]["late"] is False
    assert by_code["210200"]["status"] == "accepted"
    assert by_code["440300"]["status"] == "returned"
    assert by_code["110000"]["status"] == "draft"
    assert by_code["310000"]["status"] == "not_started"
    assert {u["status"] for u in result} == {"not_started", "draft", "submitted", "returned", "accepted"}


def test_completeness_json_equals_the_completeness_page(reviewer_client):
    result = json.loads(run("completeness", "--campaign", "2020", "--json"))
    page = reviewer_client.get(reverse("analytics:completeness", kwargs={"year": 2020})).content.decode()
    rows = re.findall(r'<tr class="row-(\w+)">(.*?)</tr>', page, re.S)
    shown = {}
    for status, cells in rows:
        code = re.search(r"<td>([0-9A-Z]+)</td>", cells).group(1)
        late = "逾期" if "status-late" in cells else ("按时" if "按时" in cells else "")
        shown[code] = (status, late)
    assert shown == {
        u["code"]: (u["status"], ("逾期" if u["late"] else "按时") if u["submitted_at"] else "") for u in result
    }


def test_the_completeness_page_summary_matches_the_selector(reviewer_client, campaign):
    page = reviewer_client.get(reverse("analytics:completeness", kwargs={"year": 2020})).content.decode()
    data = completeness(campaign)
    for kind in [*data.by_kind, data.overall]:
        row = re.search(rf'<th scope="row">{kind.label}</th>(.*?)</tr>', page, re.S).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row)
        numbers = [cells[i] for i in (0, 1, 3, 5, 6, 7, 8)]
        assert numbers == [
            str(v)
            for v in (
                kind.expected,
                kind.submitted,
                kind.on_time,
                kind.accepted,
                kind.returned,
                kind.drafts,
                kind.not_started,
            )
        ]
    assert "<td>55</td><td>4</td><td>7.3%</td><td>1</td><td>1.8%</td>" in page
    assert "报送已于 2020年11月25日 截止" in page


def test_completeness_text_output(campaign):
    text = run("completeness", "--campaign", "2020")
    assert text.startswith("2020年“诚信兴商宣传月”活动：应报 55，已报 4（7%），按时 1（2%）。")
    assert re.search(r"440000\s+广东省\s+已报送\s+\d{4}-\d\d-\d\d \d\d:\d\d 逾期", text)
    assert re.search(r"660000\s+新疆生产建设兵团\s+已报送\s+\d{4}-\d\d-\d\d \d\d:\d\d\s*$", text, re.M)


def test_completeness_refuses_an_unknown_campaign(campaign):
    with pytest.raises(CommandError, match="先运行 chengxin load-campaign 2019"):
        run("completeness", "--campaign", "2019", "--json")


def test_the_completeness_page_filters_by_status(reviewer_client):
    url = reverse("analytics:completeness", kwargs={"year": 2020})
    page = reviewer_client.get(url + "?status=draft").content.decode()
    rows = re.findall(r'<tr class="row-(\w+)">.*?<td>([0-9A-Z]+)</td>', page, re.S)
    assert sorted(rows) == [("draft", "110000"), ("draft", "330200")]


@pytest.mark.parametrize(("scope", "tables"), [("submitted", 3), ("accepted", 1), ("all", 6)])
def test_the_totals_page_says_how_many_units_tables_the_totals_add_up(reviewer_client, scope, tables):
    # submitted: 广东省, 大连市, 兵团 (海关总署 sent a summary only); accepted: 大连市; all: those three and
    # 北京市 (draft), 深圳市 (returned), 宁波市 (draft, summary only so far)
    url = reverse("analytics:totals", kwargs={"year": 2020}) + f"?scope={scope}"
    page = reviewer_client.get(url).content.decode()
    note = re.search(r'<p class="muted">(.*?)</p>', page, re.S).group(1)
    assert int(re.search(r"(\d+) 个单位", note).group(1)) == tables


def test_completeness_text_shows_beijing_time(campaign):
    from django.utils import timezone

    from chengxin.reporting.models import Report

    at = timezone.make_aware(dt.datetime(2020, 11, 20, 14, 5))  # Asia/Shanghai
    Report.objects.filter(campaign=campaign, unit__code="440000").update(submitted_at=at)
    assert re.search(r"440000\s+广东省\s+已报送\s+2020-11-20 14:05", run("completeness", "--campaign", "2020"))
