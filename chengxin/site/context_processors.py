"""What the menu shows of the work waiting, for the roles that do it: reports waiting for review, commitments,
cases and index releases waiting for moderation. Above every app (it counts in several), read through the cache
keyed by the generations their writes bump (core.generations), and only when a template shows them (lazy)."""

from django.utils.functional import SimpleLazyObject

from chengxin.core.generations import cached
from chengxin.units.capabilities import Action, can


def _cached(key: str, names: tuple[str, ...], count) -> int:
    return cached(f"waiting:{key}", names, count)


def _reports_waiting(campaign, user) -> int:
    from chengxin.reporting.models import Report, Status

    # Those the account reviews: the ministry the units reporting to it, a unit its direct sub-units.
    under = {"unit__parent": None} if user.is_national else {"unit__parent_id": user.unit_id}
    reports = Report.objects.filter(campaign=campaign, status=Status.SUBMITTED, **under)
    key = f"reports:{campaign.pk}:{'national' if user.is_national else user.unit_id}"
    return _cached(key, (f"campaign-data:{campaign.pk}", "units"), reports.count)


def _commitments_waiting(campaign) -> int:
    from chengxin.commitments.models import Commitment, Status

    return _cached(
        f"commitments:{campaign.pk}",
        ("commitments",),
        Commitment.objects.filter(campaign=campaign, status=Status.PENDING).count,
    )


def _cases_waiting() -> int:
    from chengxin.portal.models import Case, CaseStatus

    return _cached("cases", ("cases",), Case.objects.filter(status=CaseStatus.SUBMITTED).count)


def _index_releases_waiting() -> int:
    from chengxin.indices.models import IndexRelease, ReleaseStatus

    return _cached(
        "index-releases", ("index-releases",), IndexRelease.objects.filter(status=ReleaseStatus.SUBMITTED).count
    )


def work_waiting(request) -> dict:
    """`waiting.reports`, `waiting.commitments`, `waiting.cases`, `waiting.indices` for the menu (0 where the
    account has none of that work)."""
    user = getattr(request, "user", None)
    campaign = None
    if user is not None and user.is_authenticated and not user.is_administrator:
        from chengxin.campaigns.selectors import campaign_current

        campaign = campaign_current()
    if campaign is None:
        return {"waiting": {}}

    def reports() -> int:
        return _reports_waiting(campaign, user) if can(user, Action.REVIEW_REPORT) else 0

    def commitments() -> int:
        return _commitments_waiting(campaign) if can(user, Action.MODERATE) else 0

    def cases() -> int:
        return _cases_waiting() if can(user, Action.MODERATE) else 0

    def indices() -> int:
        return _index_releases_waiting() if can(user, Action.MODERATE) else 0

    return {
        "waiting": {
            "reports": SimpleLazyObject(reports),
            "commitments": SimpleLazyObject(commitments),
            "cases": SimpleLazyObject(cases),
            "indices": SimpleLazyObject(indices),
        }
    }
