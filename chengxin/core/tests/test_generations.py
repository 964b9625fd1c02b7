"""Cached reads keyed by generations: a bump makes the next read compute again; nothing else does."""

import pytest

from chengxin.core.generations import cached, generation_bump

pytestmark = pytest.mark.django_db  # a bump is repeated when the transaction commits


@pytest.fixture
def calls():
    made = []

    def compute(value):
        def run():
            made.append(value)
            return value

        return run

    compute.made = made
    return compute


def test_a_result_is_computed_once_until_a_generation_it_depends_on_is_bumped(calls):
    assert cached("t:a", ("units",), calls(1)) == 1
    assert cached("t:a", ("units",), calls(2)) == 1  # from the cache
    generation_bump("campaigns")  # another name: still cached
    assert cached("t:a", ("units",), calls(3)) == 1
    generation_bump("units")
    assert cached("t:a", ("units",), calls(4)) == 4
    assert calls.made == [1, 4]


def test_none_is_cached_like_any_result(calls):
    assert cached("t:none", ("units",), calls(None)) is None
    assert cached("t:none", ("units",), calls(5)) is None
    assert calls.made == [None]


def test_the_all_generation_invalidates_everything(calls):
    cached("t:b", ("notices:7",), calls(1))
    generation_bump("all")  # a restore or the demo data
    assert cached("t:b", ("notices:7",), calls(2)) == 2


def test_a_save_or_delete_of_a_watched_model_bumps_its_generations(calls):
    from chengxin.units.models import Unit, UnitKind

    cached("t:units", ("units",), calls(1))
    unit = Unit.objects.create(code="999901", name="测试市商务局", short_name="测试", kind=UnitKind.CITY)
    assert cached("t:units", ("units",), calls(2)) == 2  # units.apps: bump_on_change(Unit, …)
    unit.delete()
    assert cached("t:units", ("units",), calls(3)) == 3
