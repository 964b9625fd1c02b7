"""撤回报送: a unit takes back a submission nobody has reviewed yet. Only its own reporter, only while the report
waits for review, not after the lock date; the report is a draft again and its history says so."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.campaigns.models import Campaign
from chengxin.conftest import submitted_report
from chengxin.core.errors import ConflictError, DomainError, LockedError, TransitionError
from chengxin.reporting import services
from chengxin.reporting.models import Action, Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values

pytestmark = pytest.mark.django_db

CONFIRM = "确认撤回报送？撤回后报告回到草稿，商务部（或上级单位）将看不到这次报送。"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _submitted(campaign, user) -> Report:
    return submitted_report(campaign, user.unit, user)


def _fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def _withdraw(report: Report, user) -> Report:
    return services.report_withdraw(report=report, version=report.version, acting_user=user)


def _snapshot(report: Report) -> tuple:
    report = _fresh(report)
    return (
        report.status,
        report.version,
        report.submitted_at,
        report.first_submitted_at,
        report.late,
        report_values(report),
        ReportEvent.objects.filter(report=report).count(),
    )


def _today() -> dt.date:
    return timezone.localdate()


def _set_dates(campaign: Campaign, *, deadline: dt.date | None = None, lock_date: dt.date | None = None) -> None:
    campaign.deadline = deadline or campaign.deadline
    campaign.lock_date = lock_date
    campaign.save()


def _entry(user) -> str:
    return reverse("reporting:entry", kwargs={"year": 2020, "unit_code": user.unit.code})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- The service ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_reporter_withdraws_its_own_submission_and_the_history_says_so(request, campaign, who):
    user = request.getfixturevalue(who)
    report = _submitted(campaign, user)
    values = report_values(report)

    withdrawn = _withdraw(report, user)

    report = _fresh(report)
    assert report.status == Status.DRAFT and report.is_editable
    assert report.version == withdrawn.version == report.version
    assert (report.submitted_at, report.first_submitted_at, report.late) == (None, None, False)
    assert report_values(report) == values  # nothing typed is lost
    event = ReportEvent.objects.filter(report=report).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.WITHDRAW,
        Status.SUBMITTED,
        Status.DRAFT,
        user,
    )
    assert event.get_action_display() == "撤回报送"

    # Corrected and submitted again, as any draft.
    services.report_submit(report=report, version=report.version, acting_user=user)
    assert _fresh(report).status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("accepted", "报告已审核通过并锁定，不能撤回报送"),
        ("returned", "报告已被退回，无需撤回：请直接修改后重新报送"),
        ("draft", "报告尚未报送，无需撤回"),
    ],
)
def test_only_a_submission_waiting_for_review_can_be_withdrawn(campaign, bob, carol, state, words):
    report = _submitted(campaign, bob)
    if state == "accepted":
        services.report_accept(report=report, acting_user=carol)
    elif state == "returned":
        services.report_return(report=report, reason="请核对电视新闻条数", acting_user=carol)
    else:
        _withdraw(report, bob)
    report = _fresh(report)
    before = _snapshot(report)
    with pytest.raises(TransitionError) as exc:
        _withdraw(report, bob)
    assert exc.value.message == words
    assert exc.value.status == 409
    assert _snapshot(report) == before


@pytest.mark.parametrize(("who", "status"), [("alice", 404), ("carol", 403), ("dave", 403)])
def test_only_the_units_own_reporter_may_withdraw(request, campaign, bob, who, status):
    """Another unit's reporter (who may not even see Beijing's report), the national reviewer and the national
    administrator (who read it, and may return it instead) are all refused."""
    report = _submitted(campaign, bob)
    before = _snapshot(report)
    with pytest.raises(DomainError) as exc:
        _withdraw(report, request.getfixturevalue(who))
    assert exc.value.message == "只有本单位的填报人员可以撤回报送"
    assert exc.value.status == status
    assert _snapshot(report) == before


def test_no_withdrawal_after_the_lock_date(campaign, bob):
    report = _submitted(campaign, bob)
    yesterday = _today() - dt.timedelta(days=1)
    _set_dates(campaign, deadline=yesterday - dt.timedelta(days=5), lock_date=yesterday)
    before = _snapshot(report)
    with pytest.raises(LockedError) as exc:
        _withdraw(_fresh(report), bob)
    assert exc.value.message.startswith(f"已过锁定日期（{yesterday:%Y-%m-%d}），不能再修改或报送")
    assert _snapshot(report) == before


def test_a_withdrawal_from_a_stale_page_is_refused(campaign, bob):
    report = _submitted(campaign, bob)
    before = _snapshot(report)
    with pytest.raises(ConflictError):
        services.report_withdraw(report=report, version=report.version - 1, acting_user=bob)
    assert _snapshot(report) == before


def test_a_withdrawn_submission_does_not_keep_its_place_before_the_deadline(campaign, bob):
    """Submitted on time, withdrawn, submitted again after the deadline: late. The withdrawn submission no longer
    stands, so it cannot hold an on-time place."""
    _set_dates(campaign, deadline=_today() + dt.timedelta(days=3))
    report = _submitted(campaign, bob)
    assert not report.late
    _set_dates(campaign, deadline=_today() - dt.timedelta(days=1))
    report = _withdraw(_fresh(report), bob)
    services.report_submit(report=report, version=report.version, acting_user=bob)
    assert _fresh(report).late


def test_after_a_return_a_withdrawal_keeps_the_first_submissions_timeliness(campaign, bob, carol):
    """A return keeps the first submission's timeliness for the correction it asks for; withdrawing that
    correction before review does not lose it."""
    report = _submitted(campaign, bob)
    first = timezone.now() - dt.timedelta(days=5)  # submitted on time, before the deadline of yesterday
    Report.objects.filter(pk=report.pk).update(submitted_at=first, first_submitted_at=first, late=False)
    _set_dates(campaign, deadline=_today() - dt.timedelta(days=1))
    report = services.report_return(report=_fresh(report), reason="请核对电视新闻条数", acting_user=carol)
    report = services.report_submit(report=report, version=report.version, acting_user=bob)
    report = _withdraw(report, bob)
    assert (_fresh(report).first_submitted_at, _fresh(report).late) == (first, False)
    services.report_submit(report=report, version=report.version, acting_user=bob)
    assert not _fresh(report).late


def test_a_sub_unit_may_withdraw_even_after_its_parent_sent_its_roll_up(campaign, tree):
    """The parent's roll-up counts accepted sub-units only: withdrawing a submitted (not accepted) city report
    changes no total the province has sent up. The province, its reviewer, may return it but not withdraw it."""
    from chengxin.analytics.selectors import unit_breakdown

    guangzhou = submitted_report(campaign, tree["guangzhou"], tree["frank"])
    submitted_report(campaign, tree["guangdong"], tree["alice"])
    sent_up = unit_breakdown(campaign, tree["guangdong"]).total

    with pytest.raises(DomainError) as exc:
        _withdraw(guangzhou, tree["alice"])
    assert exc.value.status == 403
    _withdraw(guangzhou, tree["frank"])
    assert _fresh(guangzhou).status == Status.DRAFT
    assert unit_breakdown(campaign, tree["guangdong"]).total == sent_up


# --- The entry page -------------------------------------------------------------------------------------------


def test_the_entry_page_offers_withdrawal_and_withdraws(client, campaign, bob, carol):
    report = _submitted(campaign, bob)
    client.force_login(bob)
    html = client.get(_entry(bob)).content.decode()
    assert f'data-confirm="{CONFIRM}"' in html
    assert 'name="action" value="withdraw"' in html and f'name="version" value="{report.version}"' in html

    response = client.post(_entry(bob), {"action": "withdraw", "version": report.version}, follow=True)
    assert response.redirect_chain == [(_entry(bob), 302)]
    page = _text(response.content.decode())
    assert "已撤回报送，报告回到草稿，修改后请重新报送。" in page
    assert "状态：草稿" in page
    assert "撤回报送 已报送 → 草稿" in page  # the history
    assert 'value="withdraw"' not in response.content.decode()  # a draft has nothing to withdraw
    assert _fresh(report).status == Status.DRAFT

    # The ministry sees that the unit took it back.
    client.force_login(carol)
    page = _text(client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "110000"})).content.decode())
    assert "撤回报送" in page and "该单位尚未报送（草稿）" in page


def test_no_withdrawal_button_once_reviewed_or_locked(client, campaign, bob, carol):
    report = _submitted(campaign, bob)
    client.force_login(bob)
    yesterday = _today() - dt.timedelta(days=1)
    _set_dates(campaign, deadline=yesterday - dt.timedelta(days=5), lock_date=yesterday)
    assert 'value="withdraw"' not in client.get(_entry(bob)).content.decode()
    _set_dates(campaign, lock_date=None)
    services.report_accept(report=report, acting_user=carol)
    assert 'value="withdraw"' not in client.get(_entry(bob)).content.decode()


def test_withdrawing_an_accepted_report_from_a_stale_page_says_why_and_changes_nothing(client, campaign, bob, carol):
    report = _submitted(campaign, bob)
    version = report.version
    services.report_accept(report=report, acting_user=carol)  # meanwhile, in the ministry
    before = _snapshot(report)
    client.force_login(bob)
    response = client.post(_entry(bob), {"action": "withdraw", "version": version})
    assert response.status_code == 409
    page = _text(response.content.decode())
    assert "报告已审核通过并锁定，不能撤回报送" in page
    assert "会议（场次、人次）" in page and "3,400" in page  # the page is the report as stored, not emptied
    assert _snapshot(report) == before
