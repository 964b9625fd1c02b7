"""Year over year: a copied campaign whose form renamed, added and dropped figures is compared by figure code."""

import pytest

from chengxin.analytics.selectors import totals, totals_compare
from chengxin.campaigns.services import campaign_copy
from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.statform.services import form_as_spec, form_load
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _edit_form(campaign) -> None:
    """2021's form: 电视新闻 renamed, 电台广播 dropped, 短视频 added to 新媒介."""
    spec = form_as_spec(campaign.stat_form)

    def walk(rows):
        for row in rows:
            if row["label"] == "电视新闻（条）":
                row["label"] = "电视新闻报道（条）"
            row["rows"] = [r for r in row["rows"] if r["label"] != "电台广播（次）"]
            if row["label"] == "新媒介":
                row["rows"].append(
                    {
                        "label": "短视频平台（条）",
                        "figures": [
                            {
                                "code": "short_videos",
                                "label": "短视频平台（条）",
                                "unit": "条",
                                "category": "new_media",
                                "count": "items",
                            }
                        ],
                        "rows": [],
                    }
                )
            walk(row["rows"])

    walk(spec["rows"])
    form_load(campaign=campaign, spec=spec)


def test_figures_are_compared_by_code_when_the_form_changed(campaign):
    new = campaign_copy(source=campaign, year=2021)
    _edit_form(new)
    guangdong = Unit.objects.get(code="440000")
    reporter = UserFactory(username="gd2021", unit=guangdong, role=Role.UNIT_REPORTER)
    figures = {k: v for k, v in VALID_FIGURES.items() if k != "radio_broadcasts"}
    figures.update(tv_news="6", short_videos="15")
    submitted_report(new, guangdong, reporter, figures)

    before = totals(campaign, "submitted")
    rows = {row.code: row for row in totals_compare(new, "submitted")}
    tv = rows["tv_news"]
    assert tv.label == "电视新闻报道" and tv.category == "traditional_media"
    assert (tv.value, tv.previous) == (6, before["tv_news"])
    assert tv.change == pytest.approx((6 - before["tv_news"]) / before["tv_news"])
    added = rows["short_videos"]
    assert (added.value, added.previous, added.change, added.note) == (15, None, None, "新增指标")
    assert added.category == "new_media"
    dropped = rows["radio_broadcasts"]
    assert (dropped.value, dropped.previous, dropped.note) == (None, before["radio_broadcasts"], "本年已取消")
    # The 2020 form is untouched by 2021's edits.
    assert "radio_broadcasts" in totals(campaign, "submitted") and "short_videos" not in totals(campaign, "submitted")


def test_first_campaign_has_no_previous_values(campaign):
    rows = totals_compare(campaign, "submitted")
    assert all(row.previous is None and row.note == "" for row in rows)
    assert len(rows) == 12
