"""The one validator of a statistics form's definition, whichever way it arrives: the campaign data file
(`load-campaign`), the web form editor, `chengxin form-load`, a copied campaign.

The shape is checked by pydantic models (types, lengths, choices, unknown keys); what needs the whole form (codes
unique, rules naming figures the form has) by plain code after it. Both give `Problem`s: a kind, where in the spec
(a pydantic-style location such as ("rows", 0, "rows", 1, "figures", 0, "label")) and the details. Nothing here
is English text meant for a person: `explain` says each problem in the user's language through the normal
translation catalogue, naming the line of the TOML text when there is one.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

from chengxin.statform.models import ActivityOutput, Count, FigureKind, Operator, Severity

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
_TERM = re.compile(r"^(\d+|[a-z][a-z0-9_]*)$")


def _text(max_length: int, min_length: int = 1):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)]


def _number_as_text(value: Any) -> Any:
    """A rule's right side may be written as a TOML integer (`right = 10`)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CODE_PATTERN)]
OptionalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=f"{CODE_PATTERN}|^$")]


class _Spec(BaseModel):
    # strict: a number where text belongs (label = 12) is an error, not silently "12"; unknown keys are errors.
    model_config = ConfigDict(extra="forbid", strict=True)


class FigureSpec(_Spec):
    code: Code
    label: _text(50)
    unit: _text(10, 0) = ""
    kind: Literal[tuple(FigureKind.values)] = FigureKind.NUMBER.value  # type: ignore[valid-type]
    help: _text(200, 0) = ""
    category: OptionalCode = ""
    count: Literal[("", *Count.values)] = ""  # type: ignore[valid-type]
    per_10k: bool = False
    activity_output: Literal[("", *ActivityOutput.values)] = ""  # type: ignore[valid-type]


class RowSpec(_Spec):
    label: _text(100)
    figures: list[FigureSpec] = []
    rows: list["RowSpec"] = []


class RuleSpec(_Spec):
    code: Code
    left: _text(200)
    operator: Literal[tuple(Operator.values)]  # type: ignore[valid-type]
    right: Annotated[_text(200), BeforeValidator(_number_as_text)]
    severity: Literal[tuple(Severity.values)]  # type: ignore[valid-type]
    anchor: OptionalCode = ""
    message: _text(300)


class FormSpec(_Spec):
    title: _text(200)
    rows: list[RowSpec]
    rules: list[RuleSpec] = []


@dataclass(frozen=True)
class Problem:
    kind: str  # a pydantic error type ("missing", "string_too_long", …) or one of WHOLE_FORM below
    loc: tuple = ()
    ctx: dict = field(default_factory=dict)


class FormSpecError(ValueError):
    """The spec is wrong; `problems` say where and why. `text` is the TOML it came from, when there was one."""

    def __init__(self, problems: list[Problem], text: str | None = None):
        super().__init__(f"{len(problems)} problem(s) in the form definition: {[p.kind for p in problems]}")
        self.problems = problems
        self.text = text

    def messages(self) -> list[str]:
        lines = TextLines(self.text) if self.text else None
        return [explain(p, lines) for p in self.problems]


def validate_spec(data: Any, text: str | None = None) -> dict:
    """The spec, checked and normalised (strings stripped, defaults filled), as the dict `form_load` stores.
    FormSpecError when anything is wrong: every shape problem at once, else every whole-form problem."""
    try:
        spec = FormSpec.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(e["type"], tuple(e["loc"]), {**e.get("ctx", {}), "input": _short(e.get("input"))})
            for e in exc.errors(include_url=False)
        ]
        raise FormSpecError(problems, text) from None
    problems = list(_whole_form_problems(spec))
    if problems:
        raise FormSpecError(problems, text)
    return spec.model_dump()


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --- What needs the whole form --------------------------------------------------------------------------------

