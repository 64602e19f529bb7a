"""What the cross-check announces (anju.events): the apps above subscribe in their ready()."""

from anju.events import Event

reference_list_imported = Event(
    "reference_list_imported",
    ("actor", "reference", "previous"),
    """A department's list (`reference`, a ReferenceList) was imported in the caller's
    transaction, superseding the lists whose ids are `previous`. Heard by the assessment tasks,
    which open a task for each household new to a priority list and answer how many they
    opened (the import's audit entry records the sum).""",
)
