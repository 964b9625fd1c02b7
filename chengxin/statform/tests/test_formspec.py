"""The one validator of a form's definition (statform/formspec.py): every way a form arrives (the campaign data
file, the web editor, `form-load`, a copied campaign) is checked by it, its problems are structured (kind, where)
and said in the user's language through the translation catalogue, naming the line of the TOML text."""

import copy

import pytest
from django.utils import translation

from chengxin.campaigns.services import campaign_spec
from chengxin.core.errors import DomainError
from chengxin.statform.formspec import FormSpecError, validate_spec
from chengxin.statform.formtext import spec_from_toml, spec_to_toml


def spec_2020() -> dict:
    return copy.deepcopy(campaign_spec(2020)["form"])


def _figure(spec: dict, code: str) -> dict:
    def walk(rows):
        for row in rows:
            for fig in row.get("figures", []):
                if fig["code"] == code:
                    return fig
            found = walk(row.get("rows", []))
            if found:
                return found
        return None

    return walk(spec["rows"])


def _rule(spec: dict, code: str) -> dict:
    return next(r for r in spec["rules"] if r["code"] == code)


def problems(spec: dict) -> list[tuple[str, tuple]]:
    with pytest.raises(FormSpecError) as caught:
        validate_spec(spec)
    return [(p.kind, p.loc) for p in caught.value.problems]


def test_the_2020_form_is_valid_and_states_the_meaning_of_its_13_figures():
    spec = validate_spec(spec_2020())
    figures = {f["code"]: f for f in _all_figures(spec["rows"])}
    assert len(figures) == 13
    assert {c for c, f in figures.items() if f["per_10k"]} == {"people_reached", "consultations"}
    assert {c for c, f in figures.items() if f["category"] == "traditional_media"} == {
        "print_news",
        "tv_news",
        "radio_broadcasts",
    }
    assert figures["material_methods"]["count"] == ""  # a text figure counts nothing
    assert figures["meeting_attendance"]["activity_output"] == "offline"
    assert figures["people_reached"]["activity_output"] == ""


def _all_figures(rows):
    for row in rows:
        yield from row.get("figures", [])
        yield from _all_figures(row.get("rows", []))


def _mutate(change):
    spec = spec_2020()
    change(spec)
    return spec


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda s: _figure(s, "tv_news").update(code="print_news"), "duplicate_figure"),
        (lambda s: s["rules"].append(dict(s["rules"][0])), "duplicate_rule"),
        (lambda s: _rule(s, "meeting_attendance_ge_sessions").update(right="meeting_sesions"), "unknown_figure"),
        (lambda s: _rule(s, "meeting_attendance_ge_sessions").update(right="meeting_sessions - 1"), "bad_side"),
        (lambda s: _rule(s, "meeting_attendance_ge_sessions").update(left="Meeting_attendance"), "bad_side"),
        (lambda s: _rule(s, "meeting_attendance_ge_sessions").update(anchor="nowhere"), "unknown_anchor"),
        (lambda s: _rule(s, "meeting_attendance_ge_sessions").update(left="*"), "star_only_year_on_year"),
        (lambda s: _rule(s, "year_on_year_factor").update(right="ten"), "factor"),
        (lambda s: _rule(s, "year_on_year_factor").update(right="0"), "factor"),
        (lambda s: _rule(s, "reach_covers_attendance").update(right="material_methods"), "text_in_sum"),
        (lambda s: _figure(s, "material_methods").update(per_10k=True), "text_meaning"),
        (lambda s: s["rows"][0]["rows"][0].update(figures=[{"code": "x", "label": "x"}]), "leaf_and_children"),
        (lambda s: s["rows"].append({"label": "空行"}), "empty_row"),
        (lambda s: s.update(rows=[{"label": "只有行", "rows": [{"label": "下一级"}]}], rules=[]), "no_figures"),
    ],
)
def test_whole_form_problems_are_found(change, kind):
    assert kind in [k for k, _loc in problems(_mutate(change))]


