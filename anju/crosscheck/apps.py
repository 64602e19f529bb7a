from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "anju.crosscheck"
    verbose_name = "数据比对"
    default_auto_field = "django.db.models.BigAutoField"
