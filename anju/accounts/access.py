"""Who may see and do what, where. Every view, export and API goes through this module.

Two questions, always asked in this order:
1. the role: does any of the user's roles carry the permission? (no: 403)
2. the region: does the object lie in the user's region subtree? (no: 404, the same answer as
   for an object that does not exist, so probing reveals nothing)
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.roles import ADMIN_ROLES, Role
from anju.regions.models import Region, is_within, subtree_bounds


class Perm(StrEnum):
    VIEW_REGIONS = "regions.view"
    VIEW_USERS = "accounts.view"
    MANAGE_USERS = "accounts.manage"
    ASSIGN_ROLES = "accounts.assign_roles"
    RESET_SECOND_FACTOR = "accounts.reset_second_factor"
    VIEW_AUDIT = "audit.view"
    VIEW_CONTACTS = "reporting.view_contacts"
    EDIT_CONTACTS = "reporting.edit_contacts"
    VIEW_REPORTS = "reporting.view"
    PREPARE_REPORTS = "reporting.prepare"
    SIGN_OFF_REPORTS = "reporting.sign_off"
    RETURN_REPORTS = "reporting.return"
    VIEW_CLUES = "oversight.view"
    REGISTER_CLUES = "oversight.register"
    HANDLE_CLUES = "oversight.handle"
    APPROVE_CLOSE = "oversight.approve_close"
    SUPERVISE = "oversight.supervise"
    RECORD_ACCOUNTABILITY = "oversight.accountability"
    MANAGE_ITEMS = "oversight.items"
    VIEW_HOUSEHOLDS = "households.view"
    EDIT_HOUSEHOLDS = "households.edit"
    UNMASK = "households.unmask"
    APPROVE_CHANGES = "households.approve_changes"
    VIEW_FINDINGS = "crosscheck.view"
    RUN_CROSSCHECK = "crosscheck.run"
    TRIAGE_FINDINGS = "crosscheck.triage"
    UPLOAD_REFERENCES = "crosscheck.upload"
    VIEW_REPORTERS = "portal.view_reporters"
    EDIT_PORTAL = "portal.edit_pages"
    VIEW_DASHBOARD = "dashboard.view"
    # Assessment tasks of new poor households (seed 003, 信息共享机制).
    VIEW_TASKS = "assessments.view"
    MANAGE_TASKS = "assessments.manage"
    # Assistance cadres (seed 003, 动态监测机制): the cadre's own visits; the township's answer.
    CADRE_VISIT = "cadres.visit"
    ASSIGN_CADRES = "cadres.assign"
    HANDLE_OBSERVATIONS = "cadres.handle"
    VIEW_SPOT_CHECKS = "spotchecks.view"
    PLAN_SPOT_CHECKS = "spotchecks.plan"
    INSPECT = "spotchecks.inspect"
    VIEW_CAMPAIGNS = "campaigns.view"
    MANAGE_CAMPAIGNS = "campaigns.manage"
    # Hold personal API tokens (/tokens/) and call /api/v1/ with them: business roles only, so
    # the three administrators get no business data through the API either.
    USE_API = "api.use"


BUSINESS_ROLES = frozenset(Role) - ADMIN_ROLES

_ARCHIVE_WORK = {Perm.VIEW_HOUSEHOLDS, Perm.EDIT_HOUSEHOLDS, Perm.UNMASK}
_CLUE_WORK = {Perm.VIEW_CLUES, Perm.REGISTER_CLUES, Perm.HANDLE_CLUES}
_CROSSCHECK = {
    Perm.VIEW_FINDINGS,
    Perm.RUN_CROSSCHECK,
    Perm.TRIAGE_FINDINGS,
    Perm.UPLOAD_REFERENCES,
}
# Spot checks at every level (seed 000 巡查抽查; seed 003 随机开展督导、抽查核实).
_SPOT_CHECKS = {Perm.VIEW_SPOT_CHECKS, Perm.PLAN_SPOT_CHECKS, Perm.INSPECT, Perm.VIEW_CAMPAIGNS}
_REPORTING = {Perm.VIEW_CONTACTS, Perm.EDIT_CONTACTS, Perm.VIEW_REPORTS, Perm.PREPARE_REPORTS}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    **{role: frozenset({Perm.VIEW_REGIONS, Perm.USE_API}) for role in BUSINESS_ROLES},
    Role.TOWNSHIP_CLERK: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            Perm.VIEW_CLUES,
            Perm.REGISTER_CLUES,
            Perm.MANAGE_ITEMS,
            *_ARCHIVE_WORK,
            Perm.VIEW_FINDINGS,
            Perm.VIEW_TASKS,
            Perm.MANAGE_TASKS,
            Perm.ASSIGN_CADRES,
            Perm.HANDLE_OBSERVATIONS,
            *_SPOT_CHECKS,
        }
    ),
    Role.COUNTY_CLERK: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            *_CLUE_WORK,
            *_REPORTING,
            Perm.RECORD_ACCOUNTABILITY,
            Perm.MANAGE_ITEMS,
            *_ARCHIVE_WORK,
            *_CROSSCHECK,
            Perm.VIEW_TASKS,
            Perm.MANAGE_TASKS,
            *_SPOT_CHECKS,
            Perm.MANAGE_CAMPAIGNS,
        }
    ),
    Role.COUNTY_REVIEWER: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            *_CLUE_WORK,
            *_REPORTING,
            Perm.SIGN_OFF_REPORTS,
            Perm.APPROVE_CLOSE,
            Perm.RECORD_ACCOUNTABILITY,
            Perm.MANAGE_ITEMS,
            Perm.VIEW_HOUSEHOLDS,
            Perm.UNMASK,
            Perm.APPROVE_CHANGES,
            *_CROSSCHECK,
            Perm.VIEW_TASKS,
            *_SPOT_CHECKS,
        }
    ),
    Role.CITY_OFFICE: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            Perm.VIEW_CONTACTS,
            Perm.VIEW_REPORTS,
            Perm.RETURN_REPORTS,
            Perm.VIEW_CLUES,
            Perm.REGISTER_CLUES,
            Perm.SUPERVISE,
            Perm.VIEW_HOUSEHOLDS,
            Perm.VIEW_FINDINGS,
            Perm.RUN_CROSSCHECK,
            Perm.EDIT_PORTAL,
            Perm.VIEW_TASKS,
            *_SPOT_CHECKS,
            Perm.MANAGE_CAMPAIGNS,
        }
    ),
    Role.DISCIPLINE: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            *_CLUE_WORK,
            Perm.RECORD_ACCOUNTABILITY,
            Perm.VIEW_HOUSEHOLDS,
            Perm.UNMASK,
            Perm.VIEW_FINDINGS,
            Perm.RUN_CROSSCHECK,
            Perm.TRIAGE_FINDINGS,
            # Who reported a problem on the portal: discipline inspection only (audited).
            Perm.VIEW_REPORTERS,
            Perm.VIEW_SPOT_CHECKS,
            Perm.VIEW_CAMPAIGNS,
        }
    ),
    # 部门数据员: brings their department's lists, and sees what they brought.
    # 帮扶责任人: their assigned households only (cadre_households_visible_to), never the
    # region's archive, and no unmasking.
    Role.CADRE: frozenset({Perm.CADRE_VISIT}),
    Role.DATA_PROVIDER: frozenset({Perm.VIEW_REGIONS, Perm.UPLOAD_REFERENCES, Perm.USE_API}),
    # The system administrator keeps accounts running; sees no business data.
    Role.SYSTEM_ADMIN: frozenset({Perm.VIEW_USERS, Perm.MANAGE_USERS}),
    # The security administrator grants roles and regions, lifts lockouts, and resets a lost
    # second factor.
    Role.SECURITY_ADMIN: frozenset({Perm.VIEW_USERS, Perm.ASSIGN_ROLES, Perm.RESET_SECOND_FACTOR}),
    # The audit administrator reads the audit log, and only that.
    Role.AUDIT_ADMIN: frozenset({Perm.VIEW_AUDIT}),
}

PUBLIC = "public"
AUTHENTICATED = "authenticated"
# The second step of login (the code page, enrolment): a session that has passed the password
# but not yet the second factor may open these, and nothing else behind the login.
SECOND_FACTOR = "second_factor"


def perms_of(user) -> frozenset[Perm]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    granted: set[Perm] = set()
    for role in user.roles:
        granted |= ROLE_PERMS.get(role, frozenset())
    return frozenset(granted)


def has_perm(user, perm: Perm) -> bool:
    return perm in perms_of(user)


def has_role(user, *roles: str) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & set(roles))


def require(user, perm: Perm) -> None:
    """Raise 403 (and audit the refusal) unless the user holds `perm`."""
    if has_perm(user, perm):
        return
    from anju.audit.models import Action
    from anju.audit.services import audit

    audit(actor=user, action=Action.DENIED, obj=str(perm), result="refused")
    raise PermissionDenied("您的角色无权进行此操作。")


def staff_view(perm: Perm | None = None):
    """Decorate a view: login required, and `perm` when given. Marks the view for the URL walk."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if perm is not None:
                require(request.user, perm)
            return view(request, *args, **kwargs)

        wrapped.access_policy = perm or AUTHENTICATED
        return wrapped

    return decorate


