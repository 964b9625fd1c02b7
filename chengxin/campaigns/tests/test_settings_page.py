"""The campaign's dates and per-unit exceptions page (campaigns/views.py settings_page): national administrator only."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from chengxin.campaigns.models import Campaign, Participant
from chengxin.reporting.models import Action, ReportEvent

pytestmark = pytest.mark.django_db

URL = reverse("campaigns:settings", kwargs={"year": 2020})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas get a password; a cheap hasher keeps the module fast (runs before the personas are made)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _campaign() -> Campaign:
    return Campaign.objects.get(year=2020)


def _corps() -> Participant:
    return Participant.objects.get(campaign__year=2020, unit__code="660000")


def _alert(response) -> str:
    """The error box at the top of the page, as the administrator reads it."""
    found = re.search(r'<div class="alert alert-error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    assert found, "no error shown"
    return found.group(1)


def test_the_administrator_sees_both_forms_with_the_current_dates(client, dave):
    client.force_login(dave)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="deadline" value="2020-11-25"' in page
    assert 'name="lock_date" value=""' in page
    assert 'name="form" value="exception"' in page
    assert 'name="deadline_override"' in page and 'name="lock_override"' in page and 'name="reason"' in page
    assert '<option value="660000"' in page and "新疆生产建设兵团" in page
    assert '<option value="GACC"' in page
    assert '<option value="MOFCOM"' not in page  # the organiser does not report, so it gets no exception
    assert "暂无。" in page


def test_the_administrator_sets_the_deadline_and_lock_date(client, dave):
    client.force_login(dave)
    response = client.post(URL, {"form": "dates", "deadline": "2020-11-30", "lock_date": "2020-12-31"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert (_campaign().deadline, _campaign().lock_date) == (dt.date(2020, 11, 30), dt.date(2020, 12, 31))
    page = client.get(URL).content.decode()
    assert "日期已保存。" in page
    assert 'name="lock_date" value="2020-12-31"' in page


def test_an_empty_lock_date_unlocks(client, dave):
    client.force_login(dave)
    client.post(URL, {"form": "dates", "deadline": "2020-11-25", "lock_date": "2020-12-31"})
    response = client.post(URL, {"form": "dates", "deadline": "2020-11-25", "lock_date": ""})
    assert response.status_code == 302
    assert _campaign().lock_date is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"deadline": "2020-13-01"}, ["报送截止日期格式不对", "报送截止日期格式不对，应为 年-月-日，如 2020-11-25"]),
        ({"deadline": "11/30/2020"}, ["报送截止日期格式不对"]),
        ({"deadline": ""}, ["请填写报送截止日期"]),
        ({"deadline": "2020-11-30", "lock_date": "2020-02-30"}, ["锁定日期格式不对，应为 年-月-日"]),
        ({"deadline": "2020-11-30", "lock_date": "明年"}, ["锁定日期格式不对"]),
    ],
)
def test_bad_dates_give_422_naming_the_field_and_change_nothing(client, dave, data, words):
    client.force_login(dave)
    response = client.post(URL, {"form": "dates", **data})
    assert response.status_code == 422
    alert = _alert(response)
    for w in words:
        assert w in alert
    assert (_campaign().deadline, _campaign().lock_date) == (dt.date(2020, 11, 25), None)


def test_a_lock_date_before_the_deadline_is_refused(client, dave):
    client.force_login(dave)
    response = client.post(URL, {"form": "dates", "deadline": "2020-11-25", "lock_date": "2020-11-24"})
    assert response.status_code == 422
    assert "锁定日期不能早于报送截止日期" in _alert(response)
    assert _campaign().lock_date is None
    # the page still shows what is stored, not what was refused
    assert 'name="lock_date" value=""' in response.content.decode()


def test_a_lock_date_on_the_deadline_is_allowed(client, dave):
    client.force_login(dave)
    assert client.post(URL, {"form": "dates", "deadline": "2020-11-25", "lock_date": "2020-11-25"}).status_code == 302
    assert _campaign().lock_date == dt.date(2020, 11, 25)


def test_the_administrator_grants_one_unit_an_exception_with_a_reason(client, dave):
    client.force_login(dave)
    response = client.post(
        URL,
        {
            "form": "exception",
            "unit": "660000",
            "deadline_override": "2020-12-05",
            "lock_override": "2020-12-20",
            "reason": "兵团团场分散，需逐级汇总",
        },
    )
    assert response.status_code == 302
    corps = _corps()
    assert (corps.deadline_override, corps.lock_override) == (dt.date(2020, 12, 5), dt.date(2020, 12, 20))
    assert corps.deadline == dt.date(2020, 12, 5)
    assert corps.exception_reason == "兵团团场分散，需逐级汇总"
    # other units keep the campaign's dates
    assert Participant.objects.get(campaign__year=2020, unit__code="440000").deadline == dt.date(2020, 11, 25)
    # the grant is in the unit's history: who, why
    event = ReportEvent.objects.get(report__unit__code="660000", action=Action.GRANT_EXCEPTION)
    assert event.actor == dave
    assert event.reason == "兵团团场分散，需逐级汇总"
    page = client.get(URL)
    notices = [str(m) for m in page.context["messages"]]
    assert any("新疆生产建设兵团" in n for n in notices), notices
    assert "<td>新疆生产建设兵团</td><td>2020-12-05</td><td>2020-12-20</td><td>兵团团场分散，需逐级汇总</td>" in (
        page.content.decode()
    )


def test_an_exception_needs_a_reason(client, dave):
    client.force_login(dave)
    response = client.post(URL, {"form": "exception", "unit": "660000", "deadline_override": "2020-12-05"})
    assert response.status_code == 422
    alert = _alert(response)
    assert "请填写" in alert and "原因" in alert
    assert _corps().deadline_override is None


def test_an_exception_with_a_bad_date_names_the_field_and_keeps_what_was_typed(client, dave):
    client.force_login(dave)
    response = client.post(
        URL, {"form": "exception", "unit": "660000", "deadline_override": "2020-12-32", "reason": "台风"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "延长的截止日期格式不对" in _alert(response)
    assert 'value="台风"' in page
    assert '<option value="660000" selected' in page
    assert _corps().deadline_override is None


def test_an_exception_whose_lock_date_is_before_its_deadline_is_refused(client, dave):
    client.force_login(dave)
    response = client.post(
        URL,
        {
            "form": "exception",
            "unit": "660000",
            "deadline_override": "2020-12-05",
            "lock_override": "2020-12-01",
            "reason": "台风",
        },
    )
    assert response.status_code == 422
    assert "锁定日期不能早于截止日期" in _alert(response)
    assert _corps().lock_override is None


def test_an_exception_lock_date_before_the_campaign_deadline_is_refused(client, dave):
    client.force_login(dave)
    response = client.post(
        URL, {"form": "exception", "unit": "660000", "lock_override": "2020-11-01", "reason": "提前锁定"}
    )
    assert response.status_code == 422
    assert _corps().lock_override is None


def test_an_unknown_unit_is_404(client, dave):
    client.force_login(dave)
    response = client.post(URL, {"form": "exception", "unit": "999999", "deadline_override": "2020-12-05"})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["carol", "alice", "erin"])
def test_reviewers_and_reporters_get_404(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    response = client.post(URL, {"form": "dates", "deadline": "2030-01-01", "lock_date": ""})
    assert response.status_code == 404
    response = client.post(
        URL, {"form": "exception", "unit": "440000", "deadline_override": "2030-01-01", "reason": "x"}
    )
    assert response.status_code == 404
    assert _campaign().deadline == dt.date(2020, 11, 25)
    assert Participant.objects.get(campaign__year=2020, unit__code="440000").deadline_override is None


def test_anonymous_visitors_are_sent_to_log_in(client, campaign):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_year_is_404(client, dave):
    client.force_login(dave)
    assert client.get(reverse("campaigns:settings", kwargs={"year": 1999})).status_code == 404
