from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "anju.guide"
    verbose_name = "使用说明"
    default_auto_field = "django.db.models.BigAutoField"