WHOLE_FORM = {
    "no_figures": gettext_noop("统计表至少要有一项指标"),
    "leaf_and_children": gettext_noop("%(where)s 既有下级行又有指标：只有最末一级的行可以填写指标"),
    "empty_row": gettext_noop("%(where)s 既没有下级行也没有指标"),
    "duplicate_figure": gettext_noop("%(where)s：指标代码 %(code)s 重复"),
    "duplicate_rule": gettext_noop("%(where)s：校验规则代码 %(code)s 重复"),
    "text_meaning": gettext_noop("%(where)s 是文字指标，不能设 %(key)s（只有数字指标可以计数、折算或由活动登记填报）"),
    "bad_side": gettext_noop(
        "%(where)s 的%(key)s “%(side)s” 不合格式：应为指标代码或整数，用 + 连接（* 只用于与上年比较）"
    ),
    "unknown_figure": gettext_noop("%(where)s 用到了表中没有的指标 %(code)s"),
    "text_in_sum": gettext_noop("%(where)s 的%(key)s 把文字指标 %(code)s 当作数字相加或比较"),
    "unknown_anchor": gettext_noop("%(where)s 的提示单元格（anchor）%(code)s 不是表中的指标"),
    "factor": gettext_noop("%(where)s 的倍数（right）应为不小于 1 的整数，不是 “%(side)s”"),
    "star_only_year_on_year": gettext_noop("%(where)s：* 只能用于与上年比较（within_factor_of_previous）"),
}


def _whole_form_problems(spec: FormSpec):
    figures: dict[str, FigureSpec] = {}
    any_figure = False

    def walk(rows: list[RowSpec], loc: tuple):
        nonlocal any_figure
        for i, row in enumerate(rows):
            here = (*loc, "rows", i)
            if row.figures and row.rows:
                yield Problem("leaf_and_children", here)
            if not row.figures and not row.rows:
                yield Problem("empty_row", here)
            for j, fig in enumerate(row.figures):
                any_figure = True
                floc = (*here, "figures", j)
                if fig.code in figures:
                    yield Problem("duplicate_figure", (*floc, "code"), {"code": fig.code})
                figures.setdefault(fig.code, fig)
                if fig.kind == FigureKind.TEXT:
                    for key in ("count", "per_10k", "activity_output"):
                        if getattr(fig, key):
                            yield Problem("text_meaning", (*floc, key), {"key": key})
            yield from walk(row.rows, here)

    yield from walk(spec.rows, ())
    if not any_figure:
        yield Problem("no_figures", ("rows",))
    seen_rules: set[str] = set()
    for i, rule in enumerate(spec.rules):
        loc = ("rules", i)
        if rule.code in seen_rules:
            yield Problem("duplicate_rule", (*loc, "code"), {"code": rule.code})
        seen_rules.add(rule.code)
        year_on_year = rule.operator == Operator.WITHIN_FACTOR_OF_PREVIOUS
        if year_on_year and not (rule.right.isascii() and rule.right.isdigit() and int(rule.right) >= 1):
            yield Problem("factor", (*loc, "right"), {"side": rule.right})
        for key in ("left",) if year_on_year else ("left", "right"):
            side = getattr(rule, key)
            if side == "*":
                if not year_on_year:
                    yield Problem("star_only_year_on_year", (*loc, key))
                continue
            parts = [p.strip() for p in side.split("+")]
            if any(not _TERM.match(p) for p in parts):
                yield Problem("bad_side", (*loc, key), {"key": key, "side": side})
                continue
            for term in parts:
                if term.isdigit():
                    continue
                if term not in figures:
                    yield Problem("unknown_figure", (*loc, key), {"code": term})
                elif figures[term].kind == FigureKind.TEXT and rule.operator not in (
                    Operator.BOTH_OR_NEITHER,
                    Operator.REQUIRES,
                ):
                    yield Problem("text_in_sum", (*loc, key), {"key": key, "code": term})
        if rule.anchor and rule.anchor not in figures:
            yield Problem("unknown_anchor", (*loc, "anchor"), {"code": rule.anchor})


# --- Saying a problem -----------------------------------------------------------------------------------------

