"""The report lifecycle as the service layer enforces it: every allowed step, every refused one with the
Chinese message a user reads, the submission rules, the two dates (deadline → 逾期, lock date → no change),
the history, batch acceptance, stale versions and all-or-nothing saves."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.services import participant_grant_exception
from chengxin.conftest import PASSWORD, VALID_FIGURES, VALID_VALUES, make_docx, make_pdf
from chengxin.core.errors import ConflictError, DomainError, LockedError, TransitionError
from chengxin.reporting import services
from chengxin.reporting.models import Action, FigureValue, Report, ReportEvent, Status, SummaryFile
from chengxin.reporting.selectors import report_values
from chengxin.statform.models import Figure, Rule
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# VALID_FIGURES as stored (parsed) values.
VALID_STORED = VALID_VALUES
# 宣传覆盖总人数 below 会议人次 + 直播观看人次 (3400 + 12000): a warning, not an error.
WARNING_FIGURES = dict(VALID_FIGURES, people_reached="1万")
REACH_RULE = "reach_covers_attendance"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT; personas' passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def _save(report, user, figures=None, *, version=None, explanations=None) -> Report:
    return services.report_save_draft(
        report=report,
        raw_values=dict(VALID_FIGURES if figures is None else figures),
        version=version,
        acting_user=user,
        explanations=explanations,
    ).report


def _upload(report, user, name="总结报告.docx", content=None):
    upload = SimpleUploadedFile(name, make_docx() if content is None else content)
    return services.report_upload_summary(report=report, uploaded_file=upload, acting_user=user)


def _ready(report, user, figures=None, explanations=None) -> Report:
    """A draft with figures and a summary report: everything needed to submit."""
    report = _save(report, user, figures, explanations=explanations)
    _upload(report, user)
    return _fresh(report)


def _submitted(report, user, figures=None, explanations=None) -> Report:
    report = _ready(report, user, figures, explanations)
    return services.report_submit(report=report, version=report.version, acting_user=user)


def _snapshot(report: Report) -> dict:
    report = _fresh(report)
    return {
        "status": report.status,
        "version": report.version,
        "submitted_at": report.submitted_at,
        "late": report.late,
        "return_reason": report.return_reason,
        "explanations": report.explanations,
        "values": report_values(report),
        "events": ReportEvent.objects.filter(report=report).count(),
        "files": list(SummaryFile.objects.filter(report=report).values_list("pk", flat=True)),
    }


def _events(report: Report, action: str) -> list[ReportEvent]:
    return list(ReportEvent.objects.filter(report=report, action=action))


def _today() -> dt.date:
    return timezone.localdate()


def _set_campaign_dates(campaign: Campaign, *, deadline=None, lock_date=None) -> None:
    campaign.deadline = deadline or campaign.deadline
    campaign.lock_date = lock_date
    campaign.save()


# --- The whole lifecycle -------------------------------------------------------------------------------------


def test_every_allowed_transition_is_taken_and_recorded(guangdong_report, alice, carol):
    report = guangdong_report
    assert report.status == Status.NOT_STARTED

    report = _save(report, alice)  # 未填报 → 草稿
    assert _fresh(report).status == Status.DRAFT
    report = _save(report, alice, dict(VALID_FIGURES, tv_news="4"))  # 草稿 → 草稿
    assert _fresh(report).status == Status.DRAFT
    _upload(report, alice)
    report = _fresh(report)

    services.report_submit(report=report, version=report.version, acting_user=alice)  # 草稿 → 已报送
    report = _fresh(report)
    assert report.status == Status.SUBMITTED and report.submitted_at is not None

    services.report_return(report=report, reason="电视新闻条数请与附件核对", acting_user=carol)  # → 已退回
    report = _fresh(report)
    assert report.status == Status.RETURNED
    assert report.return_reason == "电视新闻条数请与附件核对"

    report = _save(report, alice, dict(VALID_FIGURES, tv_news="5"))  # 已退回: corrections stay 已退回
    assert _fresh(report).status == Status.RETURNED
    services.report_submit(report=report, version=_fresh(report).version, acting_user=alice)  # → 已报送
    report = _fresh(report)
    assert report.status == Status.SUBMITTED
    assert report.return_reason == ""  # the old reason no longer shows once resubmitted

    services.report_accept(report=report, acting_user=carol)  # → 已审核
    report = _fresh(report)
    assert report.status == Status.ACCEPTED
    assert report.reviewed_by == carol and report.reviewed_at is not None

    steps = [
        (e.action, e.from_status, e.to_status, e.actor.username)
        for e in ReportEvent.objects.filter(report=report).select_related("actor")
    ]
    assert steps == [
        (Action.SAVE_DRAFT, Status.NOT_STARTED, Status.DRAFT, "alice"),
        (Action.SAVE_DRAFT, Status.DRAFT, Status.DRAFT, "alice"),
        (Action.UPLOAD_SUMMARY, Status.DRAFT, Status.DRAFT, "alice"),
        (Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, "alice"),
        (Action.RETURN, Status.SUBMITTED, Status.RETURNED, "carol"),
        (Action.SAVE_DRAFT, Status.RETURNED, Status.RETURNED, "alice"),
        (Action.SUBMIT, Status.RETURNED, Status.SUBMITTED, "alice"),
        (Action.ACCEPT, Status.SUBMITTED, Status.ACCEPTED, "carol"),
    ]


def test_uploading_the_summary_first_starts_the_draft(guangdong_report, alice):
    _upload(guangdong_report, alice)
    report = Report.objects.get(pk=guangdong_report.pk)
    assert report.status == Status.DRAFT
    event = ReportEvent.objects.get(report=report)
    assert (event.from_status, event.to_status) == (Status.NOT_STARTED, Status.DRAFT)


# --- Refused steps ---------------------------------------------------------------------------------------------


def _state(name: str, report: Report, alice, carol) -> Report:
    """Bring Guangdong's report into the named state."""
    if name == Status.NOT_STARTED:
        return report
    if name == Status.DRAFT:
        return _ready(report, alice)
    report = _submitted(report, alice)
    if name == Status.RETURNED:
        services.report_return(report=report, reason="请补充直播数据", acting_user=carol)
    elif name == Status.ACCEPTED:
        services.report_accept(report=report, acting_user=carol)
    return _fresh(report)


