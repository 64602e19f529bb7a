from django.apps import AppConfig


class SpotchecksConfig(AppConfig):
    name = "anju.spotchecks"
    verbose_name = "巡查抽查"