# The keys a person writes, as the editor's help names them.
KEY_NAMES = {
    "title": gettext_noop("表名 title"),
    "label": gettext_noop("名称 label"),
    "code": gettext_noop("代码 code"),
    "unit": gettext_noop("计量单位 unit"),
    "kind": gettext_noop("类型 kind"),
    "help": gettext_noop("填写说明 help"),
    "category": gettext_noop("分类 category"),
    "count": gettext_noop("计数类别 count"),
    "per_10k": gettext_noop("每万人口 per_10k"),
    "activity_output": gettext_noop("活动登记填报 activity_output"),
    "left": gettext_noop("左侧 left"),
    "right": gettext_noop("右侧 right"),
    "operator": gettext_noop("运算 operator"),
    "severity": gettext_noop("级别 severity"),
    "anchor": gettext_noop("提示单元格 anchor"),
    "message": gettext_noop("提示信息 message"),
    "rows": gettext_noop("下级行 rows"),
    "figures": gettext_noop("指标 figures"),
    "rules": gettext_noop("校验规则 rules"),
}

SHAPE = {
    "missing": gettext_noop("%(where)s 缺少 %(key)s"),
    "string_too_short": gettext_noop("%(where)s 的%(key)s 不能为空"),
    "string_too_long": gettext_noop("%(where)s 的%(key)s 太长（最多 %(max_length)s 个字）"),
    "string_type": gettext_noop("%(where)s 的%(key)s 应为文字（加英文双引号）"),
    "bool_type": gettext_noop("%(where)s 的%(key)s 只能是 true 或 false"),
    "list_type": gettext_noop("%(where)s 的%(key)s 应为表的列表"),
    "model_type": gettext_noop("%(where)s 应为表"),
    "dict_type": gettext_noop("%(where)s 应为表"),
    "model_attributes_type": gettext_noop("%(where)s 应为表"),
    "extra_forbidden": gettext_noop("%(where)s 有不认识的项：%(raw_key)s"),
    "string_pattern_mismatch": gettext_noop(
        "%(where)s 的%(key)s “%(input)s” 不合格式：只能用小写英文字母、数字和下划线，以字母开头"
    ),
    "literal_error": gettext_noop("%(where)s 的%(key)s 只能是 %(choices)s，不是 “%(input)s”"),
}

# The choices of each key, as the message lists them.
CHOICES = {
    "kind": lambda: _("number（数字）或 text（文字）"),
    "severity": lambda: _("error（错误）或 warning（提示）"),
    "count": lambda: _("people（人次）、items（件数）、events（场次）、copies（份数）或留空"),
    "activity_output": lambda: _("any（任何活动）、offline（线下活动）或留空"),
    "operator": lambda: "、".join(Operator.values),
}


def _where(loc: tuple, spec_lines: "TextLines | None") -> str:
    """The part of the form a location points into: 行“传统媒介”, 指标 tv_news, 第 2 条校验规则."""
    data = spec_lines.data if spec_lines else None
    if not loc or loc[0] == "title":
        return _("[form]")
    if loc[0] == "rules" and len(loc) >= 2:
        code = _get(data, ("rules", loc[1], "code"))
        if isinstance(code, str) and code:
            return _("校验规则 %(code)s") % {"code": code}
        return _("第 %(n)s 条校验规则") % {"n": loc[1] + 1}
    if "figures" in loc:
        at = loc.index("figures")
        if len(loc) > at + 1:
            code = _get(data, (*loc[: at + 2], "code"))
            if isinstance(code, str) and code:
                return _("指标 %(code)s") % {"code": code}
            label = _get(data, (*loc[:at], "label"))
            return _("行“%(label)s”的第 %(n)s 个指标") % {"label": label or "", "n": loc[at + 1] + 1}
    row_loc = loc
    while row_loc and not isinstance(row_loc[-1], int):
        row_loc = row_loc[:-1]
    if row_loc and row_loc[0] == "rows":
        label = _get(data, (*row_loc, "label"))
        if isinstance(label, str) and label.strip():
            return _("行“%(label)s”") % {"label": label.strip()}
        return _("第 %(n)s 个行") % {"n": row_loc[-1] + 1}
    return _("[form]")


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def explain(problem: Problem, lines: "TextLines | None" = None) -> str:
    """The problem in the user's language: "第 23 行：指标 tv_news 的名称 label不能为空"."""
    key = next((part for part in reversed(problem.loc) if isinstance(part, str)), "")
    params = {
        "where": _where(problem.loc, lines).strip(),
        "key": _(KEY_NAMES[key]) if key in KEY_NAMES else key,
        "raw_key": key,
        "choices": CHOICES[key]() if key in CHOICES else "",
        **{k: v for k, v in problem.ctx.items()},
    }
    template = WHOLE_FORM.get(problem.kind) or SHAPE.get(problem.kind)
    text = _(template) % params if template else _("%(where)s 有误（%(kind)s）") % {**params, "kind": problem.kind}
    line = lines.line_of(problem.loc) if lines else None
    return _("第 %(line)s 行：%(problem)s") % {"line": line, "problem": text} if line else text


