"""A campaign's statistics form as editable TOML text (the `[form]` table of a campaign file), and back.

The writer covers exactly the spec shape that `statform.services.form_as_spec` produces and `form_load`
accepts; the reader checks that shape and says in Chinese, by row label or line number, what is wrong.
"""

import re
import tomllib

from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.models import FigureKind

FIELD = "spec"  # the textarea's name: every error here belongs to it
CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _string(value: str) -> str:
    out = []
    for ch in str(value):
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _figure(fig: dict) -> str:
    parts = [f"code = {_string(fig['code'])}", f"label = {_string(fig['label'])}", f"unit = {_string(fig['unit'])}"]
    if fig.get("kind", FigureKind.NUMBER) != FigureKind.NUMBER:
        parts.append(f"kind = {_string(fig['kind'])}")
    if fig.get("help"):
        parts.append(f"help = {_string(fig['help'])}")
    return "{ " + ", ".join(parts) + " }"


def spec_to_toml(spec: dict) -> str:
    """The spec as TOML text, laid out like the `[form]` table of campaign-2020.toml."""
    lines = [
        "# " + _("统计表定义。各年度按指标代码（code）对比：改名只改 label，不要改 code。"),
        "# " + _("[[form.rows]] 是一级行，[[form.rows.rows]] 是其下一级，依此类推；只有最末一级的行填写 figures。"),
        "",
        "[form]",
        f"title = {_string(spec['title'])}",
    ]

    def rows(items: list[dict], depth: int) -> None:
        for row in items:
            lines.append("")
            lines.append("[[form" + ".rows" * depth + "]]")
            lines.append(f"label = {_string(row['label'])}")
            figures = row.get("figures") or []
            if len(figures) == 1:
                lines.append(f"figures = [{_figure(figures[0])}]")
            elif figures:
                lines.append("figures = [")
                lines.extend(f"  {_figure(f)}," for f in figures)
                lines.append("]")
            rows(row.get("rows") or [], depth + 1)

    rows(spec["rows"], 1)
    for rule in spec.get("rules", []):
        lines.append("")
        lines.append("[[form.rules]]")
        for key in ("code", "left", "operator", "right", "severity", "anchor", "message"):
            lines.append(f"{key} = {_string(rule.get(key, ''))}")
    return "\n".join(lines) + "\n"


def _fail(message: str):
    raise DomainError(
        _("统计表定义有误，未作任何修改：%(problem)s") % {"problem": message}, [FieldError(FIELD, message)]
    )


_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _text(item: dict, key: str, where: str, *, limit: int, required: bool = True) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        _fail(_("%(where)s的 %(key)s 应为文字（加英文双引号）") % {"where": where, "key": key})
    value = value.strip()
    if required and not value:
        _fail(_("%(where)s缺少 %(key)s") % {"where": where, "key": key})
    if len(value) > limit:
        _fail(_("%(where)s的 %(key)s 太长（最多 %(limit)s 个字）") % {"where": where, "key": key, "limit": limit})
    return value


def _table_list(value, where: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        _fail(_("%(where)s应为表的列表") % {"where": where})
    return value


def spec_from_toml(text: str) -> dict:
    """Parse and check the edited text; the spec for `form_load`. DomainError (in Chinese) when it is wrong."""
    try:
        document = tomllib.loads(text.replace("\r\n", "\n"))
    except tomllib.TOMLDecodeError as exc:
        found = _POSITION.search(str(exc))
        detail = _POSITION.sub("", str(exc)).strip()
        if found:
            _fail(
                _("TOML 格式错误，在第 %(line)s 行第 %(column)s 列（%(detail)s）")
                % {"line": found.group(1), "column": found.group(2), "detail": detail}
            )
        _fail(_("TOML 格式错误（%(detail)s）") % {"detail": detail})
    form = document.get("form", document)
    if not isinstance(form, dict):
        _fail(_("缺少 [form] 表"))
    spec = {"title": _text(form, "title", _("[form] "), limit=200), "rows": [], "rules": []}
    codes: set[str] = set()

    def rows(items, parent: str, depth: int) -> list[dict]:
        result = []
        for n, item in enumerate(_table_list(items, parent), start=1):
            where = _("%(parent)s第 %(n)s 行") % {"parent": parent, "n": n}
            label = _text(item, "label", where, limit=100)
            where = _("行“%(label)s”") % {"label": label}
            unknown = set(item) - {"label", "figures", "rows"}
            if unknown:
                _fail(_("%(where)s有不认识的项：%(keys)s") % {"where": where, "keys": "、".join(sorted(unknown))})
            figures = []
            for fig in _table_list(item.get("figures"), _("%(where)s的 figures") % {"where": where}):
                code = fig.get("code", "")
                if not isinstance(code, str) or not CODE.match(code):
                    _fail(
                        _("%(where)s的指标代码 %(code)s 不合格式：只能用小写英文字母、数字和下划线，以字母开头")
                        % {"where": where, "code": repr(code)}
                    )
                if code in codes:
                    _fail(_("指标代码 %(code)s 重复") % {"code": code})
                codes.add(code)
                fwhere = _("指标 %(code)s") % {"code": code}
                kind = fig.get("kind", FigureKind.NUMBER)
                if kind not in FigureKind.values:
                    _fail(_("%(where)s的 kind 只能是 number（数字）或 text（文字）") % {"where": fwhere})
                unknown = set(fig) - {"code", "label", "unit", "kind", "help"}
                if unknown:
                    _fail(_("%(where)s有不认识的项：%(keys)s") % {"where": fwhere, "keys": "、".join(sorted(unknown))})
                figures.append(
                    {
                        "code": code,
                        "label": _text(fig, "label", fwhere, limit=50),
                        "unit": _text(fig, "unit", fwhere, limit=10, required=False),
                        "kind": kind,
                        "help": _text(fig, "help", fwhere, limit=200, required=False),
                    }
                )
            children = rows(item.get("rows"), where, depth + 1)
            if figures and children:
                _fail(_("%(where)s既有下级行又有指标：只有最末一级的行可以填写指标") % {"where": where})
            if not figures and not children:
                _fail(_("%(where)s既没有下级行也没有指标") % {"where": where})
            result.append({"label": label, "figures": figures, "rows": children})
        return result

    spec["rows"] = rows(form.get("rows"), "", 0)
    if not codes:
        _fail(_("统计表至少要有一项指标"))
    rule_codes: set[str] = set()
    for n, item in enumerate(_table_list(form.get("rules"), "[[form.rules]]"), start=1):
        where = _("第 %(n)s 条校验规则") % {"n": n}
        code = _text(item, "code", where, limit=50)
        if not CODE.match(code):
            _fail(_("%(where)s的代码 %(code)s 不合格式") % {"where": where, "code": code})
        if code in rule_codes:
            _fail(_("校验规则代码 %(code)s 重复") % {"code": code})
        rule_codes.add(code)
        right = item.get("right", "")
        if isinstance(right, int) and not isinstance(right, bool):
            right = str(right)
        spec["rules"].append(
            {
                "code": code,
                "left": _text(item, "left", where, limit=200),
                "operator": _text(item, "operator", where, limit=30),
                "right": _text({"right": right}, "right", where, limit=200),
                "severity": _text(item, "severity", where, limit=10),
                "anchor": _text(item, "anchor", where, limit=50, required=False),
                "message": _text(item, "message", where, limit=300),
            }
        )
    return spec
