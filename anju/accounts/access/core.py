"""What every access question starts from: the permissions (Perm) and which roles carry
them, the checks (perms_of, has_perm, require), the view decorators that mark each view's
policy for the URL walk, the second step of login, and the region helpers (the user's visible
root, the active region, scoping a QuerySet to a subtree) each app's access.py scopes with, and
the registry of those policies."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.roles import ADMIN_ROLES, Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.regions.models import Region, is_within, subtree_bounds


class Perm(StrEnum):
    VIEW_REGIONS = "regions.view"
    # The region tree's names and codes only (the administrators look places up with it).
    LOOK_UP_REGIONS = "regions.look_up"
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
    # The receiving office sets which units owe which report to it (报送要求).
    SET_REPORT_DUTIES = "reporting.set_duties"
    # The discipline commission receives, reads and signs for the quarterly clue report.
    RECEIVE_CLUE_REPORTS = "reporting.receive_clue_reports"
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
    # Units (单位): the directory of the participating units, each keeping its own entry; the
    # clues transferred to a unit, signed for and answered by its users alone; the quarterly
    # clue reports each unit files with the lead unit (seed 003).
    VIEW_UNITS = "accounts.view_units"
    # The security administrator registers the units and assigns each user to one.
    MANAGE_UNITS = "accounts.manage_units"
    EDIT_OWN_UNIT = "accounts.edit_own_unit"
    RECEIVE_TRANSFERS = "oversight.receive_transfers"
    FILE_UNIT_REPORTS = "reporting.file_unit_reports"
    # A department's user passes a clue it found to housing (线索双向移送): it lands in the
    # county's ledger as a registered clue, 来源 部门移送.
    SEND_CLUES = "oversight.send_clues"
    VIEW_UNIT_REPORTS = "reporting.view_unit_reports"
    # Hold personal API tokens (/tokens/) and call /api/v1/ with them: business roles only, so
    # the three administrators get no business data through the API either.
    USE_API = "api.use"


# What each permission is called on screen (codes stay in JSON, the API and the audit data).
PERM_LABELS: dict[str, str] = {
    Perm.VIEW_REGIONS: "查看本辖区",
    Perm.LOOK_UP_REGIONS: "查询行政区划",
    Perm.VIEW_USERS: "查看用户",
    Perm.MANAGE_USERS: "管理用户",
    Perm.ASSIGN_ROLES: "授予角色",
    Perm.RESET_SECOND_FACTOR: "重置动态验证码",
    Perm.VIEW_AUDIT: "查阅审计日志",
    Perm.VIEW_CONTACTS: "查看联络人",
    Perm.EDIT_CONTACTS: "填报联络人和门户公开信息",
    Perm.VIEW_REPORTS: "查看报表",
    Perm.PREPARE_REPORTS: "编制报表",
    Perm.SIGN_OFF_REPORTS: "审核报表",
    Perm.RETURN_REPORTS: "退回报表",
    Perm.SET_REPORT_DUTIES: "设定报送要求",
    Perm.RECEIVE_CLUE_REPORTS: "签收季度线索报告",
    Perm.VIEW_CLUES: "查看问题线索",
    Perm.REGISTER_CLUES: "登记问题线索",
    Perm.SEND_CLUES: "向住建部门移送线索",
    Perm.HANDLE_CLUES: "办理问题线索",
    Perm.APPROVE_CLOSE: "审批销号",
    Perm.SUPERVISE: "重点督办",
    Perm.RECORD_ACCOUNTABILITY: "登记问责和通报",
    Perm.MANAGE_ITEMS: "维护问题清单",
    Perm.VIEW_HOUSEHOLDS: "查看农户档案",
    Perm.EDIT_HOUSEHOLDS: "维护农户档案",
    Perm.UNMASK: "查看完整证件号",
    Perm.APPROVE_CHANGES: "审核档案变更",
    Perm.VIEW_FINDINGS: "查看比对结果",
    Perm.RUN_CROSSCHECK: "运行数据比对",
    Perm.TRIAGE_FINDINGS: "处理比对结果",
    Perm.UPLOAD_REFERENCES: "上传部门名单",
    Perm.VIEW_REPORTERS: "查看举报人信息",
    Perm.EDIT_PORTAL: "编辑门户内容",
    Perm.VIEW_DASHBOARD: "查看总览",
    Perm.VIEW_TASKS: "查看鉴定任务",
    Perm.MANAGE_TASKS: "管理鉴定任务",
    Perm.CADRE_VISIT: "走访帮扶户",
    Perm.ASSIGN_CADRES: "分配帮扶户",
    Perm.HANDLE_OBSERVATIONS: "处置走访报告",
    Perm.VIEW_SPOT_CHECKS: "查看巡查抽查",
    Perm.PLAN_SPOT_CHECKS: "制定抽查计划",
    Perm.INSPECT: "实地核查",
    Perm.VIEW_CAMPAIGNS: "查看专项整治",
    Perm.MANAGE_CAMPAIGNS: "管理专项整治",
    Perm.VIEW_UNITS: "查看单位通讯录",
    Perm.MANAGE_UNITS: "管理单位",
    Perm.EDIT_OWN_UNIT: "维护本单位信息",
    Perm.RECEIVE_TRANSFERS: "签收移送线索",
    Perm.FILE_UNIT_REPORTS: "报送本单位季度线索情况",
    Perm.VIEW_UNIT_REPORTS: "查看部门季度线索情况",
    Perm.USE_API: "使用数据接口",
}


def perm_label(code: str) -> str:
    """A permission's name on screen; the code itself only for one this table does not know."""
    return PERM_LABELS.get(code, code)


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
# What a county's housing bureau, reviewer and discipline office do with the other units.
_UNITS = {Perm.VIEW_UNITS, Perm.EDIT_OWN_UNIT, Perm.RECEIVE_TRANSFERS, Perm.VIEW_UNIT_REPORTS}

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
            # The township's own monthly progress report to the county (seed 003).
            Perm.VIEW_REPORTS,
            Perm.PREPARE_REPORTS,
        }
    ),
    Role.COUNTY_CLERK: frozenset(
        {
            Perm.VIEW_REGIONS,
            *_UNITS,
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
            *_UNITS,
            Perm.VIEW_DASHBOARD,
            Perm.USE_API,
            *_CLUE_WORK,
            *_REPORTING,
            Perm.SIGN_OFF_REPORTS,
            # The county's housing bureau receives its townships' and units' progress reports.
            Perm.RETURN_REPORTS,
            Perm.SET_REPORT_DUTIES,
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
            Perm.SET_REPORT_DUTIES,
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
            *_UNITS,
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
            # The quarterly clue reports are sent to discipline inspection (seed 003): read them.
            Perm.VIEW_REPORTS,
            Perm.VIEW_SPOT_CHECKS,
            Perm.VIEW_CAMPAIGNS,
            Perm.VIEW_REPORTS,
            Perm.RECEIVE_CLUE_REPORTS,
        }
    ),
    # 部门数据员: brings their department's lists, and sees what they brought.
    # 帮扶责任人: their assigned households only (cadre_households_visible_to), never the
    # region's archive, and no unmasking.
    Role.CADRE: frozenset({Perm.CADRE_VISIT}),
    Role.DATA_PROVIDER: frozenset({Perm.VIEW_REGIONS, Perm.UPLOAD_REFERENCES, Perm.USE_API}),
    # 部门经办员: only what is addressed to their unit (unit_bound): the clues transferred to it,
    # its quarterly clue reports, its directory entry.
    Role.DEPARTMENT: frozenset(
        {
            Perm.VIEW_REGIONS,
            Perm.USE_API,
            Perm.VIEW_CLUES,
            Perm.SEND_CLUES,
            *_UNITS,
            Perm.FILE_UNIT_REPORTS,
            # Spot checks in the unit's own field (its plans only: spotchecks.access).
            Perm.VIEW_SPOT_CHECKS,
            Perm.PLAN_SPOT_CHECKS,
            Perm.INSPECT,
            # The unit's monthly progress report to the county's housing bureau (seed 003).
            Perm.VIEW_REPORTS,
            Perm.PREPARE_REPORTS,
        }
    ),
    # The system administrator keeps accounts running; sees no business data.
    Role.SYSTEM_ADMIN: frozenset({Perm.VIEW_USERS, Perm.MANAGE_USERS, Perm.LOOK_UP_REGIONS}),
    # The security administrator grants roles and regions, lifts lockouts, and resets a lost
    # second factor.
    Role.SECURITY_ADMIN: frozenset(
        {
            Perm.VIEW_USERS,
            Perm.ASSIGN_ROLES,
            Perm.RESET_SECOND_FACTOR,
            Perm.VIEW_UNITS,
            Perm.MANAGE_UNITS,
            Perm.LOOK_UP_REGIONS,
        }
    ),
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

    audit(actor=user, action=Action.DENIED, obj=str(perm), result="refused")
    raise PermissionDenied("您的角色无权进行此操作。")


