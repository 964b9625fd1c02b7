"""Background task of the API app: forgetting idempotency keys once no client will retry with them.

Imported by the app's ready() so that the periodic task is registered wherever Django starts.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chengxin.api.services import idempotency_keys_purge
from chengxin.core.schedule import once_per


# 03:30 Asia/Shanghai (huey reads crontab in UTC): keys older than 24 hours are deleted, by one worker.
@db_periodic_task(crontab(minute="30", hour="19"))
@once_per("api.idempotency_keys_purge", period="day")
def idempotency_keys_purge_daily() -> None:
    idempotency_keys_purge()
