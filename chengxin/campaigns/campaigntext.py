"""A whole campaign as one TOML document, and back: `chengxin campaign-export YEAR` writes it, `chengxin
campaign-load FILE` reads it, so that a year can be prepared in a file, reviewed and loaded.

The document has the layout of the seed, `data/campaign-2020.toml` (the seed stays the seed and loads through
here too): a `[campaign]` table (texts, dates, contact, `bodies` in signature order, who reports), then
`[[focus_area]]`, `[[requirement]]` and `[[plan_activity]]` (lead bodies by unit code), then the statistics form
as `[form]`, written and read by the form's own code (`statform.formtext`, `statform.formspec`).

Who reports: the seed says `statistics_from = "provincial"` (every provincial unit fills the table; the bodies
after the first send a summary only), which is what `services.campaign_load` does. A campaign whose expected units
differ from that rule (cities added, a body filling the table) is written with the explicit list instead:
`statistics_from = ["110000", …]` (the units that fill the table) and, when needed, `summary_only = [...]` (units
other than the co-organising bodies that send a summary only). Only this module reads the explicit form.

The order of `bodies` is read back from the units' own order: the database keeps no order per campaign.
"""

import datetime as dt
import re
import tomllib
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chengxin.audit.services import audit_record
from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement
from chengxin.campaigns.selectors import campaign_bodies
from chengxin.campaigns.services import CAMPAIGN_FIELDS, _copy_problems, change_record
from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.formspec import FormSpecError, validate_spec
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.models import StatForm
from chengxin.statform.services import form_as_spec, form_edit, form_has_submissions
from chengxin.units.capabilities import Action, can
from chengxin.units.models import PROVINCIAL_KINDS, Unit, UnitKind
from chengxin.units.services import units_load_reference

FIELD = "file"  # every problem belongs to the file as a whole
PROVINCIAL = "provincial"
DATE_FIELDS = ("period_start", "period_end", "notice_date", "deadline")
REQUIRED_TEXT = ("title", "theme")
# Keys of [campaign] beyond CAMPAIGN_FIELDS: optional, kept as they are when absent.
OPTIONAL_KEYS = ("lock_date", "reminder_days", "activity_grace_days")
CAMPAIGN_KEYS = ("year", *CAMPAIGN_FIELDS, *OPTIONAL_KEYS, "bodies", "statistics_from", "summary_only")


class Section(NamedTuple):
    table: str  # the array of tables in the file
    model: type
    text: str  # the model's long-text field, its key in the file
    label: str  # the part's name in the campaign's history


SECTIONS = (
    Section("focus_area", FocusArea, "body", gettext_noop("宣传重点")),
    Section("requirement", Requirement, "body", gettext_noop("有关要求")),
    Section("plan_activity", PlanActivity, "description", gettext_noop("主要活动")),
)
TOP_LEVEL = ("campaign", *(s.table for s in SECTIONS), "form")


# --- Writing ----------------------------------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: quotes, backslashes and control characters escaped, the rest as it is."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _string_array(key: str, values: list[str], width: int = 118) -> list[str]:
    """`key = ["A", "B", …]`, wrapped under its first item as the seed writes `bodies`."""
    head = f"{key} = ["
    if not values:
        return [head + "]"]
    lines: list[str] = []
    current = head
    for i, value in enumerate(values):
        piece = toml_string(value) + ("]" if i == len(values) - 1 else ",")
        fresh = current.endswith("[") or not current.strip()
        candidate = current + ("" if fresh else " ") + piece
        if len(candidate) > width and not fresh:
            lines.append(current)
            current = " " * len(head) + piece
        else:
            current = candidate
    lines.append(current)
    return lines


