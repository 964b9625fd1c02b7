"""The dashboards' data stamp is read through the cache (analytics.selectors.data_stamp, core.generations): it must
still change with every write that can change a counted figure, or a cached page would show old numbers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chengxin.analytics.selectors import data_stamp
from chengxin.campaigns.models import Participant
from chengxin.conftest import VALID_FIGURES
from chengxin.reporting import services as reporting
from chengxin.units.models import Unit
from chengxin.units.selectors import unit_has_sub_units

pytestmark = pytest.mark.django_db


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_the_stamp_is_computed_once_until_something_changes(campaign):
    first = data_stamp(campaign)
    assert _queries(lambda: data_stamp(campaign)) == 0
    assert data_stamp(campaign) == first


def test_a_saved_report_changes_the_stamp(campaign, alice, django_capture_on_commit_callbacks):
    report = reporting.report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))
    before = data_stamp(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        report = reporting.report_save_draft(
            report=report, raw_values=VALID_FIGURES, version=report.version, acting_user=alice
        ).report
    after_save = data_stamp(campaign)
    assert after_save != before
    reporting.report_save_draft(report=report, raw_values={"tv_news": "4"}, version=report.version, acting_user=alice)
    assert data_stamp(campaign) != after_save  # seen before the commit too (the bump is made at once as well)


def test_a_participant_or_a_units_parent_changes_the_stamp(campaign):
    before = data_stamp(campaign)
    Participant.objects.filter(campaign=campaign, unit__code="440000").update(deadline_override=None)  # no signal
    assert _queries(lambda: data_stamp(campaign)) == 0  # an update() behind the models' back: not seen at once
    participant = Participant.objects.get(campaign=campaign, unit__code="440000")
    participant.fills_statistics = False
    participant.save()
    changed = data_stamp(campaign)
    assert changed != before
    city = Unit.objects.create(code="440100", name="广州市", full_name="广州市商务局", kind="city")
    assert data_stamp(campaign) != changed
    guangdong = Unit.objects.get(code="440000")
    assert not unit_has_sub_units(guangdong.pk)
    city.parent = guangdong
    city.save()
    assert unit_has_sub_units(guangdong.pk)
