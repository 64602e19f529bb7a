from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "anju.workbench"
    verbose_name = "待办"
    default_auto_field = "django.db.models.BigAutoField"
