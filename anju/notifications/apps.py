from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "anju.notifications"
    verbose_name = "通知"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anju.notifications import events

        events.connect()