# The policies -------------------------------------------------------------------------------
# Each app's access.py defines its `<thing>s_visible_to(user)` and `access_<thing>(user, pk)` on
# this core and registers them with @policy; AccountsConfig.ready() imports every installed app's
# access module, so `policies()` names them all (the scoping walk goes through them).
_POLICIES: dict[str, Callable] = {}


def policy(function: Callable) -> Callable:
    """Register an app's scoping function (`<thing>s_visible_to` or `access_<thing>`)."""
    name = function.__name__
    if not (name.endswith("_visible_to") or name.startswith("access_")):
        raise ValueError(f"{name}: a policy is named <thing>s_visible_to or access_<thing>")
    known = _POLICIES.get(name)
    if known is not None and known.__module__ != function.__module__:
        raise ValueError(f"{name} is registered twice: {known.__module__}, {function.__module__}")
    _POLICIES[name] = function
    return function


def policies() -> dict[str, Callable]:
    """Every registered policy by name (once the apps are ready)."""
    return dict(_POLICIES)


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


@policy
def regions_visible_to(user) -> QuerySet[Region]:
    root = visible_root(user)
    if root is None:
        return Region.objects.none()
    return Region.objects.within(root)


def region_visible(user, code: str) -> bool:
    root = visible_root(user)
    return root is not None and is_within(code, root.code)


@policy
def access_region(user, code: str) -> Region:
    """The region `code` if the user may see it; 404 alike for missing and not yours."""
    if not region_visible(user, code):
        raise Http404("没有找到该区划。")
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404("没有找到该区划。") from None


# Units ------------------------------------------------------------------------------------


def unit_of(user):
    """The unit (单位) the user works for, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.work_unit


def unit_bound(user) -> bool:
    """True for a department's user (部门经办员): whatever their region, they see only what is
    addressed to their own unit, never the region's ledger."""
    return has_role(user, Role.DEPARTMENT)


def scope_to_unit(qs: QuerySet, user, field: str = "unit") -> QuerySet:
    """Rows of `qs` whose `field` is the user's own unit (none for a user without one)."""
    unit = unit_of(user)
    if unit is None:
        return qs.none()
    return qs.filter(**{f"{field}_id": unit.pk})


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
