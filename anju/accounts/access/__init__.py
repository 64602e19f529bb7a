"""Who may see and do what, where: the core every app's access policy stands on.

Two questions, always asked in this order:
1. the role: does any of the user's roles carry the permission? (no: 403)
2. the region: does the object lie in the user's region subtree? (no: 404, the same answer as
   for an object that does not exist, so probing reveals nothing)

`core` holds the permissions, the role and permission checks, the view decorators, the second
step of login, the region helpers and the registry of policies; `accounts` scopes this app's own
objects (users, the audit log). Each app above defines its `<thing>s_visible_to` and
`access_<thing>` in its own `access.py` on `core` and registers them (`@policy`): callers import
them from the owning app (`from anju.households.access import access_household`).
"""

from anju.accounts.access.accounts import (
    access_audit_entry,
    access_user,
    api_user_allowed,
    audit_entries_visible_to,
    users_visible_to,
)
from anju.accounts.access.core import (
    AUTHENTICATED,
    BUSINESS_ROLES,
    PUBLIC,
    ROLE_PERMS,
    SECOND_FACTOR,
    Perm,
    access_region,
    active_region,
    has_perm,
    has_role,
    password_expired,
    perm_label,
    perms_of,
    policies,
    policy,
    public_view,
    region_visible,
    regions_visible_to,
    requested_region,
    require,
    scope_to_region,
    scope_to_unit,
    scoped,
    second_factor_missing,
    second_factor_pending,
    second_factor_view,
    staff_view,
    unit_bound,
    unit_of,
    visible_root,
)

__all__ = [
    "AUTHENTICATED",
    "BUSINESS_ROLES",
    "PUBLIC",
    "ROLE_PERMS",
    "SECOND_FACTOR",
    "Perm",
    "access_audit_entry",
    "access_region",
    "access_user",
    "active_region",
    "api_user_allowed",
    "audit_entries_visible_to",
    "has_perm",
    "has_role",
    "password_expired",
    "perm_label",
    "perms_of",
    "policies",
    "policy",
    "public_view",
    "region_visible",
    "regions_visible_to",
    "requested_region",
    "require",
    "scope_to_region",
    "scope_to_unit",
    "scoped",
    "second_factor_missing",
    "second_factor_pending",
    "second_factor_view",
    "staff_view",
    "unit_bound",
    "unit_of",
    "users_visible_to",
    "visible_root",
]


def __getattr__(name: str):
    """A policy an app registered, asked for here by code written before the policies moved to
    their apps (branches in flight). Import it from the owning app instead: tests/test_layers.py
    fails while any module of anju does this, since import-linter cannot see it."""
    found = policies().get(name)
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found
