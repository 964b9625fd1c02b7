"""Properties of the unified social credit code checker (commitments/uscc.py) over generated codes: every code
built by the standard's rules passes however it is typed, every single typing error is caught and named by
position, and no input whatever makes the checker raise."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.commitments.uscc import (
    ALPHABET,
    AUTHORITIES,
    REGION_PREFIXES,
    VALUES,
    WEIGHTS,
    check_character,
    check_uscc,
    is_valid_uscc,
    normalise,
    org_check_character,
)

FAST = settings(max_examples=200, deadline=None)
DIGITS = "0123456789"
FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
)


@st.composite
def codes(draw) -> str:
    """A valid code: authority, organisation type, region, organisation code with its check, overall check."""
    authority = draw(st.sampled_from(sorted(AUTHORITIES)))
    kind = draw(st.sampled_from(ALPHABET))
    region = draw(st.sampled_from(sorted(REGION_PREFIXES))) + draw(st.text(DIGITS, min_size=4, max_size=4))
    organisation = draw(st.text(ALPHABET, min_size=8, max_size=8))
    first17 = authority + kind + region + organisation + org_check_character(organisation)
    return first17 + check_character(first17)


@FAST
@given(codes())
def test_a_code_built_by_the_rules_passes(code):
    assert check_uscc(code) == (code, None)


@FAST
@given(codes())
def test_the_check_character_makes_the_weighted_sum_a_multiple_of_31(code):
    total = sum(VALUES[ch] * w for ch, w in zip(code[:17], WEIGHTS, strict=True)) + VALUES[code[17]]
    assert total % 31 == 0


@FAST
@given(codes(), st.lists(st.sampled_from([" ", "-", "\u3000", "\t"]), max_size=4), st.booleans(), st.booleans())
def test_a_code_typed_with_spaces_hyphens_lower_case_or_full_width_passes(code, noise, lower, full_width):
    typed = code.translate(FULL_WIDTH) if full_width else code
    typed = typed.lower() if lower else typed
    for i, mark in enumerate(noise):
        at = (i * 5) % len(typed)
        typed = typed[:at] + mark + typed[at:]
    assert normalise(typed) == code
    assert is_valid_uscc(typed)


@FAST
@given(codes(), st.integers(0, 17), st.sampled_from(ALPHABET + "IOZSV"))
def test_every_single_character_change_is_caught_at_or_before_its_position(code, position, replacement):
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    normalised, problem = check_uscc(mutated)
    assert normalised == mutated and problem
    # The message names where to look on the licence: the changed position (or the region's 3-8 around it), or
    # the check character that no longer fits (17 for the organisation code, 18 for the whole code).
    named = re.search(r"第(\d+)(?:-(\d+))?位", problem)
    low, high = int(named[1]), int(named[2] or named[1])
    assert low <= position + 1 <= high or low in (17, 18)


@FAST
@given(codes(), st.integers(0, 16))
def test_swapping_two_neighbouring_characters_is_caught(code, position):
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not is_valid_uscc(swapped)


@FAST
@given(st.text(max_size=40))
def test_any_text_gives_the_normalised_code_and_a_verdict(text):
    normalised, problem = check_uscc(text)
    assert normalised == normalise(text)
    assert problem is None or (isinstance(problem, str) and problem)
    if problem is None:
        assert len(normalised) == 18 and all(ch in VALUES for ch in normalised)
