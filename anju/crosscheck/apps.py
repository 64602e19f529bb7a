from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "anju.crosscheck"
    verbose_name = "数据比对"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anju.crosscheck import access, triage
        from anju.households import panels
        from anju.households.events import household_records_moved

        household_records_moved.subscribe(triage.on_household_records_moved)

        panels.register(access.household_panel)  # the findings on a household's page