REVIEW_REFUSALS = [
    # (state, reviewer action, words of the refusal)
    (Status.NOT_STARTED, "accept", "当前状态为“未填报”，不能审核通过"),
    (Status.DRAFT, "accept", "当前状态为“草稿”，不能审核通过"),
    (Status.RETURNED, "accept", "当前状态为“已退回”，不能审核通过"),
    (Status.ACCEPTED, "accept", "已审核通过并锁定"),
    (Status.NOT_STARTED, "return", "当前状态为“未填报”，不能退回"),
    (Status.DRAFT, "return", "当前状态为“草稿”，不能退回"),
    (Status.RETURNED, "return", "当前状态为“已退回”，不能退回"),
    (Status.ACCEPTED, "return", "已审核通过并锁定"),
]


@pytest.mark.parametrize(("state", "action", "words"), REVIEW_REFUSALS)
def test_reviewer_steps_refused_outside_submitted(guangdong_report, alice, carol, state, action, words):
    report = _state(state, guangdong_report, alice, carol)
    before = _snapshot(report)
    with pytest.raises(TransitionError) as exc:
        if action == "accept":
            services.report_accept(report=report, acting_user=carol)
        else:
            services.report_return(report=report, reason="数据有误", acting_user=carol)
    assert words in exc.value.message
    assert exc.value.status == 409
    assert _snapshot(report) == before


UNIT_REFUSALS = [
    (Status.SUBMITTED, "报告已报送，正在等待审核，不能修改"),
    (Status.ACCEPTED, "报告已审核通过并锁定，不能再修改"),
]


@pytest.mark.parametrize(("state", "words"), UNIT_REFUSALS)
@pytest.mark.parametrize("step", ["save", "upload", "submit"])
def test_unit_cannot_change_a_submitted_or_accepted_report(guangdong_report, alice, carol, state, words, step):
    report = _state(state, guangdong_report, alice, carol)
    before = _snapshot(report)
    with pytest.raises(TransitionError) as exc:
        if step == "save":
            _save(report, alice, dict(VALID_FIGURES, tv_news="99"), version=report.version)
        elif step == "upload":
            _upload(report, alice, "新的总结.pdf", make_pdf())
        else:
            services.report_submit(report=report, version=report.version, acting_user=alice)
    assert words in exc.value.message
    assert _snapshot(report) == before


