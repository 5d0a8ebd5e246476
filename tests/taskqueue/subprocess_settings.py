"""Settings for the worker/serve subprocesses of test_processes.py: test settings with short
leases so a killed worker's task is reclaimed within seconds."""

from zqt.config.settings.test import *  # noqa: F403

ZQT_TASK_LEASE_SECONDS = 2
ZQT_TASK_HEARTBEAT_SECONDS = 0.5
ZQT_TASK_REAP_EVERY_SECONDS = 0.5
ZQT_SCHEDULER_TICK_SECONDS = 1
