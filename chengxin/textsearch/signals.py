"""What is searched follows what is saved: a summary upload, a case, an activity. The owners do not know about
the search (it is a layer above them); these receivers, connected in apps.ready, index each save."""

from django.db.models.signals import post_delete, post_save

from chengxin.textsearch.models import Kind
from chengxin.textsearch.services import document_delete, document_put_file, document_put_text


def _summary_saved(sender, instance, created, **kwargs) -> None:
    from chengxin.reporting.models import SummaryFile

    newest = SummaryFile.objects.filter(report_id=instance.report_id).select_related("report__unit").first()
    if newest is None or newest.pk != instance.pk:
        return
    report = newest.report
    document_put_file(
        Kind.SUMMARY,
        report.pk,
        year=_year(report.campaign_id),
        unit_id=report.unit_id,
        title=newest.original_name,
        source_file=newest.file.name,
        source_kind=newest.kind,
    )


def _year(campaign_id: int) -> int:
    from chengxin.campaigns.models import Campaign

    return Campaign.objects.values_list("year", flat=True).get(pk=campaign_id)


def case_text(case) -> str:
    return "\n".join([case.title, case.summary, case.body])


def _case_saved(sender, instance, **kwargs) -> None:
    year = _year(instance.campaign_id) if instance.campaign_id else instance.case_date.year
    document_put_text(
        Kind.CASE,
        instance.pk,
        year=year,
        unit_id=instance.source_body_id,
        title=instance.title,
        text=case_text(instance),
    )


def activity_text(activity) -> str:
    parts = [activity.title, activity.place, activity.organiser, activity.audience, activity.epidemic_plan_text]
    return "\n".join(p for p in parts if p)


def _activity_saved(sender, instance, **kwargs) -> None:
    document_put_text(
        Kind.ACTIVITY,
        instance.pk,
        year=_year(instance.campaign_id),
        unit_id=instance.unit_id,
        plan_activity_id=instance.plan_activity_id,
        title=instance.title,
        text=activity_text(instance),
    )


def _deleted(kind: Kind):
    def receiver(sender, instance, **kwargs) -> None:
        document_delete(kind, instance.pk)

    return receiver


_report_deleted = _deleted(Kind.SUMMARY)
_case_deleted = _deleted(Kind.CASE)
_activity_deleted = _deleted(Kind.ACTIVITY)


def connect() -> None:
    from chengxin.activities.models import Activity
    from chengxin.portal.models import Case
    from chengxin.reporting.models import Report, SummaryFile

    post_save.connect(_summary_saved, sender=SummaryFile, dispatch_uid="textsearch.summary_saved")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="textsearch.case_saved")
    post_save.connect(_activity_saved, sender=Activity, dispatch_uid="textsearch.activity_saved")
    post_delete.connect(_report_deleted, sender=Report, dispatch_uid="textsearch.report_deleted")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="textsearch.case_deleted")
    post_delete.connect(_activity_deleted, sender=Activity, dispatch_uid="textsearch.activity_deleted")
