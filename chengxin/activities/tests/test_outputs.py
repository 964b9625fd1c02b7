"""An activity's media outputs are the campaign's statistics form's activity figures: one input per figure, named
by its code; offline-only figures refused on an online activity; the form's error rules checked at their field;
a later year's changed form changes the activity form and the pre-fill without touching code."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.activities import services
from chengxin.activities.models import Activity, ActivityOutputValue
from chengxin.activities.selectors import activity_outputs, activity_suggested_figures
from chengxin.activities.tests.factories import PLAN_TEXT, create, published, raw
from chengxin.campaigns.services import campaign_copy
from chengxin.statform.services import form_as_spec, form_load
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

SHORT_VIDEO = {
    "code": "short_video_views",
    "label": "短视频播放量",
    "unit": "人次",
    "count": "people",
    "category": "new_media",
    "per_10k": True,
    "activity_output": "any",
}

# A day of the 2021 campaign's period (October 2021): an activity of 2021 is held then.
DAY_2021 = {"start_date": "2021-10-10", "end_date": "2021-10-10"}


def url(name: str, year: int = 2020, **kwargs) -> str:
    return reverse(f"activities:{name}", kwargs={"year": year, **kwargs})


def _group(spec: dict, label: str) -> dict:
    return next(row for row in spec["rows"][0]["rows"] if row["label"] == label)


@pytest.fixture
def campaign_2021(campaign):
    """2021, copied from 2020, whose form adds 短视频播放量 under 新媒介 and drops 电台广播."""
    copy = campaign_copy(source=campaign, year=2021)
    spec = form_as_spec(copy.stat_form)
    traditional = _group(spec, "传统媒介")
    traditional["rows"] = [r for r in traditional["rows"] if r["figures"][0]["code"] != "radio_broadcasts"]
    _group(spec, "新媒介")["rows"].append({"label": "短视频播放量（人次）", "figures": [SHORT_VIDEO], "rows": []})
    form_load(campaign=copy, spec=spec)
    copy.published_at = timezone.now()  # opened to the units (a copy starts 筹备中)
    copy.save(update_fields=["published_at"])
    return copy


def _inputs(page: str) -> list[str]:
    """The ids of the inputs of the outputs' fieldset, in order; each input is named by its id."""
    outputs = page[page.index('<fieldset id="outputs">') : page.index('<label for="links">')]
    return re.findall(r'<input id="([a-z_]+)" name="\1"', outputs)


# --- The form decides which outputs there are ------------------------------------------------------------


def test_the_activity_form_has_one_labelled_input_per_activity_figure_of_the_form(client, campaign, alice):
    client.force_login(alice)
    page = client.get(url("create")).content.decode()
    assert _inputs(page) == [
        "meeting_sessions",
        "meeting_attendance",
        "print_news",
        "tv_news",
        "radio_broadcasts",
        "web_news",
        "videos",
        "live_sessions",
        "live_viewers",
    ]
    assert '<label for="meeting_sessions">会议 场次（场）<span class="muted">（仅线下活动）</span></label>' in page
    assert '<label for="live_viewers">直播 观看人次（人次）</label>' in page
    assert '<label for="print_news">纸媒新闻（篇）</label>' in page
    assert "<legend>户外活动</legend>" in page and "<legend>新媒介</legend>" in page
    assert 'id="people_reached"' not in page and 'id="material_copies"' not in page  # no activity gives them


def test_a_changed_form_changes_the_activity_form_and_the_prefill(client, campaign, campaign_2021, alice):
    client.force_login(alice)
    page = client.get(url("create", year=2021)).content.decode()
    assert "short_video_views" in _inputs(page) and "radio_broadcasts" not in _inputs(page)
    assert '<label for="short_video_views">短视频播放量（人次）</label>' in page

    typed = raw(short_video_views="2.5万", radio_broadcasts="7", epidemic_plan_text=PLAN_TEXT, **DAY_2021)
    response = client.post(url("create", year=2021), typed)
    activity = Activity.objects.get(campaign=campaign_2021)
    assert response.status_code == 302
    assert activity_outputs(activity)["short_video_views"] == 25_000
    assert "radio_broadcasts" not in activity_outputs(activity)  # not a figure of 2021: not read, not stored
    assert client.post(url("publish", year=2021, pk=activity.pk)).status_code == 302
    detail = client.get(url("detail", year=2021, pk=activity.pk)).content.decode()
    assert '<tr data-code="short_video_views"><th scope="row">短视频播放量（人次）</th><td>25,000</td></tr>' in detail

    guangdong = Unit.objects.get(code="440000")
    suggested = activity_suggested_figures(campaign_2021, guangdong)
    assert suggested["short_video_views"] == 25_000 and "radio_broadcasts" not in suggested
    entry = client.get(reverse("reporting:entry", kwargs={"year": 2021, "unit_code": "440000"})).content.decode()
    assert 'data-code="short_video_views" data-suggested="25000"' in entry

    # 2020 is as it was.
    page = client.get(url("create")).content.decode()
    assert "radio_broadcasts" in _inputs(page) and "short_video_views" not in _inputs(page)
    last_year = published(campaign, alice, short_video_views="9", radio_broadcasts="3")
    assert "short_video_views" not in activity_outputs(last_year)
    assert activity_suggested_figures(campaign, guangdong)["radio_broadcasts"] == 3
    assert "short_video_views" not in activity_suggested_figures(campaign, guangdong)


