"""Reads of assessment tasks: their derived status and the counts a township watches."""

from datetime import date

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from anju.assessments.models import TaskStatus


def with_status(tasks: QuerySet, today: date) -> QuerySet:
    """Tasks annotated with `status` (done / overdue / open) as of `today`."""
    return tasks.annotate(
        status=Case(
            When(done_on__isnull=False, then=Value(TaskStatus.DONE.value)),
            When(due_on__lt=today, then=Value(TaskStatus.OVERDUE.value)),
            default=Value(TaskStatus.OPEN.value),
            output_field=CharField(),
        )
    )


def by_status(tasks: QuerySet, status: str, today: date) -> QuerySet:
    if status == TaskStatus.DONE:
        return tasks.filter(done_on__isnull=False)
    if status == TaskStatus.OVERDUE:
        return tasks.filter(done_on__isnull=True, due_on__lt=today)
    if status == TaskStatus.OPEN:  # still to do: in time or overdue
        return tasks.filter(done_on__isnull=True)
    return tasks


def counts(tasks: QuerySet, today: date) -> dict[str, int]:
    """Open (all not done) and overdue counts, in one query."""
    return tasks.aggregate(
        open=Count("pk", filter=Q(done_on__isnull=True)),
        overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)),
    )
