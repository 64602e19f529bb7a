from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "anju.assessments"
    verbose_name = "新增对象鉴定任务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Tasks open when a department's list names a new household and close when the registry
        # records its assessment: heard from the apps below, in their transaction (anju.events).
        from anju.assessments import access, services
        from anju.crosscheck.events import reference_list_imported
        from anju.households import panels
        from anju.households.events import (
            assessment_due,
            assessments_recorded,
            household_moved,
            household_records_moved,
        )

        assessments_recorded.subscribe(services.tasks_close_assessed)
        assessment_due.subscribe(services.on_assessment_due)
        household_moved.subscribe(services.on_household_moved)
        household_records_moved.subscribe(services.on_household_records_moved)
        reference_list_imported.subscribe(services.tasks_from_list)
        panels.register(access.household_panel)  # the tasks on a household's page
