"""`chengxin demo-data`: a multi-year, multi-level data set that looks real and can be removed cleanly."""

import io
import itertools
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from chengxin.analytics.selectors import totals
from chengxin.campaigns.models import Campaign, Participant, is_late
from chengxin.conftest import VALID_FIGURES
from chengxin.core.errors import DomainError
from chengxin.reporting.models import FigureValue, Report, ReportEvent, Status
from chengxin.reporting.services import report_save_draft
from chengxin.site.demo_data import DEMO_MARK, demo_data_reset, parse_years
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import check_values
from chengxin.units.demo import DEMO_PASSWORD
from chengxin.units.models import PROVINCIAL_KINDS, Unit, UnitKind, User

pytestmark = pytest.mark.django_db

SMALL = ["--units", "120", "--years", "2019-2020", "--seed", "7"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo_data(*args: str) -> str:
    out = io.StringIO()
    call_command("demo-data", *args, stdout=out)
    return out.getvalue()


def values_by_report(campaign: Campaign) -> dict[int, dict]:
    values: dict[int, dict] = defaultdict(dict)
    rows = FigureValue.objects.filter(report__campaign=campaign).values_list(
        "report_id", "figure__code", "figure__kind", "number", "text"
    )
    for report_id, code, kind, number, text in rows:
        values[report_id][code] = number if kind == "number" else text
    return values


def chain(unit: Unit) -> list[Unit]:
    units = [unit]
    while units[-1].parent_id is not None:
        units.append(units[-1].parent)
    return units


def test_builds_the_asked_number_of_units_under_the_provinces_at_most_three_levels_deep():
    output = demo_data(*SMALL)

    assert Unit.objects.count() == 120
    demo = list(Unit.objects.filter(full_name__endswith=DEMO_MARK).select_related("parent__parent"))
    kinds = Counter(u.kind for u in demo)
    assert len(demo) == 120 - 56
    assert kinds[UnitKind.CITY] > 0 and kinds[UnitKind.COUNTY] > 0
    assert set(kinds) == {UnitKind.CITY, UnitKind.COUNTY}
    for unit in demo:
        path = chain(unit)
        assert len(path) <= 3, unit.name
        assert path[-1].kind in PROVINCIAL_KINDS, unit.name
        assert unit.population and unit.population > 0
        assert unit.code.startswith(path[-1].code[:2]) and len(unit.code) == 6
        if unit.kind == UnitKind.COUNTY and unit.parent.kind == UnitKind.CITY:
            assert unit.code[:4] == unit.parent.code[:4]
    # Municipality districts report to the municipality itself; planned cities are never anyone's city.
    assert {u.kind for u in Unit.objects.filter(parent__code="110000")} <= {UnitKind.COUNTY}
    assert not Unit.objects.filter(code="440300", full_name__endswith=DEMO_MARK).exists()
    assert Unit.objects.get(code="440000").population > 100_000_000
    # Every demo unit is expected to fill the statistics table in every year built.
    for year in (2019, 2020):
        assert Participant.objects.filter(campaign__year=year, unit__in=demo, fills_statistics=True).count() == 64
    assert "生成 2020 年报送" in output and "新建单位 64 个" in output


def test_the_size_is_spread_over_provinces_like_the_real_divisions():
    demo_data("--units", "600", "--years", "2020", "--seed", "1")

    def below(code: str) -> int:
        return Unit.objects.filter(parent__code=code).count() + Unit.objects.filter(parent__parent__code=code).count()

    assert Unit.objects.count() == 600
    assert below("440000") > 4 * below("110000")  # 广东 has many more cities and counties than 北京
    assert below("510000") > below("640000")  # 四川 more than 宁夏


def test_every_complete_report_passes_the_forms_rules_and_drafts_have_no_errors():
    demo_data(*SMALL)

    for campaign in Campaign.objects.filter(year__in=[2019, 2020]):
        definition = form_definition(campaign)
        values = values_by_report(campaign)
        previous = {
            r.unit_id: values_by_report(r.campaign)[r.pk]
            for r in Report.objects.filter(campaign__year=campaign.year - 1, status__in=["submitted", "accepted"])
        }
        reports = list(Report.objects.filter(campaign=campaign))
        assert reports
        for report in reports:
            if report.status == Status.DRAFT:
                findings = check_values(definition, values[report.pk])
                assert not [f for f in findings if f.is_error], (report, findings)
            else:
                findings = check_values(
                    definition, values[report.pk], previous=previous.get(report.unit_id), require_complete=True
                )
                assert findings == [], (report, [f.message for f in findings])
                v = values[report.pk]
                assert v["people_reached"] >= v["meeting_attendance"] + v["live_viewers"]
                assert bool(v["material_methods"]) == (v["material_copies"] > 0)


def test_statuses_dates_and_history_agree():
    demo_data(*SMALL)

    for report in Report.objects.filter(campaign__year__in=[2019, 2020]).select_related("campaign"):
        events = list(ReportEvent.objects.filter(report=report).order_by("at", "pk"))
        assert events and events[-1].to_status == report.status
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(events))
        if report.status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED):
            assert report.submitted_at and report.first_submitted_at <= report.submitted_at
            assert report.late == is_late(report.first_submitted_at, report.campaign.deadline)
        else:
            assert report.submitted_at is None
        if report.status == Status.ACCEPTED:
            assert report.reviewed_by is not None and report.reviewed_at >= report.submitted_at
        if report.status == Status.RETURNED:
            assert report.return_reason
    past = Counter(Report.objects.filter(campaign__year=2019).values_list("status", flat=True))
    newest = Counter(Report.objects.filter(campaign__year=2020).values_list("status", flat=True))
    assert past[Status.ACCEPTED] >= 0.9 * sum(past.values())
    assert len(newest) >= 3 and newest[Status.ACCEPTED] < 0.8 * sum(newest.values())
    # Submissions are spread over the days around the deadline, a few of them late.
    days = {r.first_submitted_at.date() for r in Report.objects.filter(campaign__year=2020, submitted_at__isnull=False)}
    assert len(days) >= 5
    assert Report.objects.filter(late=True).exists() and Report.objects.filter(late=False).exists()
    # The ministry reviews provincial units; a province reviews its cities.
    city_report = Report.objects.filter(unit__kind=UnitKind.CITY, status=Status.ACCEPTED).first()
    province_report = Report.objects.filter(unit__parent__isnull=True, status=Status.ACCEPTED).first()
    assert city_report.reviewed_by.username == "demo-system-province"
    assert province_report.reviewed_by.username == "demo-system-ministry"
    assert not city_report.reviewed_by.has_usable_password() and not city_report.reviewed_by.is_active


