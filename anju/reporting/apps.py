from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "anju.reporting"
    verbose_name = "月度报表"