def public_view(view):
    """Mark a view as open to everyone (login page, health check, the public portal)."""
    view.access_policy = PUBLIC
    return view


def second_factor_view(view):
    """Decorate a page of login's second step: a password-only session is enough to open it."""
    wrapped = login_required(view)
    wrapped.access_policy = SECOND_FACTOR
    return wrapped


# Login steps -------------------------------------------------------------------------------


def second_factor_pending(request) -> bool:
    """True for a session that has passed the password but not yet the second factor (always
    false when two-factor login is switched off: ANJU_OTP_REQUIRED=0, the demo)."""
    from django.conf import settings

    if not settings.OTP_REQUIRED:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False  # nobody signed in: login_required sends them to the login page
    # django-otp's OTPMiddleware puts is_verified on the user; without it nothing is verified.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def second_factor_missing(request, view) -> bool:
    """True when this request may not reach `view` before the session passes the second factor.

    The one place that enforces TOTP (SecondFactorMiddleware asks it before every view): every
    view behind the login needs an OTP-verified session, whatever its decorator, unless the
    session is not pending (see above), the path is exempt (settings.OTP_EXEMPT_PREFIXES: the
    token-authenticated API), or the view is public or itself a page of the second step.
    """
    from django.conf import settings

    if not second_factor_pending(request):
        return False
    if any(request.path.startswith(prefix) for prefix in settings.OTP_EXEMPT_PREFIXES):
        return False
    return getattr(view, "access_policy", None) not in (PUBLIC, SECOND_FACTOR)


