from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "anju.assessments"
    verbose_name = "新增对象鉴定任务"
    default_auto_field = "django.db.models.BigAutoField"
