from django.apps import AppConfig


class SpotchecksConfig(AppConfig):
    name = "anju.spotchecks"
    verbose_name = "巡查抽查"

    def ready(self) -> None:
        from anju.households.events import household_records_moved
        from anju.spotchecks import services

        household_records_moved.subscribe(services.on_household_records_moved)