def test_submitting_a_report_never_started_is_refused(guangdong_report, alice):
    with pytest.raises(TransitionError) as exc:
        services.report_submit(report=guangdong_report, version=None, acting_user=alice)
    assert "当前状态为“未填报”，不能报送" in exc.value.message
    assert _fresh(guangdong_report).status == Status.NOT_STARTED


@pytest.mark.parametrize("reason", ["", "   ", "\n", "改"])
def test_return_needs_a_reason(guangdong_report, alice, carol, reason):
    report = _submitted(guangdong_report, alice)
    before = _snapshot(report)
    with pytest.raises(DomainError) as exc:
        services.report_return(report=report, reason=reason, acting_user=carol)
    assert exc.value.message == "请填写退回原因"
    assert [e.field for e in exc.value.errors] == ["reason"]
    assert _snapshot(report) == before


def test_a_reporter_cannot_review_and_a_reviewer_cannot_fill(guangdong_report, alice, carol):
    report = _submitted(guangdong_report, alice)
    before = _snapshot(report)
    for step in (
        lambda: services.report_accept(report=report, acting_user=alice),
        lambda: services.report_return(report=report, reason="自己退回自己", acting_user=alice),
        lambda: services.reports_accept_clean(reports=[report], acting_user=alice),
    ):
        with pytest.raises(DomainError) as exc:
            step()
        assert exc.value.message == "只有商务部审核人员可以审核"
        assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        _save(report, carol)
    assert exc.value.message == "只能填报本单位的报告"
    assert _snapshot(report) == before


def test_a_reporter_cannot_write_another_units_report(beijing_report, bob, alice):
    report = _ready(beijing_report, bob)
    before = _snapshot(report)
    for step in (
        lambda: _save(report, alice, dict(VALID_FIGURES, tv_news="99")),
        lambda: _upload(report, alice),
        lambda: services.report_submit(report=report, version=None, acting_user=alice),
    ):
        with pytest.raises(DomainError) as exc:
            step()
        assert exc.value.message == "只能填报本单位的报告"
        assert exc.value.status == 404
    assert _snapshot(report) == before


# --- What submission requires -------------------------------------------------------------------------------

RULE_ERRORS = [
    # (figures that break one rule, the cell the message is shown next to, how the message names that cell,
    #  the rule whose message it carries — or, for an empty cell, the words asking to fill it)
    (
        dict(VALID_FIGURES, meeting_sessions="0"),
        "meeting_attendance",
        "户外活动 › 会议（场次、人次）",
        "meeting_both_or_neither",
    ),
    (
        dict(VALID_FIGURES, meeting_sessions="12", meeting_attendance="5"),
        "meeting_attendance",
        "户外活动 › 会议（场次、人次）",
        "meeting_attendance_ge_sessions",
    ),
    (dict(VALID_FIGURES, live_sessions="0"), "live_viewers", "新媒介 › 直播（场次，观看人次）", "live_both_or_neither"),
    (
        dict(VALID_FIGURES, material_methods=""),
        "material_methods",
        "户外活动 › 宣传资料展示（方式，份数）",
        "material_copies_need_methods",
    ),
    (dict(VALID_FIGURES, tv_news=""), "tv_news", "传统媒介 › 电视新闻（条）", "请填写（没有请填 0）"),
]


def _rule_message(code_or_words: str) -> str:
    rule = Rule.objects.filter(form__campaign__year=2020, code=code_or_words).first()
    return rule.message if rule else code_or_words


@pytest.mark.parametrize(("figures", "cell", "place", "rule"), RULE_ERRORS)
def test_submit_blocked_by_each_rule_error(guangdong_report, alice, figures, cell, place, rule):
    report = _ready(guangdong_report, alice, figures)  # the draft itself is saved despite the error
    assert report.status == Status.DRAFT
    before = _snapshot(report)
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, version=report.version, acting_user=alice)
    assert exc.value.message == "还不能报送：请先处理下列问题"
    [problem] = exc.value.errors
    assert problem.field == cell
    assert problem.message.startswith(place)  # named the way a person reads the paper table
    assert _rule_message(rule) in problem.message
    assert _snapshot(report) == before


def test_submit_blocked_without_a_summary_report(guangdong_report, alice):
    report = _save(guangdong_report, alice)
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, version=_fresh(report).version, acting_user=alice)
    assert [(e.field, e.message) for e in exc.value.errors] == [("summary", "请先上传总结报告（docx、pdf 或 wps）")]
    assert _fresh(report).status == Status.DRAFT


