"""Background tasks of the workbooks app (huey). In a module named tasks.py so that the task worker
(`chengxin run_huey`, which imports every app's tasks module) knows them without loading the URLconf."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from chengxin.core.schedule import once_per
from chengxin.workbooks.jobs import job_run, staging_sweep


@db_task()  # djhuey's db_task closes stale connections around the task in a worker thread
def job_task(job_id: str) -> None:
    job_run(job_id)


# Every hour at minute 17, by one worker however many run (chengxin.core.schedule): uploads nobody confirmed.
@db_periodic_task(crontab(minute="17"))
@once_per("workbooks.staging_sweep", period="hour")
def staging_sweep_hourly() -> None:
    staging_sweep()
