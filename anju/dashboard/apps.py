from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "anju.dashboard"
    verbose_name = "总览"

    def ready(self) -> None:
        # The overview keeps its tally equal to the registry by hearing what the registry
        # announces, in the registry's transaction (anju.events).
        from anju.dashboard import tally
        from anju.households.events import archive_imported, registry_changed

        registry_changed.subscribe(tally.on_registry_changed)
        archive_imported.subscribe(tally.on_archive_imported)