def test_a_warning_needs_an_explanation_then_submits_with_it(client, guangdong_report, alice, carol):
    report = _ready(guangdong_report, alice, WARNING_FIGURES)
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, version=report.version, acting_user=alice)
    [problem] = exc.value.errors
    assert problem.field == "people_reached"
    assert problem.message.startswith("宣传效果 › 宣传覆盖总人数（人次）")
    assert _rule_message(REACH_RULE) in problem.message
    assert "请填写说明" in problem.message
    assert _fresh(report).status == Status.DRAFT

    # A blank explanation is no explanation.
    with pytest.raises(DomainError):
        services.report_submit(
            report=report, version=report.version, acting_user=alice, explanations={REACH_RULE: "   "}
        )

    reason = "直播观看人次含外省观众，覆盖人数仅统计本省"
    services.report_submit(report=report, version=report.version, acting_user=alice, explanations={REACH_RULE: reason})
    report = _fresh(report)
    assert report.status == Status.SUBMITTED
    assert report.explanations == {REACH_RULE: reason}

    client.force_login(carol)
    page = client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})).content.decode()
    assert _rule_message(REACH_RULE) in page
    assert f"单位说明：{reason}" in page


def test_explanation_saved_with_the_draft_is_enough_to_submit(guangdong_report, alice):
    report = _ready(guangdong_report, alice, WARNING_FIGURES, explanations={REACH_RULE: "统计口径不同"})
    services.report_submit(report=report, version=report.version, acting_user=alice)
    report = _fresh(report)
    assert report.status == Status.SUBMITTED
    assert report.explanations == {REACH_RULE: "统计口径不同"}


def test_year_on_year_warning_names_the_figure_and_needs_its_own_explanation(guangdong_report, alice):
    last_year = Campaign.objects.create(
        year=2019,
        title="2019年“诚信兴商宣传月”活动",
        theme="诚信兴商",
        period_start=dt.date(2019, 9, 1),
        period_end=dt.date(2019, 9, 30),
        notice_date=dt.date(2019, 8, 20),
        deadline=dt.date(2019, 11, 15),
    )
    old = Report.objects.create(
        campaign=last_year,
        unit=guangdong_report.unit,
        status=Status.ACCEPTED,
        submitted_at=timezone.now() - dt.timedelta(days=365),
    )
    for code, value in VALID_STORED.items():
        figure = Figure.objects.get(form__campaign=guangdong_report.campaign, code=code)
        number = 100 if code == "tv_news" else value  # 3 this year against 100 last year
        FigureValue.objects.create(
            report=old, figure=figure, **({"text": value} if isinstance(value, str) else {"number": number})
        )

    report = _ready(guangdong_report, alice)
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, version=report.version, acting_user=alice)
    [problem] = exc.value.errors
    assert problem.field == "tv_news"
    assert problem.message.startswith("传统媒介 › 电视新闻（条）")
    assert "本年 3" in problem.message and "上年 100" in problem.message
    assert _rule_message("year_on_year_factor") in problem.message

    services.report_submit(
        report=report,
        version=report.version,
        acting_user=alice,
        explanations={"year_on_year_factor:tv_news": "今年受疫情影响，电视宣传改为网络宣传"},
    )
    assert _fresh(report).status == Status.SUBMITTED


def test_a_national_body_submits_with_only_a_summary(campaign, erin):
    participant = Participant.objects.get(campaign=campaign, unit__code="GACC")
    assert participant.fills_statistics is False
    report = services.report_get_or_start(campaign=campaign, unit=erin.unit)

    _upload(report, erin, "海关总署总结.pdf", make_pdf())
    report = _fresh(report)
    services.report_submit(report=report, version=report.version, acting_user=erin)
    report = _fresh(report)
    assert report.status == Status.SUBMITTED
    assert report_values(report) == {}


def test_a_national_body_still_needs_its_summary(campaign, erin):
    report = services.report_get_or_start(campaign=campaign, unit=erin.unit)
    report = _save(report, erin, {})
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, version=_fresh(report).version, acting_user=erin)
    assert [e.field for e in exc.value.errors] == ["summary"]


# --- Deadline: late submissions are accepted and marked -------------------------------------------------------


