# ruff: noqa: S608  (SQL text is built from constants and placeholders; every value is a parameter)
"""Assessment tasks: made set-based when a department's priority list is imported, closed
set-based when assessments are recorded, and put on the township's problem list when overdue.

Who gets a task (docs/assessments.md): a person current on the new list (no end date, or one
after the list's date) who was not current on the list it supersedes (same kind and region),
matched to an archive household by a member's ID or by the head's ID the list gives
(户主身份证号), whose household has no
assessment and no renovation yet (the same test as the ASSESSMENT_OVERDUE rule: a renovated house
without an assessment is NO_ASSESSMENT's finding) and no open task already.
"""

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from anju.accounts.access import Perm, region_visible, require
from anju.assessments.models import AssessmentTask, TaskReason
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.choices import PRIORITY_KINDS
from anju.crosscheck.models import ReferenceRecord
from anju.crosscheck.rules import day
from anju.households.merges import move_records
from anju.households.models import Household
from anju.oversight.services import item_create
from anju.regions.models import Level, Region, subtree_bounds
from anju.sealed import Sealer
from anju.tabular.inserts import insert_rows


def add_month(day: date, months: int = 1) -> date:
    """The same day `months` calendar months later; a day the month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February; 31 March + 1 month = 30 April)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def township_of(code: str) -> str:
    return code[:9] + "000"


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A household whose house needs an assessment: none recorded, not renovated, no open task.
_UNASSESSED = """
    NOT EXISTS (SELECT 1 FROM households_assessment a
                JOIN households_house o ON o.id = a.house_id WHERE o.household_id = h.id)
    AND NOT EXISTS (SELECT 1 FROM households_renovation v WHERE v.household_id = h.id)
    AND NOT EXISTS (SELECT 1 FROM assessments_assessmenttask t
                    WHERE t.household_id = h.id AND t.done_on IS NULL)"""


def _newcomers(reference, previous: list[int]) -> dict[int, tuple]:
    """household id -> (region, id number, name, reason), from two set-based queries."""
    lo, hi = subtree_bounds(reference.region_id)
    on = reference.as_of
    prior = ", ".join(["%s"] * len(previous)) or "NULL"
    # Current on an earlier list of the same kind and region: not new.
    known = f"""EXISTS (SELECT 1 FROM crosscheck_referencerecord q
        WHERE q.id_number_digest = {{col}} AND q.reference_id IN ({prior})
          AND (q."end" IS NULL OR q."end" > %s))"""
    current = 'r.reference_id = %s AND (r."end" IS NULL OR r."end" > %s)'
    found: dict[int, tuple] = {}
    # 1. The person on the list is a member (or the head) of an archive household.
    # A pending household (待建档: made from this or an earlier list for a person the archive
    # did not hold) gets its task even if the person was on the list it supersedes.
    rows = _query(
        f"""SELECT h.id, h.region_id, MIN(r.id), MAX(CASE WHEN h.pending THEN 1 ELSE 0 END)
            FROM crosscheck_referencerecord r
            JOIN households_person p ON p.id_number_digest = r.id_number_digest
            JOIN households_household h ON h.id = p.household_id
            WHERE {current} AND r.id_number_digest <> '' AND h.region_id BETWEEN %s AND %s
              AND (h.pending OR NOT {known.format(col="r.id_number_digest")}) AND {_UNASSESSED}
            GROUP BY h.id, h.region_id""",
        [reference.pk, on, lo, hi, *previous, on],
    )
    for hid, region, record, pending in rows:
        reason = TaskReason.NEW_HOUSEHOLD if pending else TaskReason.NEW_PERSON
        found[hid] = (region, record, reason)
    # 2. The list names a member by the household's head (户主身份证号) and the household had
    #    no one current on the earlier list: newly in the category. (A head on the list as
    #    themselves is a member, found above: every archive household has its head as a Person.)
    rows = _query(
        f"""SELECT h.id, h.region_id, MIN(r.id)
            FROM crosscheck_referencerecord r
            JOIN households_household h ON h.head_id_digest = r.head_id_digest
            WHERE {current} AND r.head_id_digest <> '' AND h.region_id BETWEEN %s AND %s
              AND NOT EXISTS (SELECT 1 FROM crosscheck_referencerecord q
                  JOIN households_person m ON m.id_number_digest = q.id_number_digest
                  WHERE m.household_id = h.id AND q.reference_id IN ({prior})
                    AND (q."end" IS NULL OR q."end" > %s))
              AND NOT {known.format(col="h.head_id_digest")} AND {_UNASSESSED}
            GROUP BY h.id, h.region_id""",
        [reference.pk, on, lo, hi, *previous, on, *previous, on],
    )
    for hid, region, record in rows:
        found.setdefault(hid, (region, record, TaskReason.NEW_CATEGORY))
    # The person of each task: the records found, opened (decrypted) only now, a few at a time.

    people = dict(
        (pk, (number, name))
        for pk, number, name in ReferenceRecord.objects.filter(
            pk__in=[record for _, record, _ in found.values()]
        )
        .values_list("pk", "id_number", "name")
        .iterator(chunk_size=5000)
    )
    return {
        hid: (region, *people[record], reason) for hid, (region, record, reason) in found.items()
    }


def tasks_from_list(*, actor, reference, previous: list[int]) -> int:
    """Open a task for every household new to `reference` (compared with the `previous` lists
    it supersedes) whose house has no assessment. Called by the list import, in its transaction.
    Bulk insert, so audited here: one entry naming the list and the count per township."""
    if reference.kind not in PRIORITY_KINDS:
        return 0
    found = _newcomers(reference, previous)
    if not found:
        return 0
    received = reference.received_on
    due = add_month(received)
    numbers = Sealer(AssessmentTask, "id_number")
    with transaction.atomic():
        count = insert_rows(
            AssessmentTask,
            [
                "household_id",
                "region_id",
                "reference_id",
                "kind",
                "reason",
                *numbers.columns,
                "name",
                "received_on",
                "due_on",
            ],
            (
                (
                    hid,
                    township_of(region),
                    reference.pk,
                    reference.kind,
                    reason,
                    *numbers(number),
                    name[:50],
                    received,
                    due,
                )
                for hid, (region, number, name, reason) in sorted(found.items())
            ),
        )
        towns: dict[str, int] = {}
        for region, *_ in found.values():
            towns[township_of(region)] = towns.get(township_of(region), 0) + 1
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=reference,
            region_code=reference.region_id,
            note=f"名单生成鉴定任务 {count} 条，应于{due.isoformat()}前完成鉴定",
            after={"tasks": count, "due_on": str(due), "townships": towns},
        )
    return count


def on_assessment_due(*, actor, household_id: int, reason: str, kind: str):
    """anju.households.events.assessment_due: a task for that household."""

    return task_open(
        actor=actor, household=Household.objects.get(pk=household_id), reason=reason, kind=kind
    )


def on_household_moved(*, household_id: int, region: str) -> int:
    """anju.households.events.household_moved: its open tasks follow it."""
    return AssessmentTask.objects.filter(household_id=household_id, done_on__isnull=True).update(
        region_id=township_of(region)
    )


def task_open(*, actor, household, reason: str, kind: str = "") -> AssessmentTask | None:
    """A task for one household entered by hand (乡镇新建档) or newly put in a priority category
    by an approved change request: due one calendar month from today. None when its house is
    already assessed or renovated, or a task is open (the same test as a list's newcomers)."""
    found = _query(
        f"SELECT 1 FROM households_household h WHERE h.id = %s AND {_UNASSESSED}", [household.pk]
    )
    if not found:
        return None
    today = timezone.localdate()
    with transaction.atomic():
        task = AssessmentTask.objects.create(
            household=household,
            region_id=township_of(household.region_id),
            reference=None,
            kind=kind,
            reason=reason,
            id_number=household.head_id,
            name=household.head_name[:50],
            received_on=today,
            due_on=add_month(today),
        )
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=task,
            region_code=household.region_id,
            note=f"{task.get_reason_display()}，应于{task.due_on.isoformat()}前完成鉴定",
            after={"household": household.pk, "reason": reason, "due_on": str(task.due_on)},
        )
    return task


