from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "anju.oversight"
    verbose_name = "问题线索台账"

    def ready(self) -> None:
        # Registers the Annex 1/2 sources and the monthly progress report (it counts the
        # registry's assessments, plates and visits beside the ledger's problems, so it lives
        # here, above both).
        # A follow-up visit's findings open a problem-list item, in the visit's transaction.
        from anju.households.events import visit_findings_recorded
        from anju.oversight import annexes, progress  # noqa: F401
        from anju.oversight.services import items

        visit_findings_recorded.subscribe(items.item_from_visit)