@pytest.mark.parametrize(
    ("campaign_days", "override_days", "late"),
    [
        (10, None, False),  # deadline ahead
        (0, None, False),  # the deadline day itself counts until 24:00
        (-1, None, True),  # deadline passed: accepted, marked 逾期
        (-30, 5, False),  # campaign deadline passed, but this unit was granted a later one
        (10, -2, True),  # this unit's own (earlier) deadline has passed
    ],
)
def test_submission_marked_late_only_after_the_units_deadline(
    campaign, guangdong_report, alice, campaign_days, override_days, late
):
    _set_campaign_dates(campaign, deadline=_today() + dt.timedelta(days=campaign_days))
    if override_days is not None:
        Participant.objects.filter(campaign=campaign, unit=guangdong_report.unit).update(
            deadline_override=_today() + dt.timedelta(days=override_days)
        )
    report = _submitted(guangdong_report, alice)
    assert report.status == Status.SUBMITTED
    assert _fresh(report).late is late
    submit = _events(report, Action.SUBMIT)[-1]
    assert submit.reason == ("逾期报送" if late else "")


# --- Lock date: no change at all, unless the ministry grants the unit an exception -----------------------------


def test_lock_date_in_the_past_refuses_save_upload_and_submit(campaign, guangdong_report, alice, beijing_report, bob):
    report = _ready(guangdong_report, alice)
    yesterday = _today() - dt.timedelta(days=1)
    _set_campaign_dates(campaign, deadline=yesterday - dt.timedelta(days=5), lock_date=yesterday)
    before = _snapshot(report)
    for step in (
        lambda: _save(report, alice, dict(VALID_FIGURES, tv_news="9"), version=report.version),
        lambda: _upload(report, alice),
        lambda: services.report_submit(report=report, version=report.version, acting_user=alice),
    ):
        with pytest.raises(LockedError) as exc:
            step()
        assert exc.value.message.startswith(f"已过锁定日期（{yesterday:%Y-%m-%d}），不能再修改或报送")
        assert exc.value.status == 403
    assert _snapshot(report) == before
    # Every unit is locked, not only this one.
    with pytest.raises(LockedError):
        _save(beijing_report, bob)


def test_lock_date_today_still_allows_work(campaign, guangdong_report, alice):
    _set_campaign_dates(campaign, deadline=_today(), lock_date=_today())
    report = _submitted(guangdong_report, alice)
    assert _fresh(report).status == Status.SUBMITTED


def test_a_per_unit_lock_override_lets_that_unit_work_again(
    campaign, guangdong_report, alice, beijing_report, bob, dave
):
    report = _ready(guangdong_report, alice)
    yesterday = _today() - dt.timedelta(days=1)
    _set_campaign_dates(campaign, deadline=yesterday - dt.timedelta(days=5), lock_date=yesterday)
    with pytest.raises(LockedError):
        _save(report, alice, version=report.version)

    participant_grant_exception(
        campaign=campaign,
        unit=report.unit,
        deadline=None,
        lock_date=_today() + dt.timedelta(days=7),
        reason="汛期停电，经司领导同意补报",
        acting_user=dave,
    )
    report = _save(report, alice, dict(VALID_FIGURES, tv_news="4"), version=_fresh(report).version)
    _upload(report, alice, "补充总结.pdf", make_pdf())
    services.report_submit(report=report, version=_fresh(report).version, acting_user=alice)
    report = _fresh(report)
    assert report.status == Status.SUBMITTED
    assert report.late  # the deadline was not extended, only the lock date

    grant = _events(report, Action.GRANT_EXCEPTION)[0]
    assert grant.actor == dave and grant.reason == "汛期停电，经司领导同意补报"
    # Beijing was granted nothing and stays locked.
    with pytest.raises(LockedError):
        _save(beijing_report, bob)


