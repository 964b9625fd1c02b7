"""Writes to the form definition."""

from django.db import transaction

from chengxin.campaigns.models import Campaign
from chengxin.statform.definition import build_definition
from chengxin.statform.models import Figure, FigureKind, Row, Rule, StatForm, form_changed
from chengxin.statform.validation import check_rule_definition


@transaction.atomic
def form_load(*, campaign: Campaign, spec: dict) -> StatForm:
    """Create or update a campaign's form from a spec (the `[form]` table of a campaign file). Idempotent.

    Rows are matched by printed order, figures and rules by code. Figures and rules no longer in the spec
    are removed unless a report already holds a value for them (then the load is refused). The form gets a new
    revision, so `form_definition` serves the new form from the commit on.
    """
    form, _ = StatForm.objects.update_or_create(campaign=campaign, defaults={"title": spec["title"]})
    seen_rows: set[int] = set()
    seen_figures: set[str] = set()
    counter = {"row": 0, "figure": 0}

    def add_rows(items: list[dict], parent: Row | None, depth: int) -> None:
        for item in items:
            counter["row"] += 1
            row, _ = Row.objects.update_or_create(
                form=form,
                order=counter["row"],
                defaults={"label": item["label"], "parent": parent, "depth": depth},
            )
            seen_rows.add(row.pk)
            for fig in item.get("figures", []):
                counter["figure"] += 1
                seen_figures.add(fig["code"])
                # Orders are unique per form: park a clashing figure out of the way before taking its slot.
                Figure.objects.filter(form=form, order=counter["figure"]).exclude(code=fig["code"]).update(
                    order=10_000 + counter["figure"]
                )
                Figure.objects.update_or_create(
                    form=form,
                    code=fig["code"],
                    defaults={
                        "row": row,
                        "label": fig["label"],
                        "unit_of_measure": fig.get("unit", ""),
                        "kind": FigureKind(fig.get("kind", FigureKind.NUMBER)),
                        "order": counter["figure"],
                        "help_text": fig.get("help", ""),
                    },
                )
            add_rows(item.get("rows", []), row, depth + 1)

    add_rows(spec["rows"], None, 0)
    Figure.objects.filter(form=form).exclude(code__in=seen_figures).delete()
    Row.objects.filter(form=form).exclude(pk__in=seen_rows).delete()

    seen_rules = set()
    for order, item in enumerate(spec.get("rules", []), start=1):
        seen_rules.add(item["code"])
        Rule.objects.update_or_create(
            form=form,
            code=item["code"],
            defaults={
                "left": item["left"],
                "operator": item["operator"],
                "right": str(item["right"]),
                "severity": item["severity"],
                "anchor": item.get("anchor", ""),
                "message": item["message"],
                "order": order,
            },
        )
    Rule.objects.filter(form=form).exclude(code__in=seen_rules).delete()
    # Saves and deletes gave the form a new revision already; the update() that parks figures sends no signal.
    form_changed(form.pk)

    definition = build_definition(form)
    for rule in definition.rules:
        check_rule_definition(definition, rule)
    return form


def form_as_spec(form: StatForm) -> dict:
    """The form as a spec that `form_load` accepts: how a new year's campaign starts from last year's form."""
    rows = list(form.rows.order_by("order"))
    figures: dict[int, list[dict]] = {}
    for f in form.figures.order_by("order"):
        figures.setdefault(f.row_id, []).append(
            {"code": f.code, "label": f.label, "unit": f.unit_of_measure, "kind": f.kind, "help": f.help_text}
        )
    children: dict[int | None, list[Row]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def tree(parent_id: int | None) -> list[dict]:
        return [
            {"label": row.label, "figures": figures.get(row.pk, []), "rows": tree(row.pk)}
            for row in children.get(parent_id, [])
        ]

    rules = [
        {
            "code": r.code,
            "left": r.left,
            "operator": r.operator,
            "right": r.right,
            "severity": r.severity,
            "anchor": r.anchor,
            "message": r.message,
        }
        for r in form.rules.order_by("order")
    ]
    return {"title": form.title, "rows": tree(None), "rules": rules}
