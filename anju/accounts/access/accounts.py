"""Scoping of the administrators' objects: user accounts and the audit log; whether a token's
owner may use the API."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import (
    Perm,
    has_perm,
    policy,
    require,
    scoped,
    unit_of,
    visible_root,
)
from anju.audit.models import AuditEntry
from anju.regions.models import subtree_bounds

# Users -----------------------------------------------------------------------------------


@policy
def users_visible_to(user) -> QuerySet:
    """Accounts an administrator may see: those working in their region subtree."""
    from anju.accounts.models import User

    if not (has_perm(user, Perm.VIEW_USERS)):
        return User.objects.none()
    return scoped(User.objects.all(), user)


@policy
def access_user(user, pk: int, *, write_perm: Perm | None = None):
    if write_perm is not None:
        require(user, write_perm)
    else:
        require(user, Perm.VIEW_USERS)
    target = users_visible_to(user).filter(pk=pk).first()
    if target is None:
        raise Http404("没有找到该用户。")
    return target


# Units (the directory) ----------------------------------------------------------------------


@policy
def units_visible_to(user) -> QuerySet:
    """The directory: every unit of the user's region subtree (who to call is no secret among
    the units of one campaign)."""
    from anju.accounts.models import Unit

    if not has_perm(user, Perm.VIEW_UNITS):
        return Unit.objects.none()
    return scoped(Unit.objects.all(), user)


@policy
def access_unit(user, pk: int, *, edit: bool = False):
    """A unit of the directory; to edit it, the user's own unit only (404 for any other: each
    unit keeps its own entry)."""
    require(user, Perm.EDIT_OWN_UNIT if edit else Perm.VIEW_UNITS)
    units = units_visible_to(user)
    own = unit_of(user)
    if edit and (own is None or own.pk != pk):
        raise Http404("没有找到该单位。")
    unit = units.filter(pk=pk).first()
    if unit is None:
        raise Http404("没有找到该单位。")
    return unit


# Audit -----------------------------------------------------------------------------------


@policy
def audit_entries_visible_to(user) -> QuerySet:

    if not has_perm(user, Perm.VIEW_AUDIT):
        return AuditEntry.objects.none()
    root = visible_root(user)
    if root is None:
        return AuditEntry.objects.none()
    # Entries without a region (failed logins of unknown names) are system-wide: only an
    # auditor at the province or city level (the top of the deployment) reads them.
    from django.db.models import Q

    low, high = subtree_bounds(root.code)
    in_region = Q(region_code__range=(low, high))
    if root.level <= 2:
        in_region |= Q(region_code="")
    return AuditEntry.objects.filter(in_region)


@policy
def access_audit_entry(user, pk: int):
    require(user, Perm.VIEW_AUDIT)
    entry = audit_entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404("没有找到该审计记录。")
    return entry


# API tokens ---------------------------------------------------------------------------------


def api_user_allowed(user) -> bool:
    """Whether a token's owner may use the API now: active, no temporary password pending, and
    still in a role that carries USE_API (a role change to administrator stops their tokens)."""
    return bool(user.is_active and not user.must_change_password and has_perm(user, Perm.USE_API))
