"""Background tasks of the search (huey): reading a file's text after its upload is committed. In a module named
tasks.py so that the task worker (`chengxin run_huey`) finds it."""

from huey.contrib.djhuey import db_task

from chengxin.textsearch.services import document_extract


@db_task()
def extract_task(document_id: int) -> None:
    document_extract(document_id)
