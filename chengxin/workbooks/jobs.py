"""Imports run as background tasks (huey): the request stages the files and queues a job; the page shows the
job's progress until its results are there. Each file stays all-or-nothing (services.stats_import_file).

Staged files go through Django's file storage (settings.STORAGES["default"]), never a local path: the web process
that took the upload, the task worker that reads it and the process that shows the preview may run on different
machines, sharing only the database and the storage (a shared folder, or an S3-compatible store)."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from chengxin.audit.context import audit_context
from chengxin.units.models import Unit
from chengxin.workbooks.models import ImportJob
from chengxin.workbooks.services import FileResult, stats_import_file

STAGING_FOLDER = "imports"  # in the file storage: imports/<staging>-<n>.xlsx


def staging_save(staging: str, index: int, upload) -> str:
    """Store one uploaded workbook of a job; the name it has in the storage (kept in ImportJob.files)."""
    return default_storage.save(f"{STAGING_FOLDER}/{staging}-{index}.xlsx", upload)


def staging_read(name: str) -> bytes:
    with default_storage.open(name, "rb") as f:
        return f.read()


def _staged(prefix: str = "") -> list[str]:
    try:
        _folders, files = default_storage.listdir(STAGING_FOLDER)
    except FileNotFoundError:
        return []
    return [f"{STAGING_FOLDER}/{name}" for name in files if name.startswith(prefix)]


def staging_remove(staging: str) -> None:
    """Remove every staged file of the upload `staging` (the preview's and the import's are the same files)."""
    for name in _staged(f"{staging}-"):
        default_storage.delete(name)


def staging_sweep(max_age_hours: int = 24) -> int:
    """Remove staged uploads older than `max_age_hours` (previews nobody confirmed); returns how many uploads."""
    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    removed = set()
    for name in _staged():
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            removed.add(name.rpartition("-")[0])
    return len(removed)


def summarise(result: FileResult) -> dict:
    """What the preview and result pages show of one file, as JSON."""
    return {
        "file_name": result.file_name,
        "ok": result.ok,
        "saved": result.saved,
        "problems": [{"place": p.place, "message": p.message, "figure": p.figure} for p in result.problems],
        "unit_names": [item.unit.name for item in result.sheets if item.unit],
        "sheets": [
            {
                "sheet": item.sheet.sheet,
                "unit_code": item.unit.code if item.unit else "",
                "unit_name": item.unit.name if item.unit else "",
                "current": item.current,
                "new": item.new,
                "changed": sorted(item.changed),
                "findings": [{"severity": f.severity, "message": f.message, "figure": f.figure} for f in item.findings],
            }
            for item in result.sheets
        ],
    }


def job_run(job_id) -> ImportJob:
    """Read (preview) or import every file of the job, recording progress after each file."""
    job = ImportJob.objects.select_related("campaign", "created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
    # run in a worker thread, outside the request: the audit rows name the person who started the job
    with audit_context(user=job.created_by, label="task:import"):
        choice = Unit.objects.filter(code=job.unit_code).first() if job.unit_code else None
        results = []
        try:
            for item in job.files:
                result = stats_import_file(
                    campaign=job.campaign,
                    data=staging_read(item["path"]),
                    file_name=item["name"],
                    acting_user=job.created_by,
                    empty_is_zero=job.empty_is_zero,
                    unit_choice=choice,
                    dry_run=job.kind == ImportJob.Kind.PREVIEW,
                )
                results.append(summarise(result))
                ImportJob.objects.filter(pk=job.pk).update(done=len(results), results=results)
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE)
        except Exception as exc:  # the person sees that the job failed instead of waiting forever
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, error=str(exc)[:1000])
            raise
        finally:
            if job.kind == ImportJob.Kind.IMPORT:
                staging_remove(job.staging)
    job.refresh_from_db()
    return job
