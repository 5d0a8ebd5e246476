from django.apps import AppConfig


class TaskqueueConfig(AppConfig):
    name = "zqt.taskqueue"
    label = "taskqueue"
    verbose_name = "后台任务"