def tasks_close_assessed(*, actor, household_ids: list[int] | None = None) -> int:
    """Close the open tasks whose household now has an assessment: set-based, one query to find
    them and one bulk update, audited as one entry. `household_ids` narrows the search (a single
    assessment recorded in the UI); None looks at every open task (after a household import)."""
    narrow = ""
    params: list = []
    if household_ids is not None:
        if not household_ids:
            return 0
        narrow = f"AND t.household_id IN ({', '.join(['%s'] * len(household_ids))})"
        params = list(household_ids)
    rows = _query(
        f"""SELECT t.id, MAX(a.id), MAX(a.assessed_on)
            FROM assessments_assessmenttask t
            JOIN households_house o ON o.household_id = t.household_id
            JOIN households_assessment a ON a.house_id = o.id
            WHERE t.done_on IS NULL {narrow}
            GROUP BY t.id""",
        params,
    )
    if not rows:
        return 0
    today = timezone.localdate()
    tasks = []
    for pk, assessment_id, assessed_on in rows:
        if isinstance(assessed_on, str):
            assessed_on = date.fromisoformat(assessed_on[:10])
        tasks.append(
            AssessmentTask(
                pk=pk, assessment_id=assessment_id, done_on=min(assessed_on or today, today)
            )
        )
    with transaction.atomic():
        AssessmentTask.objects.bulk_update(tasks, ["assessment", "done_on"], batch_size=2000)
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj="assessments.assessmenttask",
            region_code="",
            note=f"鉴定已录入，关闭鉴定任务 {len(tasks)} 条",
            after={"closed": [t.pk for t in tasks][:1000]},
        )
    return len(tasks)


