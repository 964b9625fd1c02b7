"""Writes to the form definition: loading a spec (from the campaign data file, a copied campaign, the web editor or
`chengxin form-load`) and editing the form as TOML text. Every path goes through `formspec.validate_spec`."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chengxin.audit.services import audit_record
from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.formspec import FormSpecError, validate_spec
from chengxin.statform.formtext import FIELD, spec_error, spec_from_toml
from chengxin.statform.models import Figure, FigureKind, Row, Rule, StatForm, form_changed
from chengxin.units.capabilities import Action, can


@transaction.atomic
def form_load(*, campaign: Campaign, spec: dict, text: str | None = None) -> StatForm:
    """Create or update a campaign's form from a spec (the `[form]` table of a campaign file). Idempotent.

    The spec is checked by the one validator first (DomainError naming every problem, and its line of `text`
    when the spec was read from one). Rows are matched by printed order, figures and rules by code. Figures and
    rules no longer in the spec are removed unless a report already holds a value for them (then the database
    refuses and nothing is changed). The form gets a new revision, so `form_definition` serves the new form from
    the commit on.
    """
    try:
        spec = validate_spec(spec, text)
    except FormSpecError as exc:
        raise spec_error(exc) from None
    form, _created = StatForm.objects.update_or_create(campaign=campaign, defaults={"title": spec["title"]})
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
                        "category": fig["category"],
                        "count": fig["count"],
                        "per_10k": fig["per_10k"],
                        "activity_output": fig["activity_output"],
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
    return form


def form_as_spec(form: StatForm) -> dict:
    """The form as a spec that `form_load` accepts: how a new year's campaign starts from last year's form."""
    rows = list(form.rows.order_by("order"))
    figures: dict[int, list[dict]] = {}
    for f in form.figures.order_by("order"):
        figures.setdefault(f.row_id, []).append(
            {
                "code": f.code,
                "label": f.label,
                "unit": f.unit_of_measure,
                "kind": f.kind,
                "help": f.help_text,
                "category": f.category,
                "count": f.count,
                "per_10k": f.per_10k,
                "activity_output": f.activity_output,
            }
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


def form_has_submissions(campaign: Campaign) -> bool:
    """True once any unit has submitted a report of the campaign (a report returned or accepted was submitted
    first): from then on its form is fixed. Read through the reports' relation to the campaign, so that the
    form, below reporting in the layers, imports nothing of it."""
    return campaign.reports.filter(first_submitted_at__isnull=False).exists()


@transaction.atomic
def form_edit(*, campaign: Campaign, text: str, acting_user=None) -> StatForm:
    """Replace the campaign's form by the edited TOML text (see `formtext`): rows and figures may be added,
    renamed (same code, new label) or dropped. All or nothing. Refused once a report was submitted, and for a
    figure that a report holds a value for (dropped, or turned from a number into text or back).

    `acting_user` is the national administrator on the web; None for `chengxin form-load` (the operator at the
    server's console, recorded as the system in the audit log)."""
    if acting_user is not None and not can(acting_user, Action.MANAGE_CAMPAIGN):
        raise DomainError(_("只有国家管理员可以修改统计表"), status=403)
    if form_has_submissions(campaign):
        raise DomainError(_("已有单位报送了%(year)s年的统计表，统计表不能再修改") % {"year": campaign.year}, status=409)
    spec = spec_from_toml(text)
    form = StatForm.objects.filter(campaign=campaign).first()
    kinds = {f["code"]: f["kind"] for row in _leaves(spec["rows"]) for f in row["figures"]}
    if form is not None:
        problems = []
        for figure in form.figures.order_by("order"):
            filled = figure.values.filter(Q(number__isnull=False) | ~Q(text="")).exists
            if figure.code not in kinds and filled():
                problems.append(
                    _("指标 %(code)s（%(label)s）已有单位填报了数据，不能删除（可以改名）")
                    % {"code": figure.code, "label": figure.label}
                )
            elif figure.code in kinds and kinds[figure.code] != figure.kind and filled():
                problems.append(
                    _("指标 %(code)s（%(label)s）已有单位填报了数据，不能改变类型")
                    % {"code": figure.code, "label": figure.label}
                )
        if problems:
            raise DomainError(
                _("统计表定义有误，未作任何修改：%(problem)s") % {"problem": problems[0]},
                errors=[FieldError(FIELD, p) for p in problems],
            )
        # Empty cells of dropped figures (a unit typed a value and cleared it) hold nothing worth keeping.
        for figure in form.figures.exclude(code__in=kinds):
            figure.values.all().delete()
    before = {f.code for f in form.figures.all()} if form is not None else set()
    form = form_load(campaign=campaign, spec=spec, text=text)
    after = set(form.figures.values_list("code", flat=True))
    audit_record(
        action="form_edit",
        object_type="statform.statform",
        object_id=form.pk,
        object_repr=str(form),
        changes={"added": sorted(after - before), "dropped": sorted(before - after), "figures": len(after)},
        actor=acting_user,
    )
    return form


def _leaves(rows: list[dict]):
    for row in rows:
        yield row
        yield from _leaves(row["rows"])