def test_a_second_run_is_refused_and_changes_nothing():
    demo_data(*SMALL)
    before = (Unit.objects.count(), Report.objects.count(), FigureValue.objects.count())

    with pytest.raises(CommandError, match="--reset"):
        demo_data(*SMALL)

    assert (Unit.objects.count(), Report.objects.count(), FigureValue.objects.count()) == before


def test_reset_rebuilds_the_same_data_from_the_same_seed():
    demo_data(*SMALL)
    first = totals(Campaign.objects.get(year=2020))

    output = demo_data(*SMALL, "--reset")

    assert "已删除以前的演示数据" in output
    assert Unit.objects.count() == 120
    assert totals(Campaign.objects.get(year=2020)) == first


def test_real_reports_are_never_touched(alice, guangdong_report):
    report_save_draft(report=guangdong_report, raw_values=VALID_FIGURES, version=None, acting_user=alice)

    with pytest.raises(CommandError, match="真实报送"):
        demo_data(*SMALL)
    assert Unit.objects.filter(full_name__endswith=DEMO_MARK).count() == 0

    output = demo_data(*SMALL, "--reset")

    assert "保留了 1 份真实报送" in output
    guangdong_report.refresh_from_db()
    assert guangdong_report.status == Status.DRAFT and guangdong_report.events.get().actor == alice
    assert FigureValue.objects.filter(report=guangdong_report, figure__code="meeting_attendance").get().number == 3400
    assert Report.objects.filter(campaign__year=2020).count() > 1


def test_reset_removes_only_demo_data(alice):
    demo_data(*SMALL)
    units_before = set(Unit.objects.exclude(full_name__endswith=DEMO_MARK).values_list("code", flat=True))

    removed = demo_data_reset()

    assert removed["units"] == 64 and removed["reports"] > 0 and removed["campaigns"] == 1
    assert set(Unit.objects.values_list("code", flat=True)) == units_before
    assert Report.objects.count() == 0
    assert list(Campaign.objects.values_list("year", flat=True)) == [2020]  # the notice's campaign stays
    assert Participant.objects.filter(campaign__year=2020).count() == 55
    assert not User.objects.filter(username__startswith="demo-system-").exists()
    assert not User.objects.filter(username__in=["guangdong-city", "guangdong-county"]).exists()
    assert User.objects.filter(username="alice").exists()


def test_hierarchy_demo_accounts_only_where_demo_accounts_are_allowed(settings):
    settings.CHENGXIN_DEMO_ACCOUNTS = False
    output = demo_data(*SMALL)
    assert not User.objects.filter(username="guangdong-city").exists()
    assert "演示账号" not in output

    settings.CHENGXIN_DEMO_ACCOUNTS = True
    output = demo_data(*SMALL, "--reset")

    city = User.objects.get(username="guangdong-city")
    county = User.objects.get(username="guangdong-county")
    assert city.unit.parent.code == "440000" and county.unit.parent == city.unit
    assert city.check_password(DEMO_PASSWORD) and county.reports_for(county.unit)
    assert city.reviews(county.unit) and User.objects.get(username="guangdong").oversees(county.unit)
    assert f"guangdong-city / {DEMO_PASSWORD}" in output


def test_years_and_size_are_checked():
    assert parse_years("2016-2020") == [2016, 2017, 2018, 2019, 2020]
    assert parse_years("2020,2018") == [2018, 2020]
    with pytest.raises(DomainError):
        parse_years("2020-2016")
    with pytest.raises(CommandError, match="单位总数"):
        demo_data("--units", "10", "--years", "2020")
