"""Finding the form's rows in a sheet by their printed labels, as people type and re-type them."""

from dataclasses import dataclass, field

from chengxin.statform.definition import FigureDef, FormDefinition, RowDef
from chengxin.workbooks.text import label_head, normalise_label


@dataclass(frozen=True)
class Leaf:
    """A leaf of the form with what is needed to find it and its values: its figures, its parent's label,
    and (normalised) its figures' labels and units of measure."""

    row: RowDef
    parent_label: str  # normalised; "" for a root leaf
    sub_labels: frozenset[str]
    units: frozenset[str]

    @classmethod
    def of(cls, row: RowDef, parent_label: str) -> "Leaf":
        sub_labels = frozenset(normalise_label(f.label) for f in row.figures)
        units = frozenset(normalise_label(f.unit) for f in row.figures if f.unit)
        return cls(row, parent_label, sub_labels, units)

    @property
    def figures(self) -> list[FigureDef]:
        return self.row.figures


@dataclass
class LabelIndex:
    """The form's labels, normalised (text.normalise_label), for looking up cell texts."""

    leaves: dict[str, list[Leaf]] = field(default_factory=dict)
    heads: dict[str, list[Leaf]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    all_leaves: list[Leaf] = field(default_factory=list)

    @classmethod
    def of(cls, definition: FormDefinition) -> "LabelIndex":
        index = cls()

        def walk(row: RowDef, parent: str) -> None:
            label = normalise_label(row.label)
            if row.is_leaf:
                leaf = Leaf.of(row, parent)
                index.all_leaves.append(leaf)
                index.leaves.setdefault(label, []).append(leaf)
                index.heads.setdefault(label_head(label), []).append(leaf)
            else:
                index.groups.add(label)
            for child in row.children:
                walk(child, label)

        for root in definition.roots:
            walk(root, "")
        return index

    def candidates(self, text: str) -> list[Leaf]:
        """The leaves a normalised cell text names: its whole label, else the label's head when the cell is
        that head alone or with another bracket ("纸媒新闻", "纸媒新闻(篇数)")."""
        exact = self.leaves.get(text)
        if exact:
            return exact
        heads = self.heads.get(label_head(text), [])
        return heads if len(heads) == 1 else []

    def is_label(self, text: str) -> bool:
        return text in self.groups or bool(self.candidates(text))


def choose(candidates: list[Leaf], seen_groups: dict[str, int]) -> Leaf | None:
    """One leaf for a label the form uses more than once: the one under the group label seen last above it;
    None when that does not decide."""
    if len(candidates) == 1:
        return candidates[0]
    ranked = sorted(candidates, key=lambda leaf: seen_groups.get(leaf.parent_label, -1), reverse=True)
    best = seen_groups.get(ranked[0].parent_label, -1)
    if best < 0 or best == seen_groups.get(ranked[1].parent_label, -1):
        return None
    return ranked[0]
