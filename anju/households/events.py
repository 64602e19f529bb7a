"""What the registry announces (anju.events): the apps above subscribe in their ready().

Each is announced inside the writing service's transaction, after its audit entry."""

from anju.events import Event

registry_changed = Event(
    "registry_changed",
    ("regions",),
    """A counted record (household, house, assessment, renovation, payment, plate, visit,
    change) was written under these region codes. Heard by the overview, which recounts them.""",
)

archive_imported = Event(
    "archive_imported",
    ("regions", "new_households"),
    """The archive import wrote in bulk, past the services: `regions` are where households
    already on record were and are now (recount them); `new_households` yields, once, the new
    households' (region, structure, assessment dates, renovations) to add. Heard by the
    overview.""",
)

assessments_recorded = Event(
    "assessments_recorded",
    ("actor", "household_ids"),
    """Assessments were written for these households (None: by the archive import, for any).
    Heard by the assessment tasks, which close the tasks they answer.""",
)

visit_findings_recorded = Event(
    "visit_findings_recorded",
    ("actor", "township", "description", "owner", "deadline"),
    """A follow-up visit found problems: `township` is the region code the problem lies in,
    `description` names the household and the findings. Heard by the ledger, which opens a
    problem-list item (source "visit").""",
)

assessment_due = Event(
    "assessment_due",
    ("actor", "household_id", "reason", "kind"),
    """A household is to be assessed within a month though no department's list named it: entered
    by hand in a category (`reason` "entered") or newly in a category by an approved change
    request ("new_category", `kind` the category). Heard by the assessment tasks, which open
    one unless the house is assessed or renovated or a task is open.""",
)

household_moved = Event(
    "household_moved",
    ("household_id", "region"),
    """A household now lies in region `region` (a pending household placed by the county, or
    completed in another village). Heard by the assessment tasks, whose open tasks follow it to
    that township's list.""",
)

household_records_moved = Event(
    "household_records_moved",
    ("actor", "source_id", "target_id", "only"),
    """Records move from household `source_id` to `target_id`: every one that can (`only` None,
    a merge of a household entered twice), or just those named ({kind: [ids]}, a merge undone:
    back to the household merged away). Heard by the apps above that keep records of a
    household (assessment tasks, cadres' assignments and observations, findings, sampled
    houses); each moves its own with anju.households.merges.move_records and answers what it
    moved, {kind: [ids]}.""",
)
