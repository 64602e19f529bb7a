"""Scoping of the work done in the field: assessment tasks, assistance cadres (their
assigned households, assignments, observations), spot checks and campaigns."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, require, scoped, visible_root
from anju.accounts.roles import Role
from anju.regions.models import subtree_bounds

# Assessment tasks -----------------------------------------------------------------------------


def tasks_visible_to(user) -> QuerySet:
    """Assessment tasks of the townships in the user's region subtree."""
    from anju.assessments.models import AssessmentTask

    if not has_perm(user, Perm.VIEW_TASKS):
        return AssessmentTask.objects.none()
    return scoped(AssessmentTask.objects.all(), user)


# Assistance cadres ----------------------------------------------------------------------------


def cadre_households_visible_to(user) -> QuerySet:
    """The households assigned to the cadre: not their region, only their assignments."""
    from anju.cadres.models import Assignment
    from anju.households.models import Household

    if not has_perm(user, Perm.CADRE_VISIT):
        return Household.objects.none()
    assigned = Assignment.objects.filter(cadre=user).values("household_id")
    # Scoped as well: an assignment left over from a move to another township shows nothing.
    return scoped(Household.objects.filter(pk__in=assigned), user)


def access_cadre_household(user, pk: int):
    """One household assigned to the cadre; 404 alike for missing, another village's and a
    neighbour's in the same village."""
    require(user, Perm.CADRE_VISIT)
    household = cadre_households_visible_to(user).filter(pk=pk).select_related("region").first()
    if household is None:
        raise Http404("没有找到该农户。")
    return household


def cadres_visible_to(user) -> QuerySet:
    """Cadre accounts working in the user's region subtree (for assigning households)."""
    from anju.accounts.models import User

    if not has_perm(user, Perm.ASSIGN_CADRES):
        return User.objects.none()
    cadres = User.objects.filter(is_active=True, role_grants__role=Role.CADRE)
    return scoped(cadres, user)


def assignments_visible_to(user) -> QuerySet:
    from anju.cadres.models import Assignment

    if not has_perm(user, Perm.ASSIGN_CADRES):
        return Assignment.objects.none()
    return scoped(Assignment.objects.all(), user, "household__region")


def access_assignment(user, pk: int):
    require(user, Perm.ASSIGN_CADRES)
    found = assignments_visible_to(user).filter(pk=pk).select_related("household", "cadre").first()
    if found is None:
        raise Http404("没有找到该帮扶关系。")
    return found


def observations_visible_to(user) -> QuerySet:
    """Cadres' observations for the township side: those in the user's region subtree."""
    from anju.cadres.models import Observation

    if not has_perm(user, Perm.HANDLE_OBSERVATIONS):
        return Observation.objects.none()
    return scoped(Observation.objects.all(), user)


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


def access_observation_photo(user, pk: int):
    """A photo of an observation in the user's region, for the township side."""
    from anju.cadres.models import ObservationPhoto

    require(user, Perm.HANDLE_OBSERVATIONS)
    found = ObservationPhoto.objects.filter(
        pk=pk, observation__in=observations_visible_to(user)
    ).first()
    if found is None:
        raise Http404("没有找到该照片。")
    return found


# Spot checks -------------------------------------------------------------------------------


def spot_check_plans_visible_to(user) -> QuerySet:
    """Plans over the user's region subtree, and plans the user inspects for."""
    from django.db.models import Q

    from anju.spotchecks.models import SpotCheckPlan

    root = visible_root(user)
    if root is None or not has_perm(user, Perm.VIEW_SPOT_CHECKS):
        return SpotCheckPlan.objects.none()
    within = Q(region__code__range=subtree_bounds(root.code))
    return SpotCheckPlan.objects.filter(within | Q(inspectors=user)).distinct()


def access_spot_check_plan(user, pk: int, *, perm: Perm = Perm.VIEW_SPOT_CHECKS):
    require(user, perm)
    plan = spot_check_plans_visible_to(user).filter(pk=pk).select_related("region").first()
    if plan is None:
        raise Http404("没有找到该抽查。")
    return plan


def sampled_houses_visible_to(user) -> QuerySet:
    """Sampled houses whose household lies in the user's region (a township sees the houses a
    county or city drew there, to follow up what failed)."""
    from anju.spotchecks.models import SampledHouse

    if not has_perm(user, Perm.VIEW_SPOT_CHECKS):
        return SampledHouse.objects.none()
    return scoped(SampledHouse.objects.all(), user, "household__region")


def access_sampled_house(user, pk: int, *, perm: Perm = Perm.VIEW_SPOT_CHECKS):
    require(user, perm)
    house = (
        sampled_houses_visible_to(user)
        .filter(pk=pk)
        .select_related("plan", "household__region", "township", "inspector")
        .first()
    )
    if house is None:
        raise Http404("没有找到该抽查农户。")
    return house


def access_check_photo(user, pk: int):
    from anju.spotchecks.models import CheckPhoto

    require(user, Perm.VIEW_SPOT_CHECKS)
    photo = CheckPhoto.objects.filter(pk=pk, house__in=sampled_houses_visible_to(user)).first()
    if photo is None:
        raise Http404("没有找到该照片。")
    return photo


def check_results_visible_to(user) -> QuerySet:
    from anju.spotchecks.models import CheckResult

    return CheckResult.objects.filter(house__in=sampled_houses_visible_to(user))


def access_check_result(user, pk: int):
    """A failed item to follow up: any role that inspects, in the household's region."""
    require(user, Perm.INSPECT)
    result = check_results_visible_to(user).filter(pk=pk).select_related("house").first()
    if result is None:
        raise Http404("没有找到该检查结果。")
    return result


# Campaigns ---------------------------------------------------------------------------------


def campaigns_visible_to(user) -> QuerySet:
    from anju.campaigns.models import Campaign

    if not has_perm(user, Perm.VIEW_CAMPAIGNS):
        return Campaign.objects.none()
    return scoped(Campaign.objects.all(), user)


def access_campaign(user, pk: int, *, perm: Perm = Perm.VIEW_CAMPAIGNS):
    require(user, perm)
    campaign = campaigns_visible_to(user).filter(pk=pk).select_related("region").first()
    if campaign is None:
        raise Http404("没有找到该专项整治。")
    return campaign