def test_only_the_national_administrator_grants_exceptions_and_with_a_reason(campaign, carol, dave, alice):
    unit = Unit.objects.get(code="440000")
    later = _today() + dt.timedelta(days=7)
    for user in (carol, alice):
        with pytest.raises(DomainError) as exc:
            participant_grant_exception(
                campaign=campaign, unit=unit, deadline=later, lock_date=later, reason="延期", acting_user=user
            )
        assert exc.value.message.startswith("只有国家管理员可以")
        assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        participant_grant_exception(
            campaign=campaign, unit=unit, deadline=later, lock_date=later, reason="  ", acting_user=dave
        )
    assert exc.value.message.startswith("请填写") and "原因" in exc.value.message
    assert [e.field for e in exc.value.errors] == ["reason"]
    with pytest.raises(DomainError) as exc:
        participant_grant_exception(
            campaign=campaign,
            unit=unit,
            deadline=later,
            lock_date=later - dt.timedelta(days=1),
            reason="延期",
            acting_user=dave,
        )
    assert exc.value.message == "锁定日期不能早于截止日期"
    participant = Participant.objects.get(campaign=campaign, unit=unit)
    assert (participant.deadline_override, participant.lock_override) == (None, None)


@pytest.mark.parametrize(
    ("deadline_days", "lock_days"),
    [
        (5, None),  # a later deadline, the campaign's lock date (yesterday) kept
        (None, 3),  # a lock date before the campaign's deadline (in 10 days) kept
    ],
)
def test_an_exception_never_leaves_a_unit_locked_before_its_deadline(
    campaign, guangdong_report, alice, dave, deadline_days, lock_days
):
    if deadline_days is not None:
        _set_campaign_dates(campaign, deadline=_today() - dt.timedelta(days=10), lock_date=_today() - dt.timedelta(1))
    else:
        _set_campaign_dates(campaign, deadline=_today() + dt.timedelta(days=10), lock_date=None)
    unit = guangdong_report.unit
    try:
        participant = participant_grant_exception(
            campaign=campaign,
            unit=unit,
            deadline=None if deadline_days is None else _today() + dt.timedelta(days=deadline_days),
            lock_date=None if lock_days is None else _today() + dt.timedelta(days=lock_days),
            reason="因疫情延期",
            acting_user=dave,
        )
    except DomainError as exc:  # refusing the grant is a correct outcome
        assert "锁定日期不能早于截止日期" in exc.message
        return
    participant = Participant.objects.select_related("campaign").get(pk=participant.pk)
    assert participant.lock_date is None or participant.lock_date >= participant.deadline, (
        f"deadline {participant.deadline}, locked after {participant.lock_date}"
    )


# --- History ---------------------------------------------------------------------------------------------------


def test_every_figure_change_is_recorded_with_old_new_and_who(guangdong_report, alice):
    report = _save(guangdong_report, alice)
    [first] = _events(report, Action.SAVE_DRAFT)
    assert first.actor == alice
    assert {c["code"]: (c["old"], c["new"]) for c in first.changes} == {
        "meeting_sessions": ("", "12"),
        "meeting_attendance": ("", "3,400"),
        "material_methods": ("", "展板、手册"),
        "material_copies": ("", "5,000"),
        "print_news": ("", "8"),
        "tv_news": ("", "3"),
        "radio_broadcasts": ("", "2"),
        "web_news": ("", "40"),
        "videos": ("", "6"),
        "live_sessions": ("", "3"),
        "live_viewers": ("", "12,000"),
        "people_reached": ("", "50,000"),
        "consultations": ("", "860"),
    }

    changed = dict(VALID_FIGURES, tv_news="4", people_reached="6万", material_methods="展板、横幅", videos="")
    report = _save(report, alice, changed, version=_fresh(report).version)
    last = _events(report, Action.SAVE_DRAFT)[-1]
    assert last.actor == alice
    assert sorted((c["code"], c["label"], c["old"], c["new"]) for c in last.changes) == [
        ("material_methods", "户外活动 › 宣传资料展示（方式，份数） 方式", "展板、手册", "展板、横幅"),
        ("people_reached", "宣传效果 › 宣传覆盖总人数（人次）", "50,000", "60,000"),
        ("tv_news", "传统媒介 › 电视新闻（条）", "3", "4"),
        ("videos", "新媒介 › 视频（条）", "6", ""),
    ]
    assert report_values(report)["videos"] is None

    # Saving the same figures again changes nothing and records nothing.
    count = ReportEvent.objects.filter(report=report).count()
    _save(report, alice, changed, version=_fresh(report).version)
    assert ReportEvent.objects.filter(report=report).count() == count


def test_history_shows_who_changed_what_on_the_page(client, guangdong_report, alice, carol):
    report = _save(guangdong_report, alice)
    _save(report, alice, dict(VALID_FIGURES, tv_news="4"), version=_fresh(report).version)
    client.force_login(carol)
    page = client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})).content.decode()
    assert "传统媒介 › 电视新闻（条）：3 → 4" in page
    assert "alice" in page


