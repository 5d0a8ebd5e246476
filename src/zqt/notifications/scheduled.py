from __future__ import annotations

import datetime as dt

from zqt.notifications.tasks import notification_requeue_overdue_task
from zqt.taskqueue.scheduling import PeriodicJob

JOBS = [
    PeriodicJob(
        name="notifications.requeue_overdue",
        task=notification_requeue_overdue_task,
        every=dt.timedelta(minutes=15),
    )
]