def _who_reports(campaign: Campaign, bodies: list[str]) -> list[str]:
    """The lines saying which units are expected and which of them fill the table: the seed's rule when it holds."""
    expected = dict(
        campaign.participants.order_by("unit__sort_order", "unit__code").values_list("unit__code", "fills_statistics")
    )
    rule = dict.fromkeys(Unit.objects.filter(kind__in=PROVINCIAL_KINDS).values_list("code", flat=True), True)
    for code in bodies[1:]:
        rule.setdefault(code, False)
    if expected == rule:
        return [
            "# " + _("每个省级单位都报送统计表和总结报告；bodies 中除第一个（牵头主办）外的单位只报送总结报告。"),
            f"statistics_from = {toml_string(PROVINCIAL)}",
        ]
    lines = [
        "# " + _("报送统计表的单位（statistics_from）；只报送总结报告的：bodies 中除第一个外的单位，及 summary_only。"),
        *_string_array("statistics_from", [code for code, fills in expected.items() if fills]),
    ]
    summary_only = [code for code, fills in expected.items() if not fills and code not in bodies[1:]]
    if summary_only:
        lines.extend(_string_array("summary_only", summary_only))
    return lines


def campaign_export(campaign: Campaign) -> str:
    """The campaign as TOML text in the layout of campaign-2020.toml, with its current values: texts, dates,
    contact, bodies, expected units, focus areas, requirements, plan and form. `campaign_load_text` reads it
    back; so does the seed's reader (`services.campaign_load`) for everything the seed has."""
    if campaign.organiser is None:
        raise DomainError(_("%(year)s年的活动没有牵头主办单位，无法导出") % {"year": campaign.year})
    exported_at = timezone.localtime()
    bodies = list(dict.fromkeys(unit.code for unit in campaign_bodies(campaign)))
    lines = [
        "# "
        + _("%(title)s：整个活动（文字、日期、报送单位、主要活动、统计表）的数据文件。") % {"title": campaign.title},
        "# "
        + _("由 chengxin campaign-export %(year)s 于 %(at)s 导出。")
        % {"year": campaign.year, "at": f"{exported_at:%Y-%m-%d %H:%M}"},
        "# " + _("修改后用 chengxin campaign-load 文件 载入；年度已有活动时加 --replace 替换。"),
        "",
        "[campaign]",
        f"year = {campaign.year}",
    ]
    for name in CAMPAIGN_FIELDS:
        value = getattr(campaign, name)
        lines.append(f"{name} = {value.isoformat() if name in DATE_FIELDS else toml_string(value)}")
    if campaign.lock_date is not None:
        lines.append(f"lock_date = {campaign.lock_date.isoformat()}")
    lines.append(f"reminder_days = {toml_string(campaign.reminder_days)}")
    lines.append(f"activity_grace_days = {campaign.activity_grace_days}")
    lines.append("# " + _("主办单位按署名顺序（单位代码）；第一个为牵头主办单位，其余为协办单位。"))
    lines.extend(_string_array("bodies", bodies))
    lines.extend(_who_reports(campaign, bodies))

    for section in SECTIONS:
        items = section.model.objects.filter(campaign=campaign).order_by("number")
        if section.model is PlanActivity:
            items = items.select_related("lead_body")
        for item in items:
            lines += ["", f"[[{section.table}]]", f"number = {item.number}", f"title = {toml_string(item.title)}"]
            if section.model is PlanActivity:
                lines.append(f"lead_body = {toml_string(item.lead_body.code)}")
            lines.append(f"{section.text} = {toml_string(getattr(item, section.text))}")

    text = "\n".join(lines) + "\n"
    form = StatForm.objects.filter(campaign=campaign).first()
    if form is not None:
        text += "\n" + spec_to_toml(form_as_spec(form))
    return text


# --- Reading ----------------------------------------------------------------------------------------------------


