"""An in-memory, read-only view of a campaign's statistics form: the one definition that renders the web
form, the print view and the Excel template, and that the validator checks values against."""

import re
from dataclasses import dataclass, field

from chengxin.statform.models import FigureKind, StatForm

PATH_SEPARATOR = " › "
_BRACKETED_TAIL = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


def _without_brackets(label: str) -> str:
    """A row label without the units in brackets at its end: "会议（场次、人次）" → "会议"."""
    return _BRACKETED_TAIL.sub("", label) or label


@dataclass(frozen=True)
class FigureDef:
    code: str
    label: str
    unit: str
    kind: str
    order: int
    row_label: str
    path: str  # how a person reads the cell on paper: "新媒介 › 直播（场次，观看人次）"
    help_text: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind == FigureKind.NUMBER

    # The codes of every figure printed in the same row (one printed cell may hold two figures).
    row_codes: tuple[str, ...] = ()
    pk: int | None = None  # the Figure row's primary key (what a stored value refers to)
    # What the figure means (statform.models.Figure): its category, what it counts, per 10,000 residents or not,
    # whether activities record it ("any", "offline" or "").
    category: str = ""
    count: str = ""
    per_10k: bool = False
    activity_output: str = ""

    @property
    def short_name(self) -> str:
        """A compact name for charts and column heads: "会议 场次", "纸媒新闻"."""
        head = self.row_label.split("（")[0]
        return f"{head} {self.label}" if len(self.row_codes) > 1 else head

    @property
    def cell_name(self) -> str:
        """The cell as a person names it on paper: "户外活动 › 会议（场次、人次） 人次"."""
        return f"{self.path} {self.label}" if len(self.row_codes) > 1 else self.path

    @property
    def field_name(self) -> str:
        """The figure's input as a screen reader names it: its row labels without their bracketed units, then the
        figure: "户外活动 会议 场次" (not just "场次", which every meeting and live-stream row has)."""
        rows = [_without_brackets(label) for label in self.path.split(PATH_SEPARATOR)]
        return " ".join([*rows, self.label])


@dataclass
class RowDef:
    id: int
    label: str
    depth: int
    children: list["RowDef"] = field(default_factory=list)
    figures: list[FigureDef] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return bool(self.figures)


@dataclass(frozen=True)
class RuleDef:
    code: str
    left: str
    operator: str
    right: str
    severity: str
    anchor: str
    message: str


@dataclass(frozen=True)
class LabelCell:
    label: str
    rowspan: int
    colspan: int


@dataclass(frozen=True)
class TableLine:
    """One printed line of the table: the label cells that start on it, and the leaf's figures."""

    labels: tuple[LabelCell, ...]
    leaf: RowDef


@dataclass(frozen=True)
class Category:
    """Figures the form puts in one category, titled as the form prints it: the label of the row that holds all of
    them (传统媒介 for print, TV and radio news)."""

    key: str
    title: str
    figures: tuple[FigureDef, ...]

    def counting(self, count: str) -> list[FigureDef]:
        return [f for f in self.figures if f.count == count]


