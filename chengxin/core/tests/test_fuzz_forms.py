"""Every web form, fuzzed (issue 12): each POST route of the access table (chengxin/reporting/tests/test_access.py)
is posted as the persona the table lets through, with its usual fields replaced by hypothesis' choice of what a probe
sends — NUL characters, lone surrogates, huge and negative numbers, non-ASCII digits ("²", "١٢", "１２"), very long
texts, bidi and zero-width characters, impossible dates — and with extra fields. The answer is never a 5xx, on SQLite
and on PostgreSQL. (The API's routes are fuzzed against its OpenAPI document by chengxin/api/tests/test_fuzz.py.)

Each example runs in a savepoint that is rolled back, so every one starts from the same data.
"""

import os

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chengxin.reporting.tests.test_access import (  # noqa: F401  (fixtures)
    ROUTES,
    _sign_in,
    beijing_draft,
    people,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("CHENGXIN_FUZZ_FORM_EXAMPLES", "150"))
# The order in which personas are tried: the first the table lets through is "the right role" for the route.
TRY = ("bob", "alice", "carol", "dave", "secadmin", "sysadmin", "ivan", "frank", "anonymous")

NASTY = [
    "\x00",
    "商务\x00部",
    "\ud800",
    "²",
    "١٢",
    "１２",
    "-1",
    "-99999999999999999999",
    "9" * 40,
    "1e309",
    "NaN",
    "0x1F",
    " ",
    "",
    "\u202e反转\u202c",
    "\u200b\u200d",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "2020-13-45",
    "0001-01-01",
    "9999-12-31",
    "x" * 3000,
    "长" * 25_000,
]


def _routes(method: str):
    seen = set()
    for route in ROUTES:
        if route.method != method or route.api or route.name in ("logout", "set_language"):
            continue
        persona = next((p for p in TRY if route.expect[p] in (200, 301, 302)), None)
        if persona is None or (route.name, persona) in seen:
            continue
        seen.add((route.name, persona))
        yield pytest.param(route, persona, id=f"{route.name}-{persona}")


def _text(value) -> bool:
    return isinstance(value, str)


# What is sent to every field of every form, one field at a time, before hypothesis mixes them.
EACH_FIELD = ["商务\x00部", "²", "-1", "9" * 40, "x" * 3000]
# Query parameters the pages read (filters, search, paging), each tried with every NASTY value on every page.
QUERY = ["q", "unit", "status", "year", "kind", "scope", "page", "figure", "plan", "from", "to", "action", "next"]


def _post(client, url: str, post: dict, persona, people) -> int | None:  # noqa: F811
    with transaction.atomic():
        if people[persona] is not None:
            _sign_in(client, people[persona])
        try:
            response = client.post(url, post)
        except UnicodeEncodeError:  # a lone surrogate cannot even be sent as a form field by an HTTP client
            response = None
        if response is not None and response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response.status_code if response is not None else None


POST_ROUTES = [p.values for p in _routes("POST")]
GET_ROUTES = [p.values for p in _routes("GET")]


def _url(route) -> str:
    return route.path or reverse(route.name, kwargs=route.kwargs)


def test_every_field_of_every_form_refuses_bad_input_without_5xx(client, people, beijing_draft):  # noqa: F811
    failed = []
    for route, persona in POST_ROUTES:
        base = route.data() if route.data else {}
        for field in [k for k, v in base.items() if _text(v)]:
            for value in EACH_FIELD:
                status = _post(client, _url(route), {**base, field: value}, persona, people)
                if status is not None and status >= 500:
                    failed.append(f"POST {_url(route)} as {persona}: {field}={value!r:.40} → {status}")
    assert failed == [], "\n".join(failed)


def test_no_page_answers_5xx_whatever_its_query(client, people, beijing_draft):  # noqa: F811
    """Every query parameter a page may read set to the same bad value at once, one value after the other."""
    failed = []
    for route, persona in GET_ROUTES:
        if people[persona] is not None:
            _sign_in(client, people[persona])
        for value in [*EACH_FIELD, "\u202e", "2020-13-45"]:
            response = client.get(_url(route), dict.fromkeys(QUERY, value))
            if response.streaming:
                b"".join(response.streaming_content)
            if response.status_code >= 500:
                failed.append(f"GET {_url(route)} as {persona}: {value!r:.40} → {response.status_code}")
    assert failed == [], "\n".join(failed)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_web_form_answers_5xx_whatever_it_is_sent(client, people, beijing_draft, data):  # noqa: F811
    route, persona = data.draw(st.sampled_from(POST_ROUTES))
    base = route.data() if route.data else {}
    fields = {k: v for k, v in base.items() if _text(v)} or {"x": ""}
    mutated = data.draw(
        st.dictionaries(st.sampled_from(sorted(fields)), st.sampled_from(NASTY) | st.text(max_size=50), min_size=1)
    )
    extra = data.draw(
        st.dictionaries(
            st.sampled_from(["x_meeting_rule", "x_" + "长" * 30, "f_unknown", "\x00", "units", "unit", "version"]),
            st.sampled_from(NASTY),
            max_size=3,
        )
    )
    post = {**base, **mutated, **extra}
    status = _post(client, _url(route), post, persona, people)
    assert status is None or status < 500, f"POST {_url(route)} as {persona} {post!r:.300} → {status}"
