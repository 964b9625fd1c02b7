"""A campaign's statistics form as editable TOML text (the `[form]` table of a campaign file), and back.

The writer covers exactly the spec shape that `statform.services.form_as_spec` produces and `form_load`
accepts; the reader parses the text and hands it to the one validator (`formspec.validate_spec`), whose problems
name the line they are on.
"""

import re
import tomllib

from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.formspec import FormSpecError, validate_spec
from chengxin.statform.models import FigureKind

FIELD = "spec"  # the textarea's name: every error here belongs to it


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
    for key in ("category", "count"):
        if fig.get(key):
            parts.append(f"{key} = {_string(fig[key])}")
    if fig.get("per_10k"):
        parts.append("per_10k = true")
    if fig.get("activity_output"):
        parts.append(f"activity_output = {_string(fig['activity_output'])}")
    return "{ " + ", ".join(parts) + " }"


def spec_to_toml(spec: dict) -> str:
    """The spec as TOML text, laid out like the `[form]` table of campaign-2020.toml."""
    lines = [
        "# " + _("统计表定义。各年度按指标代码（code）对比：改名只改 label，不要改 code。"),
        "# " + _("[[form.rows]] 是一级行，[[form.rows.rows]] 是其下一级，依此类推；只有最末一级的行填写 figures。"),
        "# "
        + _(
            "指标含义：category 分类（看板按分类分组，组名取包含该分类全部指标的行标签）；count 计数类别"
            "（people 人次、items 件数、events 场次、copies 份数）；per_10k = true 按每万常住人口显示；"
            "activity_output 由活动登记填报（any 任何活动、offline 仅线下活动）。"
        ),
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


_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _fail(message: str):
    raise DomainError(
        _("统计表定义有误，未作任何修改：%(problem)s") % {"problem": message}, [FieldError(FIELD, message)]
    )


def spec_from_toml(text: str) -> dict:
    """Parse and check the edited text; the spec for `form_load`. DomainError (in the user's language, each
    problem naming its line) when it is wrong."""
    text = text.replace("\r\n", "\n")
    try:
        document = tomllib.loads(text)
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
    try:
        return validate_spec(form, text)
    except FormSpecError as exc:
        raise spec_error(exc) from None


def spec_error(exc: FormSpecError) -> DomainError:
    """The validator's problems as the DomainError every caller shows: each problem a field error of the text."""
    messages = exc.messages()
    head = (
        messages[0]
        if len(messages) == 1
        else _("%(first)s（共 %(count)s 处）")
        % {
            "first": messages[0],
            "count": len(messages),
        }
    )
    return DomainError(
        _("统计表定义有误，未作任何修改：%(problem)s") % {"problem": head}, [FieldError(FIELD, m) for m in messages]
    )
