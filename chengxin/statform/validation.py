"""Checks a report's values against its form's rules. Pure functions: no database access.

A finding names the cell it concerns the way a person reads the paper table, e.g.
``新媒介 › 直播（场次，观看人次）：场次为 0 时观看人次也应为 0…``.
"""

import operator as op
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chengxin.core.numbers import NumberParseError, format_number, parse_whole_number
from chengxin.statform.definition import FigureDef, FormDefinition, RuleDef
from chengxin.statform.models import Operator, Severity

Values = Mapping[str, int | str | None]


@dataclass(frozen=True)
class Finding:
    rule: str  # rule code, or "parse" / "required"
    severity: str
    figure: str  # the code of the cell the finding is shown next to
    place: str  # the cell as a person reads the paper table: "新媒介 › 直播（场次，观看人次）"
    text: str  # the instruction: "场次为 0 时观看人次也应为 0；有观看人次时请填写场次"
    related: tuple[str, ...] = ()  # every figure the rule names, highlighted together

    @property
    def message(self) -> str:
        """Complete and user-facing: "place：instruction"."""
        return f"{self.place}：{self.text}"

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


_COMPARE = {
    Operator.GE: op.ge,
    Operator.LE: op.le,
    Operator.GT: op.gt,
    Operator.LT: op.lt,
    Operator.EQ: op.eq,
}
_TERM = re.compile(r"^(\d+|[a-z][a-z0-9_]*)$")


def parse_values(definition: FormDefinition, raw: Mapping[str, object]) -> tuple[dict, list[Finding]]:
    """Turn typed text into stored values. Unknown codes are ignored; errors name the cell."""
    values: dict[str, int | str | None] = {}
    findings: list[Finding] = []
    for figure in definition.figures:
        if figure.code not in raw:
            continue
        item = raw[figure.code]
        if figure.is_number:
            try:
                values[figure.code] = parse_whole_number(item)  # type: ignore[arg-type]
            except NumberParseError as exc:
                findings.append(Finding("parse", Severity.ERROR, figure.code, figure.cell_name, str(exc)))
        else:
            text = "" if item is None else str(item).strip()
            if len(text) > 500:
                findings.append(Finding("parse", Severity.ERROR, figure.code, figure.cell_name, _("不能超过 500 字")))
            else:
                values[figure.code] = text
    return values, findings


def terms(expression: str) -> list[str]:
    parts = [p.strip() for p in expression.split("+")]
    if not parts or any(not _TERM.match(p) for p in parts):
        raise ValueError(f"malformed rule side {expression!r}")  # formspec.validate_spec refuses it at load time
    return parts


def _number(term: str) -> bool:
    """A constant in a rule: ASCII digits only ("²" is isdigit() but no number int() reads)."""
    return term.isascii() and term.isdigit()


def _value(values: Values, expression: str) -> int:
    total = 0
    for term in terms(expression):
        if _number(term):
            total += int(term)
        else:
            v = values.get(term)
            total += v if isinstance(v, int) else 0
    return total


def _present(values: Values, expression: str) -> bool:
    for term in terms(expression):
        v = values.get(term)
        if (isinstance(v, int) and v > 0) or (isinstance(v, str) and v.strip()):
            return True
    return False


def _anchor(definition: FormDefinition, rule: RuleDef) -> FigureDef:
    code = rule.anchor or terms(rule.left)[0]
    return definition.by_code[code]


def check_values(
    definition: FormDefinition,
    values: Values,
    *,
    previous: Values | None = None,
    require_complete: bool = False,
) -> list[Finding]:
    """Every rule of the form, applied to `values` (figure code → int / text / None).

    `previous` holds the same unit's values of the previous campaign, by code, for year-on-year rules.
    `require_complete` (on submission) turns every empty number cell into an error.
    """
    findings: list[Finding] = []
    if require_complete:
        for figure in definition.number_figures:
            if values.get(figure.code) is None:
                findings.append(
                    Finding("required", Severity.ERROR, figure.code, figure.cell_name, _("请填写（没有请填 0）"))
                )
    for rule in definition.rules:
        if rule.operator == Operator.WITHIN_FACTOR_OF_PREVIOUS:
            findings.extend(_year_on_year(definition, rule, values, previous))
            continue
        if rule.operator in _COMPARE:
            failed = not _COMPARE[rule.operator](_value(values, rule.left), _value(values, rule.right))
        elif rule.operator == Operator.BOTH_OR_NEITHER:
            failed = _present(values, rule.left) != _present(values, rule.right)
        elif rule.operator == Operator.REQUIRES:
            failed = _present(values, rule.left) and not _present(values, rule.right)
        else:  # pragma: no cover - formspec.validate_spec refuses unknown operators at load time
            raise ValueError(rule.operator)
        if failed:
            anchor = _anchor(definition, rule)
            related = tuple(t for t in terms(rule.left) + terms(rule.right) if not _number(t))
            findings.append(Finding(rule.code, rule.severity, anchor.code, anchor.path, rule.message, related))
    return findings


def _year_on_year(definition: FormDefinition, rule: RuleDef, values: Values, previous: Values | None) -> list[Finding]:
    if not previous:
        return []
    factor = int(rule.right)
    codes = [f.code for f in definition.number_figures] if rule.left == "*" else terms(rule.left)
    found = []
    for code in codes:
        now, before = values.get(code), previous.get(code)
        if not isinstance(now, int) or not isinstance(before, int) or before == 0:
            continue
        if now > before * factor or now * factor < before:
            figure = definition.by_code[code]
            found.append(
                Finding(
                    f"{rule.code}:{code}",
                    rule.severity,
                    code,
                    figure.cell_name,
                    _("本年 %(now)s，上年 %(before)s。") % {"now": format_number(now), "before": format_number(before)}
                    + rule.message,
                    (code,),
                )
            )
    return found
