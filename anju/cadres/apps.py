from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "anju.cadres"
    verbose_name = "帮扶责任人"
    default_auto_field = "django.db.models.BigAutoField"
