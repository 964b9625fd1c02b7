"""Totals and completeness: what the oversight pages and the `totals` / `completeness` commands show."""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.numbers import normalise
from chengxin.reporting.models import FigureValue, Report, Status
from chengxin.statform.models import Figure, FigureKind
from chengxin.units.models import UnitKind

TOTAL_SCOPES = {
    "submitted": (Status.SUBMITTED, Status.ACCEPTED),
    "accepted": (Status.ACCEPTED,),
    "all": (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED),
}
SCOPE_LABELS = {
    "submitted": gettext_lazy("已报送和已审核"),
    "accepted": gettext_lazy("仅已审核"),
    "all": gettext_lazy("全部（含草稿）"),
}

_METHOD_SEPARATORS = re.compile(r"[、,，;；/|\s]+|和|及|与")


def split_methods(text: str) -> list[str]:
    """The display methods a unit named: "展板、手册和横幅" → ["展板", "手册", "横幅"]."""
    text = normalise(text or "")
    seen: list[str] = []
    for part in _METHOD_SEPARATORS.split(text):
        part = part.strip("等。.")
        if part and part not in seen:
            seen.append(part)
    return seen


def totals(campaign: Campaign, scope: str = "submitted") -> dict:
    """National totals by figure code over the reports in `scope`; text figures as {method: units naming it}."""
    statuses = TOTAL_SCOPES[scope]
    values = FigureValue.objects.filter(
        report__campaign=campaign,
        report__status__in=statuses,
        report__unit__participations__campaign=campaign,
        report__unit__participations__fills_statistics=True,
    )
    sums = dict(
        values.filter(figure__kind=FigureKind.NUMBER)
        .values("figure__code")
        .annotate(s=Sum("number"))
        .values_list("figure__code", "s")
    )
    result: dict[str, object] = {}
    for figure in Figure.objects.filter(form__campaign=campaign).order_by("order"):
        if figure.kind == FigureKind.NUMBER:
            result[figure.code] = int(sums.get(figure.code) or 0)
        else:
            counter: Counter[str] = Counter()
            for text in values.filter(figure=figure).values_list("text", flat=True):
                counter.update(split_methods(text))
            result[figure.code] = dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    return result


def totals_table_count(campaign: Campaign, scope: str = "submitted") -> int:
    """How many units' statistics tables the totals of `scope` add up."""
    return Report.objects.filter(
        campaign=campaign,
        status__in=TOTAL_SCOPES[scope],
        unit__participations__campaign=campaign,
        unit__participations__fills_statistics=True,
    ).count()


@dataclass
class KindSummary:
    kind: str
    label: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    drafts: int = 0
    returned: int = 0
    not_started: int = 0
    accepted: int = 0

    @property
    def waiting(self) -> int:
        """Submitted and not yet reviewed."""
        return self.submitted - self.accepted

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 0.0


@dataclass
class UnitStatus:
    code: str
    name: str
    kind: str
    kind_label: str
    fills_statistics: bool
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    late: bool
    deadline: dt.date
    has_exception: bool

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "late": self.late,
        }


@dataclass
class Completeness:
    campaign: Campaign
    units: list[UnitStatus]
    overall: KindSummary
    by_kind: list[KindSummary] = field(default_factory=list)
    today: dt.date | None = None

    @property
    def days_left(self) -> int:
        return (self.campaign.deadline - self.today).days

    @property
    def deadline_words(self) -> str:
        days = self.days_left
        date = dateformat.format(self.campaign.deadline, _("Y年n月j日"))
        if days > 0:
            return ngettext(
                "距报送截止（%(date)s）还有 %(days)d 天", "距报送截止（%(date)s）还有 %(days)d 天", days
            ) % {"date": date, "days": days}
        if days == 0:
            return _("今天（%(date)s）24时报送截止") % {"date": date}
        return ngettext(
            "报送已于 %(date)s 截止，已过 %(days)d 天；此后报送记为逾期",
            "报送已于 %(date)s 截止，已过 %(days)d 天；此后报送记为逾期",
            -days,
        ) % {"date": date, "days": -days}


def completeness(campaign: Campaign) -> Completeness:
    """Every expected unit with its status, and counts per unit kind (two queries)."""
    participants = (
        Participant.objects.filter(campaign=campaign).select_related("unit").order_by("unit__sort_order", "unit__code")
    )
    reports = {r.unit_id: r for r in Report.objects.filter(campaign=campaign)}
    overall = KindSummary("all", _("合计"))
    kinds: dict[str, KindSummary] = {}
    units = []
    for p in participants:
        report = reports.get(p.unit_id)
        status = report.status if report else Status.NOT_STARTED
        submitted = status in (Status.SUBMITTED, Status.ACCEPTED)
        late = bool(report and report.late and submitted)
        units.append(
            UnitStatus(
                code=p.unit.code,
                name=p.unit.name,
                kind=p.unit.kind,
                kind_label=UnitKind(p.unit.kind).label,
                fills_statistics=p.fills_statistics,
                status=status,
                status_label=Status(status).label,
                submitted_at=report.submitted_at if report and submitted else None,
                late=late,
                deadline=p.deadline,
                has_exception=bool(p.deadline_override or p.lock_override),
            )
        )
        kind = kinds.setdefault(p.unit.kind, KindSummary(p.unit.kind, UnitKind(p.unit.kind).label))
        for summary in (kind, overall):
            summary.expected += 1
            summary.submitted += submitted
            summary.on_time += submitted and not late
            summary.drafts += status == Status.DRAFT
            summary.returned += status == Status.RETURNED
            summary.not_started += status == Status.NOT_STARTED
            summary.accepted += status == Status.ACCEPTED
    order = [k.value for k in UnitKind]
    by_kind = sorted(kinds.values(), key=lambda k: order.index(k.kind))
    return Completeness(campaign, units, overall, by_kind, today=timezone.localdate())