class TextLines:
    """Finds the line of the TOML text a location points at. Tables of `[[form.rows…]]` appear in the text in the
    order a depth-first walk of the rows meets them (TOML appends each to the last table of the level above), and
    `[[form.rules]]` in the order of the rules; a key is the line inside its table's span that starts with it."""

    _ROW = re.compile(r"^\s*\[\[\s*(?:form\s*\.\s*)?rows(\s*\.\s*rows)*\s*\]\]")
    _RULE = re.compile(r"^\s*\[\[\s*(?:form\s*\.\s*)?rules\s*\]\]")
    _TABLE = re.compile(r"^\s*\[")

    def __init__(self, text: str, data: Any = None):
        import tomllib

        self.lines = text.replace("\r\n", "\n").split("\n")
        if data is None:
            try:
                document = tomllib.loads(text.replace("\r\n", "\n"))
                data = document.get("form", document)
            except tomllib.TOMLDecodeError:
                data = None
        self.data = data
        self.row_headers = [n for n, line in enumerate(self.lines) if self._ROW.match(line)]
        self.rule_headers = [n for n, line in enumerate(self.lines) if self._RULE.match(line)]
        self.table_headers = [n for n, line in enumerate(self.lines) if self._TABLE.match(line)]

    def _span(self, start: int) -> tuple[int, int]:
        end = next((n for n in self.table_headers if n > start), len(self.lines))
        return start, end

    def _preorder(self, loc: tuple) -> int | None:
        """The depth-first index of the row at `loc` (("rows", 0, "rows", 2)), counting rows of the data."""
        count = 0

        def walk(rows, path: tuple) -> int | None:
            nonlocal count
            if not isinstance(rows, list):
                return None
            for i, row in enumerate(rows):
                here = (*path, "rows", i)
                if here == loc:
                    return count
                count += 1
                found = walk(row.get("rows") if isinstance(row, dict) else None, here)
                if found is not None:
                    return found
            return None

        return walk(_get(self.data, ("rows",)), ())

    def _key_line(self, start: int, end: int, key: str, nth: int = 0) -> int | None:
        pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
        hits = [n for n in range(start, end) if pattern.search(self.lines[n])]
        return hits[nth] + 1 if len(hits) > nth else None

    def line_of(self, loc: tuple) -> int | None:
        if not self.data:
            return None
        if loc and loc[0] == "rules" and len(loc) >= 2 and isinstance(loc[1], int):
            if loc[1] >= len(self.rule_headers):
                return None
            start, end = self._span(self.rule_headers[loc[1]])
            key = loc[2] if len(loc) > 2 and isinstance(loc[2], str) else None
            return (self._key_line(start, end, key) if key else None) or start + 1
        if loc and loc[0] == "rows":
            cut = loc.index("figures") if "figures" in loc else len(loc)
            row_loc = loc[:cut]
            while row_loc and not isinstance(row_loc[-1], int):
                row_loc = row_loc[:-1]
            index = self._preorder(row_loc) if row_loc else None
            if index is None or index >= len(self.row_headers):
                return None
            start, end = self._span(self.row_headers[index])
            if "figures" in loc:
                j = loc[cut + 1] if len(loc) > cut + 1 and isinstance(loc[cut + 1], int) else None
                if j is None:
                    return self._key_line(start, end, "figures") or start + 1
                return self._key_line(start, end, "code", j) or self._key_line(start, end, "figures") or start + 1
            key = loc[len(row_loc)] if len(loc) > len(row_loc) and isinstance(loc[len(row_loc)], str) else None
            return (self._key_line(start, end, key) if key else None) or start + 1
        if loc and loc[0] == "title":
            return self._key_line(0, len(self.lines), "title")
        return None
