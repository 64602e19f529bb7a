from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "anju.households"
    verbose_name = "农户档案"

    def ready(self) -> None:
        from anju.households import progress  # noqa: F401  (registers the progress report)