def password_expired(user, *, now=None) -> bool:
    """True when the user's password is older than ANJU_PASSWORD_MAX_AGE_DAYS (0: never)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    days = settings.PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not getattr(user, "is_authenticated", False):
        return False
    since = user.password_changed_at or user.date_joined
    return (now or timezone.now()) - since > timedelta(days=days)


# Regions ---------------------------------------------------------------------------------


def visible_root(user) -> Region | None:
    """The top of what the user may see: their own region (none for users without one)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.region


def regions_visible_to(user) -> QuerySet[Region]:
    root = visible_root(user)
    if root is None:
        return Region.objects.none()
    return Region.objects.within(root)


def region_visible(user, code: str) -> bool:
    root = visible_root(user)
    return root is not None and is_within(code, root.code)


def access_region(user, code: str) -> Region:
    """The region `code` if the user may see it; 404 alike for missing and not yours."""
    if not region_visible(user, code):
        raise Http404("没有找到该区划。")
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404("没有找到该区划。") from None


def scope_to_region(qs: QuerySet, root: Region | None, field: str = "region") -> QuerySet:
    """Rows of `qs` whose `field` (a region foreign key or code column) lies under `root`."""
    if root is None:
        return qs.none()
    # Filtering on the foreign key's target column needs no join: one indexed range scan.
    column = field if field.endswith("_code") else f"{field}__code"
    return qs.filter(**{f"{column}__range": subtree_bounds(root.code)})


def scoped(qs: QuerySet, user, field: str = "region") -> QuerySet:
    """Rows of `qs` within the user's region subtree."""
    return scope_to_region(qs, visible_root(user), field)


def active_region(request) -> Region | None:
    """The region the user is looking at now: picked in the region switcher, within their own."""
    root = visible_root(request.user)
    if root is None:
        return None
    code = request.session.get("active_region")
    # Asked by the layout and by the view alike: look the region up once per request.
    cached = getattr(request, "_anju_active_region", None)
    if cached is not None and cached[0] == code:
        return cached[1]
    region = root
    if code and code != root.code and is_within(code, root.code):
        region = Region.objects.filter(code=code).first() or root
    request._anju_active_region = (code, region)
    return region


def requested_region(request) -> Region | None:
    """The region a list is filtered to: `?region=CODE` when given (the overview's links; 404
    unless it lies in the user's region), else the active region."""
    code = request.GET.get("region", "").strip()
    if not code:
        return active_region(request)
    return access_region(request.user, code)


# Users -----------------------------------------------------------------------------------


def users_visible_to(user) -> QuerySet:
    """Accounts an administrator may see: those working in their region subtree."""
    from anju.accounts.models import User

    if not (has_perm(user, Perm.VIEW_USERS)):
        return User.objects.none()
    return scoped(User.objects.all(), user)


