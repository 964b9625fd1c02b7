"""The 2021 scenario: a new year's form that adds a figure, renames a group and drops a figure works everywhere
with no code change, because every part of the product reads what a figure means from the form.

2021 is copied from 2020; its form (edited as TOML text, as the ministry's administrator would) adds
short_video_views (短视频播放量: a people count of the new-media group, shown per 10,000 residents, fed by
activities, with the rule "must be 0 when videos is 0"), renames 传统媒介 to 传统媒体 and drops radio_broadcasts.
Then the entry page, the print view, the template and its import, the consolidated export, the API, the totals,
the dashboard, year over year, activities and the rule's error at its cell all follow; 2020 stays as it was.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chengxin.analytics.selectors import totals, totals_compare
from chengxin.api.services import token_create
from chengxin.campaigns.services import campaign_copy, campaign_publish
from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.reporting import services as reporting
from chengxin.reporting.selectors import report_values
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.selectors import form_definition
from chengxin.statform.services import form_as_spec, form_edit
from chengxin.units.models import Unit
from chengxin.workbooks.services import stats_import_file

pytestmark = pytest.mark.django_db

NEW_FIGURE = (
    '[{ code = "short_video_views", label = "播放量", unit = "人次", category = "new_media", count = "people", '
    'per_10k = true, activity_output = "any" }]'
)
NEW_RULE = """
[[form.rules]]
code = "short_video_views_need_videos"
left = "short_video_views"
operator = "requires"
right = "videos"
severity = "error"
anchor = "short_video_views"
message = "没有发布视频时，短视频播放量应为 0"
"""
FIGURES_2021 = {k: v for k, v in VALID_FIGURES.items() if k != "radio_broadcasts"} | {"short_video_views": "8万"}


def edited_2021_text(text: str) -> str:
    blocks = text.split("\n\n")
    blocks = [b for b in blocks if 'label = "电台广播（次）"' not in b]  # drop radio_broadcasts with its row
    text = "\n\n".join(blocks)
    text = text.replace('label = "传统媒介"', 'label = "传统媒体"')
    text = text.replace(
        '[[form.rows.rows.rows]]\nlabel = "直播（场次，观看人次）"',
        f'[[form.rows.rows.rows]]\nlabel = "短视频播放量（人次）"\nfigures = {NEW_FIGURE}\n\n'
        '[[form.rows.rows.rows]]\nlabel = "直播（场次，观看人次）"',
    )
    return text + NEW_RULE


@pytest.fixture
def spec_2020(campaign):
    return form_as_spec(campaign.stat_form)


@pytest.fixture
def year_2021(campaign, dave, spec_2020):
    new = campaign_copy(source=campaign, year=2021, acting_user=dave)
    form_edit(campaign=new, text=edited_2021_text(spec_to_toml(form_as_spec(new.stat_form))), acting_user=dave)
    return campaign_publish(campaign=new, acting_user=dave)  # prepared, then opened to the units


@pytest.fixture
def guangdong():
    unit = Unit.objects.get(code="440000")
    unit.population = 126_010_000
    unit.save(update_fields=["population"])
    return unit


def _page(client, user, name, **kwargs) -> str:
    client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def test_the_2021_form_is_what_the_ministry_wrote(year_2021):
    definition = form_definition(year_2021)
    codes = [f.code for f in definition.figures]
    assert "radio_broadcasts" not in codes
    assert codes.index("short_video_views") == codes.index("videos") + 1
    figure = definition.by_code["short_video_views"]
    assert (figure.category, figure.count, figure.per_10k, figure.activity_output) == (
        "new_media",
        "people",
        True,
        "any",
    )
    assert {c.key: c.title for c in definition.categories}["traditional_media"] == "传统媒体"


def test_entry_print_and_the_rules_error_at_its_cell(client, year_2021, alice, guangdong):
    entry = _page(client, alice, "reporting:entry", year=2021, unit_code="440000")
    assert 'name="f_short_video_views"' in entry and 'name="f_radio_broadcasts"' not in entry
    assert "传统媒体" in entry and "传统媒介" not in entry

    report = reporting.report_get_or_start(campaign=year_2021, unit=guangdong)
    wrong = FIGURES_2021 | {"videos": "0"}
    report = reporting.report_save_draft(
        report=report, raw_values=wrong, version=report.version, acting_user=alice
    ).report
    [finding] = [f for f in reporting.report_check(report) if f.rule == "short_video_views_need_videos"]
    assert finding.figure == "short_video_views" and finding.is_error
    entry = _page(client, alice, "reporting:entry", year=2021, unit_code="440000")
    cell = entry.split('name="f_short_video_views"')[1].split("</td>")[0]
    assert "没有发布视频时，短视频播放量应为 0" in cell  # said at the cell, not only in the list

    printed = _page(client, alice, "reporting:print", year=2021, unit_code="440000")
    assert "短视频播放量" in printed and "电台广播" not in printed and "传统媒体" in printed


def test_template_import_export_and_api_follow_the_form(client, year_2021, alice, carol, guangdong):
    client.force_login(alice)
    template = client.get(reverse("workbooks:template", kwargs={"year": 2021, "unit_code": "440000"})).content
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    rows = {ws.cell(r, 7).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, 7).value}
    assert "short_video_views" in rows and "radio_broadcasts" not in rows
    assert "传统媒体" in [c.value for row in ws.iter_rows() for c in row]
    for code, value in (FIGURES_2021 | {"short_video_views": "80000", "live_viewers": "12000"}).items():
        ws.cell(rows[code], 5, value if code == "material_methods" else int(value.replace("万", "0000")))
    filled = io.BytesIO()
    wb.save(filled)
    result = stats_import_file(campaign=year_2021, data=filled.getvalue(), file_name="广东省.xlsx", acting_user=alice)
    assert result.ok, result.problems
    report = reporting.report_get_or_start(campaign=year_2021, unit=guangdong)
    assert report_values(report)["short_video_views"] == 80_000

    submitted_report(year_2021, guangdong, alice, FIGURES_2021)
    client.force_login(carol)
    export = client.get(reverse("workbooks:national_xlsx", kwargs={"year": 2021}) + "?scope=submitted").content
    cells = [c.value for ws in load_workbook(io.BytesIO(export)).worksheets for row in ws.iter_rows() for c in row]
    assert "播放量" in cells or any(isinstance(v, str) and "短视频播放量" in v for v in cells)
    assert 80_000 in cells
    assert not any(isinstance(v, str) and "电台广播" in v for v in cells)

    _row, token = token_create(user=carol, acting_user=carol)
    api = client.get("/api/v1/campaigns/2021/reports/440000", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    values = {v["code"]: v["value"] for v in api.json()["values"]} if isinstance(api.json()["values"], list) else {}
    values = values or api.json()["values"]
    assert values["short_video_views"] == 80_000 and "radio_broadcasts" not in values


def test_totals_dashboard_and_year_over_year_follow_the_form(client, campaign, year_2021, alice, carol, guangdong):
    submitted_report(campaign, guangdong, alice)  # 2020, for year over year
    submitted_report(year_2021, guangdong, alice, FIGURES_2021)

    assert totals(year_2021, "submitted")["short_video_views"] == 80_000
    page = _page(client, carol, "analytics:totals", year=2021)
    assert "短视频播放量" in page and "电台广播" not in page

    client.force_login(carol)
    context = client.get(reverse("analytics:dashboard", kwargs={"year": 2021})).context
    media = {g["key"]: g for g in context["media"]["groups"]}
    assert [g["label"] for g in media.values()] == ["传统媒体", "新媒介"]  # the renamed group's title
    assert context["media"]["title"] == "传统媒体与新媒介"
    assert context["filters"].figure == "people_reached"  # the summary row, not the new medium's detail
    assert "short_video_views" in {c.code for c in media["new_media"]["rows"]}
    assert {c.code for c in media["traditional_media"]["rows"]} == {"print_news", "tv_news"}
    [gd] = [r for r in context["per_10k"] if r["unit"].code == "440000"]
    per_10k = {f["code"]: f["per_10k"] for f in gd["figures"]}
    assert set(per_10k) == {"people_reached", "consultations", "short_video_views"}
    assert per_10k["short_video_views"] == pytest.approx(80_000 / 12_601, abs=0.1)

    compare = {c.code: c for c in totals_compare(year_2021, "submitted")}
    assert (compare["short_video_views"].note, compare["short_video_views"].previous) == ("新增指标", None)
    assert compare["radio_broadcasts"].note == "本年已取消"
    assert (compare["tv_news"].value, compare["tv_news"].previous) == (3, 3)


def test_2020_stays_as_it_was(client, campaign, year_2021, spec_2020, carol):
    assert form_as_spec(campaign.stat_form) == spec_2020
    definition = form_definition(campaign)
    assert "radio_broadcasts" in definition.by_code and "short_video_views" not in definition.by_code
    assert {c.key: c.title for c in definition.categories}["traditional_media"] == "传统媒介"
    client.force_login(carol)
    media = client.get(reverse("analytics:dashboard", kwargs={"year": 2020})).context["media"]
    assert [g["label"] for g in media["groups"]] == ["传统媒介", "新媒介"]


def test_activities_record_the_new_figure_and_pre_fill_it(client, year_2021, alice, guangdong):
    from chengxin.activities.selectors import activity_suggested_figures
    from chengxin.activities.tests.factories import published

    page = _page(client, alice, "activities:create", year=2021)
    assert 'name="short_video_views"' in page and 'name="radio_broadcasts"' not in page
    dates = {"start_date": "2021-10-10", "end_date": "2021-10-10"}
    published(year_2021, alice, videos="2", short_video_views="3万", radio_broadcasts="9", **dates)
    published(year_2021, alice, videos="1", short_video_views="5000", **dates)
    suggested = activity_suggested_figures(year_2021, guangdong)
    assert suggested["short_video_views"] == 35_000 and suggested["videos"] == 3
    assert "radio_broadcasts" not in suggested
    entry = _page(client, alice, "reporting:entry", year=2021, unit_code="440000")
    assert "35,000" in entry or "35000" in entry  # the pre-fill table offers the sum against the report's value
    # The form's new rule holds for an activity's own numbers too, said at its field.
    from chengxin.activities.tests.factories import create
    from chengxin.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        create(year_2021, alice, videos="0", short_video_views="100", **dates)
    assert [e.field for e in caught.value.errors] == ["short_video_views"]
    assert "没有发布视频时，短视频播放量应为 0" in caught.value.errors[0].message
