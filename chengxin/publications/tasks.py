"""Background tasks of the publications (huey). In a module named tasks.py so that the task worker (`chengxin
run_huey`, which imports every app's tasks module) knows them without loading the URLconf."""

from huey.contrib.djhuey import db_task

from chengxin.publications.services import document_job_run


@db_task()  # djhuey's db_task closes stale connections around the task in a worker thread
def document_task(job_id: str) -> None:
    document_job_run(job_id)
