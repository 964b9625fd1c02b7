"""Importing filled statistics tables: every figure reaches the database through reporting's services, so a
cell read from a workbook is checked exactly like one typed in the browser.

One file is all-or-nothing: if any sheet of it has a problem, nothing of that file is saved.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.errors import DomainError
from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_for_unit, report_values
from chengxin.reporting.services import report_save_draft
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import Finding
from chengxin.units.models import Role, Unit, User
from chengxin.workbooks.parse import ParsedSheet, Problem, parse_workbook
from chengxin.workbooks.safety import WorkbookRefused

SYSTEM_USERNAME = "system"


@dataclass
class SheetResult:
    sheet: ParsedSheet
    unit: Unit | None
    current: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> set[str]:
        return {code for code in set(self.current) | set(self.new) if self.current.get(code) != self.new.get(code)}


@dataclass
class FileResult:
    """What an import of one file did (or, in a dry run, would do). `problems` empty means it was saved."""

    file_name: str
    sheets: list[SheetResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[tuple[str, Finding]]:
        return [
            (s.sheet.places.get(f.figure, s.sheet.place()), f)
            for s in self.sheets
            for f in s.findings
            if not f.is_error
        ]


class _Rollback(Exception):
    """Raised inside the file's transaction to undo it (dry run, or a problem found while saving)."""


def system_user() -> User:
    """The account the command line acts as: inactive, no usable password, recorded in every history entry."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "unit": Unit.objects.get(code="MOFCOM"),
            "role": Role.NATIONAL_ADMIN,
            "display_name": "命令行导入",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _may_import_for(user: User, unit: Unit) -> bool:
    return user.is_national_admin or user.reports_for(unit)


def _check_units(result: FileResult, campaign: Campaign, user: User, choice: Unit | None) -> None:
    fills = set(Participant.objects.filter(campaign=campaign, fills_statistics=True).values_list("unit_id", flat=True))
    seen: dict[int, str] = {}
    for item in result.sheets:
        sheet = item.sheet
        if item.unit is None and choice is not None and len(result.sheets) == 1:
            # "else chosen in the UI": the person named the unit for a workbook that does not.
            sheet.problems = [p for p in sheet.problems if p.kind != "unknown_unit"]
            item.unit = choice
        unit = item.unit
        if unit is None:
            continue
        if unit.pk not in fills:
            message = _("%(unit)s不填报%(year)s年统计表") % {"unit": unit.name, "year": campaign.year}
            sheet.problem("not_reporting", message)
        elif not _may_import_for(user, unit):
            sheet.problem("not_allowed", _("您不能为%(unit)s导入数据") % {"unit": unit.name})
        elif unit.pk in seen:
            message = _("%(unit)s在本文件中出现了两次（另见工作表“%(other)s”）") % {
                "unit": unit.name,
                "other": seen[unit.pk],
            }
            sheet.problem("unit_twice", message)
        else:
            seen[unit.pk] = sheet.sheet


def _values(sheet: ParsedSheet, definition, empty_is_zero: bool) -> dict:
    values = dict(sheet.values)
    for code in sheet.empty:
        figure = definition.by_code[code]
        values[code] = 0 if (empty_is_zero and figure.is_number) else ""
    return values


def stats_import_file(
    *,
    campaign: Campaign,
    data: bytes,
    file_name: str,
    acting_user: User,
    empty_is_zero: bool = False,
    unit_choice: Unit | None = None,
    dry_run: bool = False,
) -> FileResult:
    """Read one workbook and save each sheet into its unit's draft, all or nothing.

    Empty cells stay empty unless `empty_is_zero` (the person confirmed that empty means 0). A rule error
    (e.g. attendance without sessions) is a problem like a bad cell: the file must be corrected; warnings are
    reported and saved. With `dry_run` everything is checked and nothing is kept (the preview).
    """
    result = FileResult(file_name=file_name)
    definition = form_definition(campaign)
    units = list(Unit.objects.all())
    try:
        parsed = parse_workbook(data, file_name=file_name, definition=definition, units=units)
    except WorkbookRefused as exc:
        result.problems.append(Problem(exc.place or file_name, exc.reason or exc.message, "refused"))
        return result
    result.sheets = [SheetResult(sheet=s, unit=s.unit) for s in parsed]
    _check_units(result, campaign, acting_user, unit_choice)
    result.problems = [p for item in result.sheets for p in item.sheet.problems]
    if result.problems:
        return result
    try:
        with transaction.atomic():
            for item in result.sheets:
                _save_sheet(item, campaign, definition, acting_user, empty_is_zero, result)
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        return result
    result.saved = True
    return result


def _save_sheet(item: SheetResult, campaign, definition, user: User, empty_is_zero: bool, result: FileResult):
    sheet = item.sheet
    report = report_for_unit(campaign, item.unit) or Report(campaign=campaign, unit=item.unit)
    item.current = report_values(report)
    values = _values(sheet, definition, empty_is_zero)
    try:
        saved = report_save_draft(report=report, raw_values=values, version=None, acting_user=user)
    except DomainError as exc:
        result.problems.append(Problem(sheet.place(), exc.message, "refused"))
        result.problems.extend(
            Problem(sheet.places.get(e.field, sheet.place()), e.message, "refused") for e in exc.errors
        )
        return
    item.new = report_values(saved.report)
    item.findings = saved.findings
    for finding in saved.findings:
        if finding.is_error:
            result.problems.append(
                Problem(sheet.places.get(finding.figure, sheet.place()), finding.message, "rule", finding.figure)
            )


def _national_title(campaign: Campaign, scope: str, exported_by: str) -> tuple[str, str]:
    """The national table's title, and what it holds: which reports (the scope), as of when, who exported."""
    from chengxin.analytics.selectors import SCOPE_LABELS

    title = _("%(title)s统计表（全国汇总）") % {"title": campaign.title}
    details = _("统计范围：%(scope)s · 截至 %(at)s") % {
        "scope": SCOPE_LABELS.get(scope, scope),
        "at": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }
    if exported_by:
        details += _(" · 导出：%(who)s") % {"who": exported_by}
    return title, details


def national_table_for(campaign: Campaign, scope: str, *, exported_by: str = "") -> tuple[bytes, int, int]:
    """The consolidated national table of `scope` as xlsx bytes, with the number of unit columns and of units
    that have data; the web download and `chengxin export-stats` write the same file. Its title says what it
    holds: which reports (the scope), as of when, and who exported it."""
    from chengxin.workbooks.export import national_table
    from chengxin.workbooks.selectors import export_data

    columns, values = export_data(campaign, scope)
    title, details = _national_title(campaign, scope, exported_by)
    data = national_table(
        definition=form_definition(campaign), title=title, details=details, columns=columns, values=values
    )
    return data, len(columns), sum(1 for v in values.values() if v)


def national_pdf_for(campaign: Campaign, scope: str, *, exported_by: str = "") -> bytes:
    """The national table of `scope` as a PDF: the workbook's 打印版 sheet, drawn by printpdf. Raises
    printpdf.PdfUnavailable when it cannot be made here."""
    from chengxin.workbooks.export import print_layout
    from chengxin.workbooks.printpdf import national_pdf
    from chengxin.workbooks.selectors import export_data

    columns, values = export_data(campaign, scope)
    title, details = _national_title(campaign, scope, exported_by)
    definition = form_definition(campaign)
    return national_pdf(
        print_layout(definition=definition, title=title, details=details, columns=columns, values=values)
    )
