"""The statistics form is data: a later year's table adds, renames and drops rows without a code change
(statform/services.py form_load, statform/definition.py build_definition)."""

import copy
import datetime as dt

import pytest
from django.db.models import ProtectedError

from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.services import campaign_spec
from chengxin.core.errors import DomainError
from chengxin.reporting.selectors import report_values
from chengxin.reporting.services import report_get_or_start, report_save_draft
from chengxin.statform.definition import build_definition
from chengxin.statform.models import Figure, Row, Rule, StatForm
from chengxin.statform.services import form_load
from chengxin.statform.validation import check_values, parse_values
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign_2021(campaign):
    """A second campaign, made by hand as the ministry would for a new year (the 2020 one exists too)."""
    return Campaign.objects.create(
        year=2021,
        title="2021年“诚信兴商宣传月”活动",
        theme="诚信兴商 共享繁荣",
        period_start=dt.date(2021, 10, 1),
        period_end=dt.date(2021, 10, 31),
        notice_date=dt.date(2021, 9, 10),
        deadline=dt.date(2021, 11, 25),
    )


def _find(rows: list[dict], label: str) -> tuple[list[dict], int]:
    for i, row in enumerate(rows):
        if row["label"] == label:
            return rows, i
        found = _find(row.get("rows", []), label)
        if found:
            return found
    return None  # type: ignore[return-value]


def spec_2021() -> dict:
    """2020's form, edited the way a later year's notice might change it."""
    spec = copy.deepcopy(campaign_spec(2020)["form"])
    spec["title"] = "2021年“诚信兴商宣传月”活动统计表"
    # rename a row label and a figure label
    rows, i = _find(spec["rows"], "电视新闻（条）")
    rows[i]["label"] = "电视新闻（条次）"
    rows, i = _find(spec["rows"], "接受咨询服务总量（人次）")
    rows[i]["figures"][0]["label"] = "咨询人次"
    # drop a figure (and its row)
    rows, i = _find(spec["rows"], "电台广播（次）")
    del rows[i]
    # add a row under 新媒介, after 视频
    rows, i = _find(spec["rows"], "视频（条）")
    rows.insert(
        i + 1, {"label": "微信公众号文章（篇）", "figures": [{"code": "wechat_posts", "label": "篇数", "unit": "篇"}]}
    )
    # and a rule about the new figure
    spec["rules"].append(
        {
            "code": "wechat_needs_web",
            "left": "wechat_posts",
            "operator": "requires",
            "right": "web_news",
            "severity": "warning",
            "anchor": "wechat_posts",
            "message": "发布了公众号文章时请一并填写网站新闻条数",
        }
    )
    return spec


def _snapshot(form: StatForm) -> dict:
    return {
        "form": form.pk,
        "rows": list(Row.objects.filter(form=form).values_list("pk", "label", "order", "parent_id", "depth")),
        "figures": list(
            Figure.objects.filter(form=form).values_list("pk", "code", "label", "order", "row_id", "unit_of_measure")
        ),
        "rules": list(Rule.objects.filter(form=form).values_list("pk", "code", "left", "right", "order")),
    }


def test_a_later_years_form_adds_renames_and_drops_without_code_change(campaign, campaign_2021):
    form = form_load(campaign=campaign_2021, spec=spec_2021())
    definition = build_definition(form)

    assert definition.title == "2021年“诚信兴商宣传月”活动统计表"
    codes = [f.code for f in definition.figures]
    assert "radio_broadcasts" not in codes
    assert codes[codes.index("videos") + 1] == "wechat_posts"
    assert len(codes) == 13

    assert definition.by_code["tv_news"].path == "传统媒介 › 电视新闻（条次）"
    assert definition.by_code["consultations"].label == "咨询人次"
    wechat = definition.by_code["wechat_posts"]
    assert (wechat.path, wechat.unit, wechat.is_number) == ("新媒介 › 微信公众号文章（篇）", "篇", True)

    lines = definition.table_lines()
    spans = {c.label: c.rowspan for line in lines for c in line.labels}
    assert spans["传统媒介"] == 2
    assert spans["新媒介"] == 4
    assert spans["宣传形式"] == 8
    assert [line.leaf.label for line in lines][2:8] == [
        "纸媒新闻（篇）",
        "电视新闻（条次）",
        "网站新闻（条）",
        "视频（条）",
        "微信公众号文章（篇）",
        "直播（场次，观看人次）",
    ]

    # the new figure is typed, checked and named like any other
    values, findings = parse_values(definition, {"wechat_posts": "1.2万", "radio_broadcasts": "5"})
    assert (values, findings) == ({"wechat_posts": 12_000}, [])
    (finding,) = check_values(definition, values)
    assert finding.rule == "wechat_needs_web"
    assert finding.message in (  # "cell: instruction", the colon half- or full-width
        "新媒介 › 微信公众号文章（篇）: 发布了公众号文章时请一并填写网站新闻条数",
        "新媒介 › 微信公众号文章（篇）：发布了公众号文章时请一并填写网站新闻条数",
    )
    rules = {f.rule for f in check_values(definition, values, previous={"wechat_posts": 1_000})}
    assert rules == {"wechat_needs_web", "year_on_year_factor:wechat_posts"}