class _Lines:
    """Finds the line a problem is on: the n-th `[[table]]` (or `[table]`) header, then a key inside its span."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.headers = [(n, m.group(1)) for n, line in enumerate(self.lines) if (m := self._HEADER.match(line))]

    def of(self, table: str, index: int = 0, key: str | None = None) -> int | None:
        starts = [n for n, name in self.headers if name == table]
        if index >= len(starts):
            return None
        start = starts[index]
        end = next((n for n, _name in self.headers if n > start), len(self.lines))
        if key:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for n in range(start, end):
                if pattern.match(self.lines[n]):
                    return n + 1
        return start + 1


class _Problems:
    """The problems found so far, each naming its place (`[[plan_activity]] 3`) and, when known, its line."""

    def __init__(self, text: str):
        self.where = _Lines(text)
        self.messages: list[str] = []

    def add(self, table: str, index: int | None, key: str | None, message: str) -> None:
        place = f"[{table}]" if index is None else f"[[{table}]] {index + 1}"
        line = self.where.of(table, index or 0, key)
        problem = _("%(place)s：%(message)s") % {"place": place, "message": message}
        self.messages.append(_("第 %(line)s 行：%(problem)s") % {"line": line, "problem": problem} if line else problem)

    def extend(self, messages: list[str]) -> None:
        self.messages.extend(messages)

    def __bool__(self) -> bool:
        return bool(self.messages)


def _refuse(messages: list[str], status: int = 400) -> DomainError:
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
        _("活动文件有误，未作任何修改：%(problem)s") % {"problem": head},
        errors=[FieldError(FIELD, m) for m in messages],
        status=status,
    )


def _parse(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        if found:
            message = _("TOML 格式错误，在第 %(line)s 行第 %(column)s 列（%(detail)s）") % {
                "line": found.group(1),
                "column": found.group(2),
                "detail": detail,
            }
        else:
            message = _("TOML 格式错误（%(detail)s）") % {"detail": detail}
        raise _refuse([message]) from None


def _check_text(problems: _Problems, table, index, key, value, max_length: int | None, required: bool) -> bool:
    if not isinstance(value, str):
        problems.add(table, index, key, _("%(key)s 应为文字（加英文双引号）") % {"key": key})
    elif "\x00" in value:
        problems.add(table, index, key, _("%(key)s 含有空字符（\\u0000），不能保存") % {"key": key})
    elif required and not value.strip():
        problems.add(table, index, key, _("%(key)s 不能为空") % {"key": key})
    elif max_length and len(value) > max_length:
        problems.add(table, index, key, _("%(key)s 太长（最多 %(max)s 个字）") % {"key": key, "max": max_length})
    else:
        return True
    return False


def _is_date(value) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _unknown_keys(problems: _Problems, table: str, index, data: dict, known) -> None:
    for key in data:
        if key not in known:
            problems.add(table, index, key, _("有不认识的项：%(key)s") % {"key": key})


def _codes(problems: _Problems, units: dict[str, Unit], key: str, value, *, national: bool = False) -> list[str]:
    """The unit codes listed under `key` of [campaign], each checked to exist (and to be a national body)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        problems.add("campaign", None, key, _('%(key)s 应为单位代码的列表，如 ["MOFCOM", "CPD"]') % {"key": key})
        return []
    seen: set[str] = set()
    for code in value:
        if code not in units:
            problems.add("campaign", None, key, _("%(key)s 中的单位“%(code)s”不存在") % {"key": key, "code": code})
        elif national and units[code].kind != UnitKind.NATIONAL_BODY:
            problems.add("campaign", None, key, _("%(key)s 中的“%(code)s”不是国家部门") % {"key": key, "code": code})
        if code in seen:
            problems.add("campaign", None, key, _("%(key)s 中的单位“%(code)s”重复") % {"key": key, "code": code})
        seen.add(code)
    return list(value)


class _Plan(NamedTuple):
    """What a checked file says, ready to write."""

    year: int
    fields: dict
    optional: dict
    bodies: list[str]
    expected: dict[str, bool]  # unit code → fills the statistics table
    sections: dict[str, list[dict]]
    form: dict | None


