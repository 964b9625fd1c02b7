"""Schemathesis fuzzes every operation of the generated OpenAPI document against the real application and a real
database with the 2020 campaign: whatever it sends (valid or invalid by the schema), the API never answers 5xx
and every answer matches the document (documented status codes' JSON shapes).

Each operation runs as a national administrator (dave) and as a provincial reporter (alice), with a bounded,
derandomised number of examples: reproducible, and quick enough for every run of the suite.
"""

import functools
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from chengxin.api.api import api
from chengxin.api.tests.conftest import token_of
from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.units.models import Unit

# CHENGXIN_FUZZ_EXAMPLES=500 runs a deeper search (minutes) with the same code.
EXAMPLES_PER_OPERATION = int(os.environ.get("CHENGXIN_FUZZ_EXAMPLES", "25"))
# Path values that reach real objects: the loaded campaign, a unit of each kind, and one that does not exist.
KNOWN_PATHS = {"year": [2020], "unit_code": ["440000", "110000", "MOFCOM", "GACC", "999999"]}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from the document ninja generates."""
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    return [(method.upper(), path) for path, methods in document["paths"].items() for method in methods]


@functools.cache
def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI application, not through Django's test client: like the test client, keep
    Django from closing the database connection around each request (that would end the test's transaction; on
    PostgreSQL, with CONN_MAX_AGE, it does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(campaign, alice, bob, dave):
    """Some reports in other states than 'not started', so that writes get past the first checks."""
    from chengxin.reporting.services import report_get_or_start, report_save_draft

    submitted_report(campaign, Unit.objects.get(code="110000"), bob)
    report = report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))
    report_save_draft(report=report, raw_values=VALID_FIGURES, version=report.version, acting_user=alice)
    return {"alice": alice, "dave": dave}


@pytest.mark.parametrize("persona", ["dave", "alice"])
@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: v if isinstance(v, str) else None)
def test_operation_never_answers_a_server_error(world, persona, method, path):
    operation = _schema()[path][method]
    headers = {"Authorization": f"Bearer {token_of(world[persona])}"}
    fixed = {name: values for name, values in KNOWN_PATHS.items() if "{" + name + "}" in path}
    strategies = []
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if fixed:
            for combination in _combinations(fixed):
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=combination))

    strategies.extend(_bodies_with_real_codes(operation, method, path))

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance], headers=headers)

    check()


def _bodies_with_real_codes(operation, method: str, path: str) -> list:
    """Bodies naming the form's real figure and rule codes, with any values: schemathesis alone rarely guesses a
    code, and so would seldom get past the unknown-code check into the parsing of typed cells."""
    from chengxin.conftest import CONTRACT_FIGURE_CODES

    cell = st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            ["1.2万", "12,345", "3亿", "-5", "1e400", "12场", "９９", "0.5", "10000000000000000", "1\x00", "\ud800"]
        ),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.none(),
    )
    explanations = st.dictionaries(
        st.sampled_from(["reach_covers_attendance", "year_on_year_factor:tv_news", "x", "\ud800"]),
        st.one_of(st.text(max_size=50), st.sampled_from(["\x00", "\udc00"])),
        max_size=3,
    )
    version = st.one_of(st.integers(min_value=0, max_value=5), st.none())
    if method == "PUT":
        body = st.fixed_dictionaries(
            {
                "version": st.integers(min_value=0, max_value=5),
                "values": st.dictionaries(st.sampled_from(CONTRACT_FIGURE_CODES), cell, max_size=13),
            },
            optional={"explanations": explanations},
        )
    elif path.endswith("/submit"):
        body = st.fixed_dictionaries({}, optional={"version": version, "explanations": explanations})
    else:
        return []
    return [
        body.flatmap(
            lambda b, unit=unit: operation.as_strategy(
                body=b, path_parameters={"year": 2020, "unit_code": unit}, headers={"Idempotency-Key": "fuzz"}
            )
        )
        for unit in ("440000", "110000")
    ]


def _combinations(fixed: dict[str, list]) -> list[dict]:
    combos = [{}]
    for name, values in fixed.items():
        combos = [{**c, name: v} for c in combos for v in values]
    return combos