def test_the_earlier_years_form_is_untouched(campaign, campaign_2021):
    before = _snapshot(campaign.stat_form)
    form_load(campaign=campaign_2021, spec=spec_2021())
    assert _snapshot(campaign.stat_form) == before
    definition = build_definition(campaign.stat_form)
    assert "radio_broadcasts" in definition.by_code
    assert definition.by_code["tv_news"].path == "传统媒介 › 电视新闻（条）"


def test_editing_an_existing_form_keeps_the_figures_it_keeps(campaign_2021):
    """The ministry first copies last year's table, then edits it: kept figures keep their identity."""
    first = form_load(campaign=campaign_2021, spec=campaign_spec(2020)["form"])
    kept = dict(Figure.objects.filter(form=first).values_list("code", "pk"))
    form = form_load(campaign=campaign_2021, spec=spec_2021())
    assert form.pk == first.pk
    now = dict(Figure.objects.filter(form=form).values_list("code", "pk"))
    assert set(now) == set(kept) - {"radio_broadcasts"} | {"wechat_posts"}
    assert all(now[code] == kept[code] for code in now if code != "wechat_posts")
    # the edited form reads exactly like one loaded fresh
    fresh_campaign = Campaign.objects.create(
        year=2022,
        title="2022",
        theme="t",
        period_start=dt.date(2022, 10, 1),
        period_end=dt.date(2022, 10, 31),
        notice_date=dt.date(2022, 9, 1),
        deadline=dt.date(2022, 11, 25),
    )
    fresh = build_definition(form_load(campaign=fresh_campaign, spec=spec_2021()))
    edited = build_definition(form)

    def shape(d):
        return (
            [(f.code, f.label, f.unit, f.path, f.order, f.row_codes) for f in d.figures],
            [[(c.label, c.rowspan, c.colspan) for c in line.labels] for line in d.table_lines()],
            [(r.code, r.left, r.operator, r.right) for r in d.rules],
        )

    assert shape(edited) == shape(fresh)


def test_loading_the_same_spec_twice_changes_nothing(campaign_2021):
    form = form_load(campaign=campaign_2021, spec=spec_2021())
    first = _snapshot(form)
    again = form_load(campaign=campaign_2021, spec=spec_2021())
    assert _snapshot(again) == first
    assert (len(first["rows"]), len(first["figures"]), len(first["rules"])) == (15, 13, 7)


def test_reloading_2020_is_idempotent(campaign):
    first = _snapshot(campaign.stat_form)
    form_load(campaign=campaign, spec=campaign_spec(2020)["form"])
    assert _snapshot(campaign.stat_form) == first
    assert (len(first["rows"]), len(first["figures"]), len(first["rules"])) == (15, 13, 6)


def test_a_rule_naming_an_unknown_figure_is_refused_and_nothing_is_saved(campaign_2021):
    spec = spec_2021()
    spec["rules"][-1]["left"] = "wechat_post"  # a typo
    with pytest.raises(DomainError, match="用到了表中没有的指标 wechat_post"):
        form_load(campaign=campaign_2021, spec=spec)
    assert not StatForm.objects.filter(campaign=campaign_2021).exists()
    assert not Figure.objects.filter(code="wechat_posts").exists()


def test_dropping_a_figure_a_rule_still_uses_is_refused_and_the_form_is_kept(campaign_2021):
    form_load(campaign=campaign_2021, spec=campaign_spec(2020)["form"])
    before = _snapshot(campaign_2021.stat_form)
    spec = copy.deepcopy(campaign_spec(2020)["form"])
    rows, i = _find(spec["rows"], "直播（场次，观看人次）")
    rows[i]["figures"] = rows[i]["figures"][:1]  # drop live_viewers, keep the rule live_both_or_neither
    with pytest.raises(DomainError, match="live_viewers"):
        form_load(campaign=campaign_2021, spec=spec)
    assert _snapshot(campaign_2021.stat_form) == before


def test_dropping_a_figure_a_report_holds_a_value_for_is_refused(campaign_2021, alice):
    form_load(campaign=campaign_2021, spec=campaign_spec(2020)["form"])
    Participant.objects.create(campaign=campaign_2021, unit=Unit.objects.get(code="440000"), fills_statistics=True)
    report = report_get_or_start(campaign=campaign_2021, unit=alice.unit)
    report_save_draft(report=report, raw_values={"radio_broadcasts": "7"}, version=None, acting_user=alice)
    before = _snapshot(campaign_2021.stat_form)

    with pytest.raises((ProtectedError, DomainError)):
        form_load(campaign=campaign_2021, spec=spec_2021())

    assert _snapshot(campaign_2021.stat_form) == before
    assert report_values(report) == {"radio_broadcasts": 7}