def access_user(user, pk: int, *, write_perm: Perm | None = None):
    if write_perm is not None:
        require(user, write_perm)
    else:
        require(user, Perm.VIEW_USERS)
    target = users_visible_to(user).filter(pk=pk).first()
    if target is None:
        raise Http404("没有找到该用户。")
    return target


# Audit -----------------------------------------------------------------------------------


def audit_entries_visible_to(user) -> QuerySet:
    from anju.audit.models import AuditEntry

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


def contacts_visible_to(user) -> QuerySet:
    from anju.reporting.models import Contact

    if not has_perm(user, Perm.VIEW_CONTACTS):
        return Contact.objects.none()
    return scoped(Contact.objects.all(), user)


def reports_visible_to(user) -> QuerySet:
    from anju.reporting.models import Report

    if not has_perm(user, Perm.VIEW_REPORTS):
        return Report.objects.none()
    return scoped(Report.objects.all(), user)


def access_report(user, pk: int):
    require(user, Perm.VIEW_REPORTS)
    report = reports_visible_to(user).filter(pk=pk).first()
    if report is None:
        raise Http404("没有找到该报表。")
    return report


def access_report_upload(user, pk: int):
    from anju.reporting.models import ReportUpload

    require(user, Perm.PREPARE_REPORTS)
    upload = scoped(ReportUpload.objects.all(), user).filter(pk=pk).first()
    if upload is None:
        raise Http404("没有找到该上传文件。")
    return upload


def clues_visible_to(user) -> QuerySet:
    """Clues concerning the user's region, and clues transferred to a unit in it."""
    from django.db.models import Q

    from anju.oversight.models import Clue, Transfer

    root = visible_root(user)
    if root is None or not has_perm(user, Perm.VIEW_CLUES):
        return Clue.objects.none()
    bounds = subtree_bounds(root.code)
    received = Transfer.objects.filter(to_region__code__range=bounds).values("clue_id")
    return Clue.objects.filter(Q(region__code__range=bounds) | Q(pk__in=received))


def access_clue(user, pk: int, *, perm: Perm = Perm.VIEW_CLUES):
    """One clue the user may see (404 alike for missing and not yours), with `perm` (403)."""
    require(user, perm)
    clue = clues_visible_to(user).filter(pk=pk).first()
    if clue is None:
        raise Http404("没有找到该线索。")
    return clue


def access_transfer(user, pk: int):
    """A transfer addressed to a unit in the user's region (the receiver's side)."""
    from anju.oversight.models import Transfer

    require(user, Perm.HANDLE_CLUES)
    transfer = scope_to_region(Transfer.objects.all(), visible_root(user), "to_region")
    transfer = transfer.filter(pk=pk).select_related("clue").first()
    if transfer is None:
        raise Http404("没有找到该移送记录。")
    return transfer


def items_visible_to(user) -> QuerySet:
    from anju.oversight.models import RectificationItem

    if not has_perm(user, Perm.VIEW_CLUES):
        return RectificationItem.objects.none()
    return scoped(RectificationItem.objects.all(), user)


def access_item(user, pk: int):
    require(user, Perm.MANAGE_ITEMS)
    item = items_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该整改事项。")
    return item


def households_visible_to(user) -> QuerySet:
    from anju.households.models import Household

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Household.objects.none()
    return scoped(Household.objects.all(), user)


def access_household(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS):
    require(user, perm)
    household = households_visible_to(user).filter(pk=pk).select_related("region").first()
    if household is None:
        raise Http404("没有找到该农户。")
    return household


def access_renovation(user, pk: int, *, perm: Perm = Perm.EDIT_HOUSEHOLDS):
    from anju.households.models import Renovation

    require(user, perm)
    renovation = (
        Renovation.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household")
        .first()
    )
    if renovation is None:
        raise Http404("没有找到该改造记录。")
    return renovation


def renovations_visible_to(user) -> QuerySet:
    """Renovation records of households the user may see."""
    from anju.households.models import Renovation

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Renovation.objects.none()
    return scoped(Renovation.objects.all(), user, "household__region")


def assessments_visible_to(user) -> QuerySet:
    """Danger assessments of the houses of households the user may see."""
    from anju.households.models import Assessment

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return Assessment.objects.none()
    return scoped(Assessment.objects.all(), user, "house__household__region")


