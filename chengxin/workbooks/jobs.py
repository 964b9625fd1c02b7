"""Imports run as background tasks (huey): the request stages the files and queues a job; the page shows the
job's progress until its results are there. Each file stays all-or-nothing (services.stats_import_file)."""

import shutil
import time
from pathlib import Path

from django.conf import settings
from huey.contrib.djhuey import db_task

from chengxin.audit.context import audit_context
from chengxin.units.models import Unit
from chengxin.workbooks.models import ImportJob
from chengxin.workbooks.services import FileResult, stats_import_file


def staging_dir(staging: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / staging


def staging_sweep(max_age_hours: int = 24) -> int:
    """Remove staged uploads older than `max_age_hours` (previews nobody confirmed); returns how many."""
    root = Path(settings.MEDIA_ROOT) / "imports"
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age_hours * 3600
    old = [d for d in root.iterdir() if d.is_dir() and d.stat().st_mtime < cutoff]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return len(old)


def summarise(result: FileResult) -> dict:
    """What the preview and result pages show of one file, as JSON."""
    return {
        "file_name": result.file_name,
        "ok": result.ok,
        "saved": result.saved,
        "problems": [{"place": p.place, "message": p.message} for p in result.problems],
        "unit_names": [item.unit.name for item in result.sheets if item.unit],
        "sheets": [
            {
                "sheet": item.sheet.sheet,
                "unit_code": item.unit.code if item.unit else "",
                "unit_name": item.unit.name if item.unit else "",
                "current": item.current,
                "new": item.new,
                "changed": sorted(item.changed),
                "findings": [{"severity": f.severity, "message": f.message} for f in item.findings],
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
        folder = staging_dir(job.staging)
        results = []
        try:
            for item in job.files:
                result = stats_import_file(
                    campaign=job.campaign,
                    data=(folder / item["path"]).read_bytes(),
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
                shutil.rmtree(folder, ignore_errors=True)
    job.refresh_from_db()
    return job


@db_task()  # djhuey's db_task closes stale connections around the task in a worker thread
def job_task(job_id: str) -> None:
    job_run(job_id)