def tasks_escalate(*, actor, region: Region, owner: str = "") -> int:
    """Put the township's overdue, not yet listed tasks on its problem list (一乡镇一清单), one
    item each, audited by the item service; returns how many."""

    require(actor, Perm.MANAGE_TASKS)
    require(actor, Perm.MANAGE_ITEMS)
    if region.level != Level.TOWNSHIP or not region_visible(actor, region.code):
        raise ValidationError("请选择本人所辖的乡镇（街道）。")
    today = timezone.localdate()
    overdue = (
        AssessmentTask.objects.filter(
            region=region, done_on__isnull=True, due_on__lt=today, item__isnull=True
        )
        .select_related("household__region", "reference")
        .order_by("due_on", "pk")
    )
    count = 0
    with transaction.atomic():
        for task in overdue:
            item = item_create(
                actor=actor,
                region=region,
                source="assessment",
                description=f"{task.household.region.name}{task.household.head_name}户列入"
                f"{PRIORITY_KINDS.get(task.kind, task.kind)}名单（{day(task.received_on)}收到），"
                f"应于{day(task.due_on)}前完成房屋危险性鉴定，已逾期",
                owner=owner or actor.full_name or actor.get_username(),
                deadline=today + timedelta(days=15),
                measure="尽快组织房屋危险性鉴定",
            )
            task.item = item
            task.save(update_fields=["item"])
            count += 1
    return count


def on_household_records_moved(*, actor, source_id: int, target_id: int, only) -> dict:
    """A household merged (or a merge undone): its tasks follow it, except an open one when the
    household kept has one open already (one open task per household)."""
    tasks = AssessmentTask.objects.all()
    if (
        only is None
        and AssessmentTask.objects.filter(household_id=target_id, done_on__isnull=True).exists()
    ):
        tasks = tasks.filter(done_on__isnull=False)
    return move_records(
        actor=actor,
        kinds={"assessments.tasks": tasks},
        source_id=source_id,
        target_id=target_id,
        only=only,
        note="合并重复户：鉴定任务随户移动",
    )