def _check_campaign(problems: _Problems, info, units: dict[str, Unit]) -> tuple:
    if not isinstance(info, dict):
        problems.add("campaign", None, None, _("缺少 [campaign] 表"))
        return None, {}, {}, [], {}
    _unknown_keys(problems, "campaign", None, info, CAMPAIGN_KEYS)
    year = info.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.add("campaign", None, "year", _("year 应为四位数字的年度，如 2021"))
        year = None
    fields: dict = {}
    complete = True
    for name in CAMPAIGN_FIELDS:
        value = info.get(name)
        if name in DATE_FIELDS:
            if value is None:
                problems.add("campaign", None, None, _("缺少 %(key)s") % {"key": name})
            elif not _is_date(value):
                problems.add("campaign", None, name, _("%(key)s 应为日期，如 2021-10-01（不加引号）") % {"key": name})
            else:
                fields[name] = value
                continue
            complete = False
        elif value is None and name not in REQUIRED_TEXT:
            fields[name] = ""
        elif value is None:
            problems.add("campaign", None, None, _("缺少 %(key)s") % {"key": name})
            complete = False
        elif _check_text(problems, "campaign", None, name, value, Campaign._meta.get_field(name).max_length, False):
            fields[name] = value
        else:
            complete = False
    optional = {}
    if "lock_date" in info:
        if _is_date(info["lock_date"]):
            optional["lock_date"] = info["lock_date"]
        else:
            problems.add("campaign", None, "lock_date", _("lock_date 应为日期，如 2021-12-31（不加引号）"))
    if "reminder_days" in info:
        max_length = Campaign._meta.get_field("reminder_days").max_length
        if _check_text(problems, "campaign", None, "reminder_days", info["reminder_days"], max_length, False):
            optional["reminder_days"] = info["reminder_days"]
    if "activity_grace_days" in info:
        grace = info["activity_grace_days"]
        if isinstance(grace, int) and not isinstance(grace, bool) and 0 <= grace <= 366:
            optional["activity_grace_days"] = grace
        else:
            problems.add(
                "campaign", None, "activity_grace_days", _("activity_grace_days 应为 0 到 366 之间的整数（天）")
            )
    if complete and year is not None:
        # The rules a new year's campaign must meet (title, theme, period, deadline), as campaign_copy checks
        # them; whether the year exists is the caller's question here (--replace).
        for problem in _copy_problems(None, year, fields):
            if problem.field == "year" and Campaign.objects.filter(year=year).exists() and 2000 <= year <= 2100:
                continue
            problems.add("campaign", None, problem.field, problem.message)
    lock_date = optional.get("lock_date")
    if lock_date is not None and "deadline" in fields and lock_date < fields["deadline"]:
        problems.add("campaign", None, "lock_date", _("锁定日期不能早于报送截止日期"))

    bodies = []
    if "bodies" not in info:
        problems.add("campaign", None, None, _("缺少 %(key)s") % {"key": "bodies"})
    elif info["bodies"] == []:
        problems.add("campaign", None, "bodies", _("bodies 至少要有牵头主办单位"))
    else:
        bodies = _codes(problems, units, "bodies", info["bodies"], national=True)
    source = info.get("statistics_from")
    if source == PROVINCIAL:
        expected = {u.code: True for u in units.values() if u.kind in PROVINCIAL_KINDS}
    elif isinstance(source, list):
        expected = dict.fromkeys(_codes(problems, units, "statistics_from", source), True)
    else:
        problems.add(
            "campaign",
            None,
            "statistics_from" if source is not None else None,
            _('statistics_from 应为 "provincial"（所有省级单位）或报送统计表的单位代码列表'),
        )
        expected = {}
    for code in bodies[1:]:
        expected.setdefault(code, False)
    for code in _codes(problems, units, "summary_only", info.get("summary_only", [])):
        if expected.get(code):
            problems.add(
                "campaign",
                None,
                "summary_only",
                _("单位“%(code)s”既在 statistics_from 中又在 summary_only 中") % {"code": code},
            )
        expected[code] = False
    return year, fields, optional, bodies, expected