@dataclass
class FormDefinition:
    """The whole form. `statform.selectors.form_definition` shares one instance between requests: read-only."""

    title: str
    roots: list[RowDef]
    figures: list[FigureDef]
    rules: list[RuleDef]
    categories: list[Category] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_code = {f.code: f for f in self.figures}
        self.category_of = {f.code: c for c in self.categories for f in c.figures}

    @property
    def per_10k_figures(self) -> list[FigureDef]:
        return [f for f in self.number_figures if f.per_10k]

    @property
    def activity_figures(self) -> list[FigureDef]:
        """The figures a registered activity records, in the form's order."""
        return [f for f in self.number_figures if f.activity_output]

    def category_title(self, code: str) -> str:
        category = self.category_of.get(code)
        return category.title if category else ""

    @property
    def number_figures(self) -> list[FigureDef]:
        return [f for f in self.figures if f.is_number]

    @property
    def depth(self) -> int:
        """Number of label columns of the printed table."""

        def walk(row: RowDef) -> int:
            return 1 + max((walk(c) for c in row.children), default=0)

        return max((walk(r) for r in self.roots), default=0)

    def table_lines(self) -> list[TableLine]:
        """The table as printed: group and sub-group labels span their leaves' lines; a leaf that sits
        higher in the tree spans the remaining label columns."""
        columns = self.depth
        lines: list[TableLine] = []

        def leaf_count(row: RowDef) -> int:
            return 1 if not row.children else sum(leaf_count(c) for c in row.children)

        def walk(row: RowDef, pending: list[LabelCell]) -> None:
            if not row.children:
                cell = LabelCell(row.label, 1, columns - row.depth)
                lines.append(TableLine((*pending, cell), row))
                return
            cell = LabelCell(row.label, leaf_count(row), 1)
            for i, child in enumerate(row.children):
                walk(child, [*pending, cell] if i == 0 else [])

        for root in self.roots:
            walk(root, [])
        return lines


def build_definition(form: StatForm) -> FormDefinition:
    """Read the form's rows, figures and rules in three queries."""
    rows = {r.pk: r for r in form.rows.all()}
    defs: dict[int, RowDef] = {pk: RowDef(id=pk, label=r.label, depth=r.depth) for pk, r in rows.items()}
    roots: list[RowDef] = []
    for r in sorted(rows.values(), key=lambda r: r.order):
        if r.parent_id is None:
            roots.append(defs[r.pk])
        else:
            defs[r.parent_id].children.append(defs[r.pk])

    def path_of(row_id: int) -> str:
        row = rows[row_id]
        parent = rows.get(row.parent_id) if row.parent_id else None
        return f"{parent.label}{PATH_SEPARATOR}{row.label}" if parent else row.label

    raw_figures = list(form.figures.all())
    per_row: dict[int, list[str]] = {}
    for f in raw_figures:
        per_row.setdefault(f.row_id, []).append(f.code)
    figures = []
    for f in raw_figures:
        fd = FigureDef(
            code=f.code,
            label=f.label,
            unit=f.unit_of_measure,
            kind=f.kind,
            order=f.order,
            row_label=rows[f.row_id].label,
            path=path_of(f.row_id),
            help_text=f.help_text,
            row_codes=tuple(per_row[f.row_id]),
            pk=f.pk,
            category=f.category,
            count=f.count if f.kind == FigureKind.NUMBER else "",
            per_10k=f.per_10k and f.kind == FigureKind.NUMBER,
            activity_output=f.activity_output if f.kind == FigureKind.NUMBER else "",
        )
        figures.append(fd)
        defs[f.row_id].figures.append(fd)
    rules = [RuleDef(r.code, r.left, r.operator, r.right, r.severity, r.anchor, r.message) for r in form.rules.all()]
    return FormDefinition(
        title=form.title, roots=roots, figures=figures, rules=rules, categories=_categories(rows, raw_figures, figures)
    )


def _categories(rows: dict, raw_figures: list, figures: list[FigureDef]) -> list[Category]:
    """The form's categories in the order their first figure is printed, each titled by the deepest row that
    holds every figure of it."""

    def chain(row_id: int) -> list[int]:
        ids = []
        while row_id is not None:
            ids.insert(0, row_id)
            row_id = rows[row_id].parent_id
        return ids

    members: dict[str, list[tuple]] = {}
    for raw, fd in zip(raw_figures, figures, strict=True):
        if fd.category:
            members.setdefault(fd.category, []).append((raw.row_id, fd))
    result = []
    for key, items in members.items():
        common = chain(items[0][0])
        for row_id, _fd in items[1:]:
            other = chain(row_id)
            n = 0
            while n < min(len(common), len(other)) and common[n] == other[n]:
                n += 1
            common = common[:n]
        title = rows[common[-1]].label if common else key
        result.append(Category(key, title, tuple(fd for _row, fd in items)))
    return result