@pytest.mark.parametrize(
    ("change", "kind", "key"),
    [
        (lambda s: _figure(s, "tv_news").pop("label"), "missing", "label"),
        (lambda s: _figure(s, "tv_news").update(label="  "), "string_too_short", "label"),
        (lambda s: _figure(s, "tv_news").update(label=12), "string_type", "label"),
        (lambda s: _figure(s, "tv_news").update(lable="电视"), "extra_forbidden", "lable"),
        (lambda s: _figure(s, "tv_news").update(count="viewers"), "literal_error", "count"),
        (lambda s: _figure(s, "tv_news").update(per_10k="yes"), "bool_type", "per_10k"),
        (lambda s: _figure(s, "tv_news").update(code="TV-news"), "string_pattern_mismatch", "code"),
        (lambda s: _rule(s, "live_both_or_neither").update(operator="!="), "literal_error", "operator"),
        (lambda s: s.update(title="表" * 201), "string_too_long", "title"),
    ],
)
def test_shape_problems_are_found_with_their_place(change, kind, key):
    found = problems(_mutate(change))
    assert (kind, key) in [(k, loc[-1]) for k, loc in found]


def test_every_shape_problem_is_reported_at_once():
    spec = spec_2020()
    _figure(spec, "tv_news").update(label="")
    _figure(spec, "videos").update(count="many")
    _rule(spec, "live_both_or_neither").update(severity="fatal")
    assert len(problems(spec)) == 3


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def test_errors_in_the_text_name_their_line_in_chinese():
    text = spec_to_toml(spec_2020())
    text = text.replace(
        '"videos", label = "条数", unit = "条", category = "new_media", count = "items"',
        '"videos", label = "条数", unit = "条", category = "new_media", count = "many"',
    )
    text = text.replace(
        'right = "meeting_sessions"\nseverity = "error"\nanchor = "meeting_attendance"\nmessage = "人次不',
        'right = "meeting_sesions"\nseverity = "error"\nanchor = "meeting_attendance"\nmessage = "人次不',
    )
    with pytest.raises(DomainError) as caught:
        spec_from_toml(text)
    messages = [e.message for e in caught.value.errors]
    videos_line = _line_of(text, 'code = "videos"')
    rule_line = _line_of(text, 'right = "meeting_sesions"')
    assert messages[0].startswith(f"第 {videos_line} 行：指标 videos 的计数类别 count 只能是 people（人次）")
    assert "不是 “many”" in messages[0]
    # the shape is checked first: once it is right, the rule's unknown figure is named on its line
    with pytest.raises(DomainError) as caught:
        spec_from_toml(text.replace('count = "many"', 'count = "items"'))
    assert [e.message for e in caught.value.errors] == [
        f"第 {rule_line} 行：校验规则 meeting_attendance_ge_sessions 用到了表中没有的指标 meeting_sesions"
    ]


def test_a_row_problem_names_the_row_and_its_header_line():
    spec = spec_2020()
    spec["rows"][1]["rows"].append({"label": "宣传渠道"})
    text = spec_to_toml(spec)
    with pytest.raises(DomainError) as caught:
        spec_from_toml(text)
    (message,) = [e.message for e in caught.value.errors]
    header = _line_of(text, 'label = "宣传渠道"') - 1
    assert message == f"第 {header} 行：行“宣传渠道” 既没有下级行也没有指标"


def test_problems_are_said_in_english_through_the_catalogue():
    spec = spec_2020()
    _figure(spec, "tv_news").update(label="")
    text = spec_to_toml(spec)
    with translation.override("en"):
        with pytest.raises(DomainError) as caught:
            spec_from_toml(text)
        (message,) = [e.message for e in caught.value.errors]
    line = _line_of(text, 'code = "tv_news"')
    assert message.startswith(f"Line {line}: ")
    assert "tv_news" in message and "empty" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message)
