"""Scoping of the assistance cadres' work: their assigned households, assignments and
observations."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.accounts.models import User
from anju.accounts.roles import Role
from anju.cadres.models import Assignment, Observation, ObservationPhoto
from anju.households.models import Household


@policy
def cadre_households_visible_to(user) -> QuerySet:
    """The households assigned to the cadre: not their region, only their assignments."""

    if not has_perm(user, Perm.CADRE_VISIT):
        return Household.objects.none()
    assigned = Assignment.objects.filter(cadre=user).values("household_id")
    # Scoped as well: an assignment left over from a move to another township shows nothing.
    return scoped(Household.objects.filter(pk__in=assigned), user)


@policy
def access_cadre_household(user, pk: int):
    """One household assigned to the cadre; 404 alike for missing, another village's and a
    neighbour's in the same village."""
    require(user, Perm.CADRE_VISIT)
    household = cadre_households_visible_to(user).filter(pk=pk).select_related("region").first()
    if household is None:
        raise Http404("没有找到该农户。")
    return household


@policy
def cadres_visible_to(user) -> QuerySet:
    """Cadre accounts working in the user's region subtree (for assigning households)."""

    if not has_perm(user, Perm.ASSIGN_CADRES):
        return User.objects.none()
    cadres = User.objects.filter(is_active=True, role_grants__role=Role.CADRE)
    return scoped(cadres, user)


@policy
def assignments_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.ASSIGN_CADRES):
        return Assignment.objects.none()
    # Not those left with a household merged away (the cadre had the kept one already).
    return scoped(Assignment.objects.filter(household__state="active"), user, "household__region")


@policy
def access_assignment(user, pk: int):
    require(user, Perm.ASSIGN_CADRES)
    found = assignments_visible_to(user).filter(pk=pk).select_related("household", "cadre").first()
    if found is None:
        raise Http404("没有找到该帮扶关系。")
    return found


@policy
def observations_visible_to(user) -> QuerySet:
    """Cadres' observations for the township side: those in the user's region subtree."""

    if not has_perm(user, Perm.HANDLE_OBSERVATIONS):
        return Observation.objects.none()
    return scoped(Observation.objects.all(), user)


@policy
def access_observation(user, pk: int):
    require(user, Perm.HANDLE_OBSERVATIONS)
    found = (
        observations_visible_to(user)
        .filter(pk=pk)
        .select_related("household__region", "cadre", "item")
        .first()
    )
    if found is None:
        raise Http404("没有找到该走访报告。")
    return found


@policy
def access_observation_photo(user, pk: int):
    """A photo of an observation in the user's region, for the township side."""

    require(user, Perm.HANDLE_OBSERVATIONS)
    found = ObservationPhoto.objects.filter(
        pk=pk, observation__in=observations_visible_to(user)
    ).first()
    if found is None:
        raise Http404("没有找到该照片。")
    return found


def household_panel(user, household) -> dict:
    """The household page's cadre observations (anju.households.panels), where the user sees
    them."""
    observations = observations_visible_to(user).filter(household=household)
    return {"observations": observations.select_related("cadre")[:20]}
