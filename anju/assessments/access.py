"""Scoping of the assessment tasks."""

from django.db.models import QuerySet
from django.utils import timezone

from anju.accounts.access.core import Perm, has_perm, policy, scoped
from anju.assessments.models import AssessmentTask
from anju.assessments.queries import with_status


@policy
def tasks_visible_to(user) -> QuerySet:
    """Assessment tasks of the townships in the user's region subtree."""

    if not has_perm(user, Perm.VIEW_TASKS):
        return AssessmentTask.objects.none()
    # Not those of a household merged away or withdrawn (anju.households.merges).
    return scoped(AssessmentTask.objects.filter(household__state="active"), user)


def household_panel(user, household) -> dict:
    """The household page's assessment tasks (anju.households.panels), where the user sees
    them."""
    tasks = with_status(tasks_visible_to(user).filter(household=household), timezone.localdate())
    return {"assessment_tasks": tasks.select_related("reference")[:20]}