def test_return_reason_recorded_in_history(guangdong_report, alice, carol):
    report = _submitted(guangdong_report, alice)
    services.report_return(report=report, reason="  电视新闻条数请与附件核对  ", acting_user=carol)
    report = _fresh(report)
    assert report.return_reason == "电视新闻条数请与附件核对"
    [event] = _events(report, Action.RETURN)
    assert (event.actor, event.reason) == (carol, "电视新闻条数请与附件核对")
    assert (event.from_status, event.to_status) == (Status.SUBMITTED, Status.RETURNED)


# --- Accepting several clean reports at once ----------------------------------------------------------------


def test_accept_clean_accepts_clean_submitted_reports_and_skips_the_others(
    campaign, guangdong_report, beijing_report, alice, bob, carol
):
    clean = _submitted(guangdong_report, alice)
    warned = _submitted(beijing_report, bob, WARNING_FIGURES, explanations={REACH_RULE: "口径不同"})
    shanghai = Unit.objects.get(code="310000")
    sam = UserFactory(username="sam", unit=shanghai, role=Role.UNIT_REPORTER, password=PASSWORD)
    draft = _ready(services.report_get_or_start(campaign=campaign, unit=shanghai), sam)
    untouched = services.report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="210200"))

    accepted, skipped = services.reports_accept_clean(
        reports=[_fresh(r) for r in (clean, warned, draft, untouched)], acting_user=carol
    )
    assert [r.pk for r in accepted] == [clean.pk]
    assert [(r.pk, why) for r, why in skipped] == [
        (warned.pk, "有提示需逐一审核"),
        (draft.pk, "状态为“草稿”"),
        (untouched.pk, "状态为“未填报”"),
    ]
    assert _fresh(clean).status == Status.ACCEPTED
    assert _fresh(warned).status == Status.SUBMITTED
    assert _fresh(draft).status == Status.DRAFT
    assert _fresh(untouched).status == Status.NOT_STARTED
    assert _events(clean, Action.ACCEPT)[0].reason == "批量审核通过"


# --- Stale versions and all-or-nothing saves ------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_writes_nothing(guangdong_report, alice):
    report = _save(guangdong_report, alice, version=0)
    stale = report.version
    report = _save(report, alice, dict(VALID_FIGURES, tv_news="4"), version=stale)  # another window saved
    before = _snapshot(report)
    with pytest.raises(ConflictError) as exc:
        _save(report, alice, dict(VALID_FIGURES, tv_news="7", videos="60"), version=stale)
    assert exc.value.status == 409
    assert "报告已被他人修改" in exc.value.message and "未保存" in exc.value.message
    assert _snapshot(report) == before
    assert report_values(report)["tv_news"] == 4


def test_stale_version_on_submit_is_a_conflict(guangdong_report, alice):
    report = _ready(guangdong_report, alice)
    with pytest.raises(ConflictError):
        services.report_submit(report=report, version=report.version - 1, acting_user=alice)
    assert _fresh(report).status == Status.DRAFT


def test_one_unreadable_cell_saves_nothing_at_all(guangdong_report, alice):
    report = _save(guangdong_report, alice)
    before = _snapshot(report)
    typed = dict(VALID_FIGURES, tv_news="abc", videos="60", people_reached="9万", material_methods="横幅")
    with pytest.raises(DomainError) as exc:
        _save(report, alice, typed, version=report.version)
    assert exc.value.message == "有单元格填写有误，本次未保存，请按提示修改"
    [problem] = exc.value.errors
    assert problem.field == "tv_news"
    assert problem.message.startswith("传统媒介 › 电视新闻（条）")
    assert "“abc”不是有效的数字" in problem.message
    assert _snapshot(report) == before
    assert report_values(report) == VALID_STORED


def test_first_save_with_an_unreadable_cell_creates_nothing(guangdong_report, alice):
    with pytest.raises(DomainError) as exc:
        _save(guangdong_report, alice, dict(VALID_FIGURES, live_viewers="-5", consultations="1.5"))
    assert {e.field for e in exc.value.errors} == {"live_viewers", "consultations"}
    report = _fresh(guangdong_report)
    assert report.status == Status.NOT_STARTED
    assert report_values(report) == {}
    assert not ReportEvent.objects.filter(report=report).exists()