def _check_section(problems: _Problems, section: Section, items, units: dict[str, Unit]) -> list[dict]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.add(section.table, None, None, _("应写作 [[%(table)s]] 表的列表") % {"table": section.table})
        return []
    keys = (
        ("number", "title", "lead_body", section.text)
        if section.model is PlanActivity
        else ("number", "title", section.text)
    )
    title_length = section.model._meta.get_field("title").max_length
    checked: list[dict] = []
    numbers: dict[int, int] = {}
    for index, item in enumerate(items):
        _unknown_keys(problems, section.table, index, item, keys)
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 32767:
            problems.add(section.table, index, "number", _("序号 number 应为正整数"))
        elif number in numbers:
            problems.add(
                section.table,
                index,
                "number",
                _("序号 %(number)s 重复（第 %(first)s 项已用）") % {"number": number, "first": numbers[number] + 1},
            )
        else:
            numbers[number] = index
        if "title" not in item:
            problems.add(section.table, index, None, _("缺少标题 title"))
        else:
            _check_text(problems, section.table, index, "title", item["title"], title_length, True)
        _check_text(problems, section.table, index, section.text, item.get(section.text, ""), None, False)
        if section.model is PlanActivity:
            code = item.get("lead_body")
            if code is None:
                problems.add(section.table, index, None, _("缺少牵头单位 lead_body"))
            elif not isinstance(code, str) or code not in units:
                problems.add(section.table, index, "lead_body", _("牵头单位“%(code)s”不存在") % {"code": code})
        checked.append(item)
    return checked


def _check(text: str, document: dict) -> tuple[_Plan | None, list[str]]:
    problems = _Problems(text)
    for key in document:
        if key not in TOP_LEVEL:
            problems.add(key, None, None, _("不认识的表 [%(key)s]") % {"key": key})
    if not Unit.objects.exists():  # a fresh database: the reference units, as load-campaign makes them
        units_load_reference()
    units = {u.code: u for u in Unit.objects.all()}
    year, fields, optional, bodies, expected = _check_campaign(problems, document.get("campaign"), units)
    sections = {s.table: _check_section(problems, s, document.get(s.table, []), units) for s in SECTIONS}
    form = document.get("form")
    if form is not None:
        try:
            form = validate_spec(form, text)
        except FormSpecError as exc:
            problems.extend(exc.messages())
    if problems:
        return None, problems.messages
    plan = _Plan(year, fields, optional, bodies, expected, sections, form)
    return plan, []


def _refusals_of_replacing(problems: _Problems, campaign: Campaign, plan: _Plan) -> None:
    """What an existing campaign holds that the file must not undo: submitted reports (the rule of the form
    editor, `form_has_submissions`), reports of units the file drops, activities registered under dropped plan
    activities, a unit's own later deadline before the new lock date."""
    if form_has_submissions(campaign):
        problems.add(
            "campaign",
            None,
            "year",
            _("已有单位报送了%(year)s年的报告，不能再用文件替换整个活动") % {"year": campaign.year},
        )
        return
    dropped = campaign.participants.exclude(unit__code__in=plan.expected)
    for code in campaign.reports.filter(unit__in=dropped.values("unit")).values_list("unit__code", flat=True):
        problems.add(
            "campaign",
            None,
            "statistics_from",
            _("单位“%(code)s”已有本年度的报送记录，不能从报送单位中删去") % {"code": code},
        )
    numbers = [item["number"] for item in plan.sections["plan_activity"]]
    for activity in campaign.plan_activities.exclude(number__in=numbers).filter(activities__isnull=False).distinct():
        problems.add(
            "campaign",
            None,
            None,
            _("主要活动 %(number)s（%(title)s）已有登记的活动，不能删去")
            % {"number": activity.number, "title": activity.title},
        )
    lock_date = plan.optional.get("lock_date", campaign.lock_date)
    if lock_date is not None:
        kept = campaign.participants.filter(unit__code__in=plan.expected, lock_override__isnull=True)
        clash = kept.filter(deadline_override__gt=lock_date).select_related("unit").first()
        if clash is not None:
            problems.add(
                "campaign",
                None,
                "lock_date",
                _("%(unit)s的截止日期已单独延至 %(date)s，统一锁定日期不能早于它；请先为该单位单独设定锁定日期")
                % {"unit": clash.unit.name, "date": f"{clash.deadline_override:%Y-%m-%d}"},
            )


class Loaded(NamedTuple):
    campaign: Campaign
    created: bool


