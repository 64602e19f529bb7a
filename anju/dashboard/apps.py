from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "anju.dashboard"
    verbose_name = "总览"
