"""0002_outputs_as_rows: the nine output columns become rows keyed by figure code, nothing lost, and back."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("activities", "0001_initial")]
AFTER = [("activities", "0002_outputs_as_rows")]
COLUMNS = {
    "sessions": 2,
    "attendance": 600,
    "print_articles": 3,
    "tv_items": 1,
    "broadcasts": 0,
    "web_news": 12,
    "videos": 0,
    "livestreams": 1,
    "live_viewers": 3_000_000_000,  # the one 64-bit column
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_non_zero_column_becomes_a_row_of_its_figure_code_and_goes_back(campaign, alice):
    try:
        old = _migrate(BEFORE)
        activity = old.get_model("activities", "Activity")
        common = {
            "campaign_id": campaign.pk,
            "unit_id": Unit.objects.get(code="440000").pk,
            "start_date": dt.date(2020, 10, 10),
            "end_date": dt.date(2020, 10, 10),
            "region_code": "440000",
            "created_by_id": alice.pk,
        }
        full = activity.objects.create(title="有数的活动", **common, **COLUMNS)
        empty = activity.objects.create(title="没有数的活动", **common)

        new = _migrate(AFTER)
        rows = new.get_model("activities", "ActivityOutputValue").objects
        assert sorted(rows.values_list("activity_id", "code", "value")) == sorted(
            [
                (full.pk, "meeting_sessions", 2),
                (full.pk, "meeting_attendance", 600),
                (full.pk, "print_news", 3),
                (full.pk, "tv_news", 1),
                (full.pk, "web_news", 12),
                (full.pk, "live_sessions", 1),
                (full.pk, "live_viewers", 3_000_000_000),
            ]
        )
        assert not rows.filter(activity_id=empty.pk).exists()
        assert "sessions" not in {f.name for f in new.get_model("activities", "Activity")._meta.get_fields()}

        back = _migrate(BEFORE).get_model("activities", "Activity")
        assert back.objects.filter(pk=full.pk).values(*COLUMNS).get() == COLUMNS
        assert back.objects.filter(pk=empty.pk).values(*COLUMNS).get() == dict.fromkeys(COLUMNS, 0)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
