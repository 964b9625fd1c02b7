"""Properties of the form as TOML text (statform/formtext.py) and of loading it (statform form_load through
statform.services.form_edit): any form written out reads back as the same form; any text at all is
either a form or a DomainError saying in Chinese what is wrong, never another exception; and a refused text
changes nothing."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chengxin.core.errors import DomainError
from chengxin.statform.formtext import FIELD, spec_from_toml, spec_to_toml
from chengxin.statform.models import ActivityOutput, Count
from chengxin.statform.services import form_as_spec, form_edit

FAST = settings(max_examples=60, deadline=None)
# Text as people type it in a label (Chinese, Latin, digits, punctuation), with every kind of character TOML
# must escape or may misread: quotes, backslash, tab, line breaks, control characters, [ ] = # and spaces.
LABEL_CHARACTERS = "会议场次人次（）、，：；“”《》宣传资料Ab9 _-.'\"\\\t\n\r\x01\x7f\u3000[]=#{}$"
CODES = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=8).map(lambda tail: "f" + tail)


def _label(max_size: int) -> st.SearchStrategy[str]:
    return st.text(LABEL_CHARACTERS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


@st.composite
def figures(draw, codes: dict[str, str]) -> dict:
    code = draw(CODES.filter(lambda c: c not in codes))
    kind = draw(st.sampled_from(["number", "text"]))
    codes[code] = kind
    number = kind == "number"  # only a number figure counts, is shown per 10,000 or fed by activities
    return {
        "code": code,
        "label": draw(_label(12)),
        "unit": draw(st.sampled_from(["", "场", "人次", "份", "篇"])),
        "kind": kind,
        "help": draw(st.one_of(st.just(""), _label(20))),
        "category": draw(st.sampled_from(["", "outdoor", "new_media", "reach2021"])),
        "count": draw(st.sampled_from(["", *Count.values])) if number else "",
        "per_10k": draw(st.booleans()) if number else False,
        "activity_output": draw(st.sampled_from(["", *ActivityOutput.values])) if number else "",
    }


@st.composite
def rows(draw, codes: dict[str, str], depth: int = 0) -> dict:
    label = draw(_label(12))
    if depth < 2 and draw(st.booleans()):
        children = draw(st.lists(rows(codes, depth + 1), min_size=1, max_size=2))
        return {"label": label, "figures": [], "rows": children}
    return {"label": label, "figures": draw(st.lists(figures(codes), min_size=1, max_size=2)), "rows": []}


@st.composite
def specs(draw) -> dict:
    codes: dict[str, str] = {}
    spec = {"title": draw(_label(20)), "rows": draw(st.lists(rows(codes), min_size=1, max_size=3)), "rules": []}
    numbers = sorted(c for c, kind in codes.items() if kind == "number")
    rule_codes = draw(st.lists(CODES, unique=True, max_size=2)) if numbers else []
    for code in rule_codes:
        spec["rules"].append(
            {
                "code": code,
                "left": draw(st.sampled_from(numbers)),
                "operator": draw(st.sampled_from(["ge", "le", "eq", "lt", "gt", "both_or_neither", "requires"])),
                "right": draw(st.one_of(st.sampled_from(numbers), st.integers(0, 10**6).map(str))),
                "severity": draw(st.sampled_from(["error", "warning"])),
                "anchor": draw(st.one_of(st.just(""), st.sampled_from(sorted(codes)))),
                "message": draw(_label(20)),
            }
        )
    return spec


def _parse(text: str) -> dict | None:
    try:
        return spec_from_toml(text)
    except DomainError as exc:
        assert exc.message.startswith("统计表定义有误")
        assert exc.errors and exc.errors[0].field == FIELD and exc.errors[0].message
        return None


@FAST
@given(specs())
def test_any_form_written_out_reads_back_as_the_same_form(spec):
    assert spec_from_toml(spec_to_toml(spec)) == spec


@FAST
@given(specs())
def test_windows_line_ends_read_the_same(spec):
    assert spec_from_toml(spec_to_toml(spec).replace("\n", "\r\n")) == spec


@FAST
@given(st.text(max_size=300))
def test_any_text_is_a_form_or_a_chinese_refusal(text):
    _parse(text)


@FAST
@given(specs(), st.data())
def test_any_edit_of_a_valid_text_is_a_form_or_a_chinese_refusal(spec, data):
    lines = spec_to_toml(spec).split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        edit = data.draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
        if edit == "delete":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "insert":
            junk = ["[[form.rows]]", "figures = []", 'kind = "date"', "rows = 3", 'code = "A"', "label = 1", "[form"]
            lines.insert(at, data.draw(st.sampled_from(junk)))
        else:
            lines[at] = lines[at][: len(lines[at]) // 2]
        if not lines:
            break
    _parse("\n".join(lines))


# --- loading it into a campaign ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_any_text_loads_as_a_form_or_is_refused_without_changing_anything(campaign, dave):
    before = form_as_spec(campaign.stat_form)
    original = spec_to_toml(before)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(specs().map(spec_to_toml), st.text(max_size=200), st.just(original)), st.data())
    def check(text, data):
        if data.draw(st.booleans()):  # sometimes a small change to the real form
            text = original.replace('unit = "场"', data.draw(st.sampled_from(['unit = "场"', 'kind = "x"', ""])))
        with transaction.atomic():
            try:
                form = form_edit(campaign=campaign, text=text, acting_user=dave)
            except DomainError as exc:
                event("refused")
                assert exc.message and exc.status in (400, 409)
                assert form_as_spec(campaign.stat_form) == before  # all or nothing
            else:
                event("loaded")
                assert form_as_spec(form) == spec_from_toml(text)
            transaction.set_rollback(True)  # every example starts from the 2020 form

    check()
