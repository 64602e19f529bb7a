from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "anju.oversight"
    verbose_name = "问题线索台账"

    def ready(self) -> None:
        from anju.oversight import annexes  # noqa: F401  (registers the Annex 1/2 sources)
