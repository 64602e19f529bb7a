from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "anju.cadres"
    verbose_name = "帮扶责任人"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anju.cadres import access, services
        from anju.households import panels
        from anju.households.events import household_records_moved

        household_records_moved.subscribe(services.on_household_records_moved)

        panels.register(access.household_panel)  # the cadres' observations on a household's page