def test_outputs_of_a_figure_the_form_dropped_are_kept_but_not_counted(campaign, campaign_2021, alice):
    activity = published(campaign_2021, alice, epidemic_plan_text=PLAN_TEXT)
    ActivityOutputValue.objects.create(activity=activity, code="radio_broadcasts", value=4)  # from before the edit
    typed = raw(videos="9", epidemic_plan_text=PLAN_TEXT, **DAY_2021)
    services.activity_update(activity=activity, raw=typed, acting_user=alice)
    assert activity_outputs(activity)["radio_broadcasts"] == 4  # a figure added back finds it again
    assert "radio_broadcasts" not in activity_suggested_figures(campaign_2021, Unit.objects.get(code="440000"))


# --- Offline-only figures and the form's rules, on the page ---------------------------------------------


def test_an_online_activity_with_an_offline_figure_is_refused_at_that_field(client, campaign, alice):
    client.force_login(alice)
    response = client.post(url("create"), raw(mode="online", meeting_sessions="2", meeting_attendance="0"))
    page = response.content.decode()
    assert response.status_code == 422
    assert not Activity.objects.exists()
    message = "会议 场次（场）只用于线下（含线上线下）活动，线上活动请填 0 或留空"
    assert f'<p class="cell-msg cell-error" id="meeting_sessions-error">{message}</p>' in page
    assert f'<li><a href="#meeting_sessions">{message}</a></li>' in page
    assert re.search(
        r'<input id="meeting_sessions" name="meeting_sessions" value="2"[^>]*'
        r'aria-invalid="true" aria-describedby="meeting_sessions-error"',
        page,
    )
    # The rule 场次 and 人次 both or neither still speaks (0 attendance with 2 sessions).
    assert 'id="meeting_attendance-error"' in page


def test_a_form_rule_error_appears_at_its_field_with_the_rules_message(client, campaign, alice):
    client.force_login(alice)
    response = client.post(url("create"), raw(meeting_sessions="5", meeting_attendance="4"))
    page = response.content.decode()
    assert response.status_code == 422
    message = "会议 人次（人次）：人次不能少于场次（每场会议至少一人参加）"
    assert f'<p class="cell-msg cell-error" id="meeting_attendance-error">{message}</p>' in page
    assert re.search(
        r'<input id="meeting_attendance" name="meeting_attendance" value="4"[^>]*'
        r'aria-invalid="true" aria-describedby="meeting_attendance-error"',
        page,
    )
    assert 'id="meeting_sessions-error"' not in page


def test_the_edit_form_shows_the_stored_outputs_and_zero_for_the_rest(client, campaign, alice):
    activity = create(campaign, alice, videos="", web_news="1.5万")
    client.force_login(alice)
    page = client.get(url("edit", pk=activity.pk)).content.decode()
    assert '<input id="web_news" name="web_news" value="15000"' in page
    assert '<input id="videos" name="videos" value="0"' in page


def test_the_lead_body_page_has_a_column_per_output_and_their_totals(client, campaign, alice, bob, erin):
    published(campaign, alice, plan_activity="8", live_viewers="1.2万")
    published(campaign, bob, "110000", region_code="110000", plan_activity="8", live_viewers="800")
    client.force_login(erin)
    page = client.get(url("plan", number=8)).content.decode()
    assert '<th scope="col" data-code="live_viewers">直播 观看人次（人次）</th>' in page
    totals = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert "12,800" in totals and "1,200" in totals  # viewers; attendance 600 + 600