@transaction.atomic
def campaign_load_text(text: str, *, acting_user=None, replace: bool = False) -> Loaded:
    """Load a whole campaign from TOML text as `campaign_export` writes it (or the seed, campaign-2020.toml).

    Everything is checked first and every problem reported at once (DomainError; each problem names its place,
    `[[plan_activity]] 3`, and its line). A new year is created (being prepared, as a copy is); an existing year
    is refused unless `replace`, and replacing is refused once a unit has submitted a report. When replacing,
    the file is the campaign: its texts, dates, plan, focus areas, requirements, expected units and form replace
    the old ones; what the file cannot say is kept (the logo, publication, units' own deadlines, lock_date and
    reminder_days when absent). All or nothing. `acting_user` None means the operator at the console."""
    if acting_user is not None and not can(acting_user, Action.MANAGE_CAMPAIGN):
        raise DomainError(_("只有国家管理员可以载入活动文件"), status=403)
    text = text.replace("\r\n", "\n").removeprefix("\ufeff")
    document = _parse(text)
    plan, messages = _check(text, document)
    if plan is None:
        raise _refuse(messages)
    campaign = Campaign.objects.select_for_update().filter(year=plan.year).first()
    if campaign is not None:
        problems = _Problems(text)
        if not replace:
            problems.add(
                "campaign",
                None,
                "year",
                _("%(year)s年的活动已经存在；要用本文件替换它，请加 --replace") % {"year": plan.year},
            )
        else:
            _refusals_of_replacing(problems, campaign, plan)
        if problems:
            raise _refuse(problems.messages, status=409)

    units = {u.code: u for u in Unit.objects.filter(code__in={*plan.bodies, *plan.expected, *_leads(plan)})}
    values = {**plan.fields, **plan.optional, "organiser": units[plan.bodies[0]]}
    created = campaign is None
    if created:
        campaign = Campaign.objects.create(year=plan.year, **values)
    else:
        for name, value in values.items():
            if name != "organiser":
                change_record(campaign, acting_user, _("活动"), name, getattr(campaign, name), value)
            setattr(campaign, name, value)
        campaign.save()

    counts = {}
    for section in SECTIONS:
        counts[section.table] = _write_section(
            campaign, section, plan.sections[section.table], units, acting_user, created
        )
    for code, fills in plan.expected.items():
        Participant.objects.update_or_create(campaign=campaign, unit=units[code], defaults={"fills_statistics": fills})
    campaign.participants.exclude(unit__code__in=plan.expected).delete()
    if plan.form is not None:
        # The form's own service: its checks (a figure a unit holds a value for cannot go), its audit row.
        form_edit(campaign=campaign, text=text, acting_user=acting_user)
    audit_record(
        action="campaign_load_text",
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        object_repr=str(campaign),
        changes={"created": created, **counts, "participants": len(plan.expected), "form": plan.form is not None},
        actor=acting_user,
    )
    return Loaded(campaign, created)


def _leads(plan: _Plan) -> set[str]:
    return {item["lead_body"] for item in plan.sections["plan_activity"]}


def _write_section(campaign, section: Section, items: list[dict], units, acting_user, created: bool) -> int:
    """Items matched by number: updated, added, the others removed (as the seed's loader does)."""
    old = {item.number: item for item in section.model.objects.filter(campaign=campaign)}
    for item in items:
        values = {"title": item["title"], section.text: item.get(section.text, "")}
        if section.model is PlanActivity:
            values["lead_body"] = units[item["lead_body"]]
        before = old.pop(item["number"], None)
        if not created:
            part = f"{_(section.label)} {item['number']}"
            for name, value in values.items():
                previous = getattr(before, name) if before is not None else ""
                label = str(section.model._meta.get_field(name).verbose_name)
                change_record(campaign, acting_user, part, label, _shown(previous), _shown(value))
        section.model.objects.update_or_create(campaign=campaign, number=item["number"], defaults=values)
    for number, gone in old.items():
        change_record(campaign, acting_user, f"{_(section.label)} {number}", _("标题"), gone.title, "")
        gone.delete()
    return len(items)


def _shown(value) -> str:
    return value.code if isinstance(value, Unit) else str(value or "")
