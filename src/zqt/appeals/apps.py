from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "zqt.appeals"
    label = "appeals"
    verbose_name = "企业诉求"

    def ready(self) -> None:
        from zqt.appeals import classifier

        # A gunicorn worker imports the WSGI app (and so runs this) before it accepts
        # connections: load the routing model here, not on the first intake request.
        if classifier.serving_process():
            classifier.warm()