def access_assessment(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    assessment = assessments_visible_to(user).filter(pk=pk).first()
    if assessment is None:
        raise Http404("没有找到该鉴定记录。")
    return assessment


def visits_visible_to(user) -> QuerySet:
    """Follow-up visits to households the user may see."""
    from anju.households.models import FollowUpVisit

    if not has_perm(user, Perm.VIEW_HOUSEHOLDS):
        return FollowUpVisit.objects.none()
    return scoped(FollowUpVisit.objects.all(), user, "household__region")


def access_visit(user, pk: int):
    require(user, Perm.VIEW_HOUSEHOLDS)
    visit = visits_visible_to(user).filter(pk=pk).first()
    if visit is None:
        raise Http404("没有找到该回访记录。")
    return visit


def access_change(user, pk: int):
    from anju.households.models import ChangeRequest

    require(user, Perm.VIEW_HOUSEHOLDS)
    change = (
        ChangeRequest.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household", "renovation")
        .first()
    )
    if change is None:
        raise Http404("没有找到该变更申请。")
    return change


def access_plate(user, pk: int, *, perm: Perm = Perm.VIEW_HOUSEHOLDS):
    from anju.households.models import SafetyPlate

    require(user, perm)
    plate = (
        SafetyPlate.objects.filter(pk=pk, household__in=households_visible_to(user))
        .select_related("household__region")
        .first()
    )
    if plate is None:
        raise Http404("没有找到该安全状况牌。")
    return plate


def access_import(user, pk: int):
    from anju.households.models import ImportUpload

    require(user, Perm.EDIT_HOUSEHOLDS)
    upload = ImportUpload.objects.filter(pk=pk, uploaded_by=user).first()
    if upload is None:
        raise Http404("没有找到该上传文件。")
    return upload


def access_audit_entry(user, pk: int):
    require(user, Perm.VIEW_AUDIT)
    entry = audit_entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404("没有找到该审计记录。")
    return entry


# Cross-check --------------------------------------------------------------------------------


def findings_visible_to(user) -> QuerySet:
    from anju.crosscheck.models import Finding

    if not has_perm(user, Perm.VIEW_FINDINGS):
        return Finding.objects.none()
    return scoped(Finding.objects.all(), user)


def access_finding(user, pk: int, *, perm: Perm = Perm.VIEW_FINDINGS):
    require(user, perm)
    finding = findings_visible_to(user).filter(pk=pk).select_related("region", "household").first()
    if finding is None:
        raise Http404("没有找到该比对发现。")
    return finding


def runs_visible_to(user) -> QuerySet:
    from anju.crosscheck.models import CheckRun

    if not has_perm(user, Perm.VIEW_FINDINGS):
        return CheckRun.objects.none()
    return scoped(CheckRun.objects.all(), user)


def access_run(user, pk: int):
    require(user, Perm.VIEW_FINDINGS)
    run = runs_visible_to(user).filter(pk=pk).select_related("region").first()
    if run is None:
        raise Http404("没有找到该比对批次。")
    return run


def reference_lists_visible_to(user) -> QuerySet:
    """Lists covering the user's region subtree, for those who bring lists or use them."""
    from anju.crosscheck.models import ReferenceList

    if not (has_perm(user, Perm.UPLOAD_REFERENCES) or has_perm(user, Perm.RUN_CROSSCHECK)):
        return ReferenceList.objects.none()
    return scoped(ReferenceList.objects.all(), user)


# Public reports -----------------------------------------------------------------------------


def access_public_report(user, pk: int, *, perm: Perm = Perm.VIEW_CLUES):
    """A portal report in the user's region, for those who see clues."""
    from anju.portal.models import PublicReport

    require(user, perm)
    item = scoped(PublicReport.objects.all(), user).filter(pk=pk).select_related("clue").first()
    if item is None:
        raise Http404("没有找到该公众举报。")
    return item


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


# API tokens ---------------------------------------------------------------------------------


def api_tokens_visible_to(user) -> QuerySet:
    """A user's own API tokens: nobody else sees or revokes them (an administrator disabling
    the account stops them all)."""
    from anju.api.models import ApiToken

    if not has_perm(user, Perm.USE_API):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def access_api_token(user, pk: int):
    require(user, Perm.USE_API)
    token = api_tokens_visible_to(user).filter(pk=pk).first()
    if token is None:
        raise Http404("没有找到该令牌。")
    return token


def api_user_allowed(user) -> bool:
    """Whether a token's owner may use the API now: active, no temporary password pending, and
    still in a role that carries USE_API (a role change to administrator stops their tokens)."""
    return bool(user.is_active and not user.must_change_password and has_perm(user, Perm.USE_API))
