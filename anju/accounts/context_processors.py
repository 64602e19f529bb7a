from anju.accounts.access import (
    Perm,
    active_region,
    perms_of,
    second_factor_pending,
    unit_bound,
)
from anju.regions.models import Level

# The menu grouped by work, as offices speak of it; an entry goes to the group of its URL
# namespace. A group with one entry the role may use is shown as that entry itself.
MENU_GROUPS = [
    ("档案", {"households", "assessments", "regions"}),
    ("现场", {"cadres", "spotchecks"}),
    ("比对", {"crosscheck"}),
    ("线索", {"oversight"}),
    ("单位", {"units"}),
    ("报表", {"reporting", "campaigns"}),
    ("管理", {"portal", "tokens", "accounts", "audit"}),
]


def menu_groups(menu: list[tuple[str, str]], current: str) -> list[dict]:
    """The flat menu as groups: [{label, items [(label, name)], current}], in MENU_GROUPS order
    after the entries that stand alone (home, overview and any namespace no group names)."""
    alone, grouped = [], {label: [] for label, _ in MENU_GROUPS}
    for label, name in menu:
        namespace = name.split(":", 1)[0]
        group = next((g for g, spaces in MENU_GROUPS if namespace in spaces), None)
        (grouped[group] if group else alone).append((label, name))
    out = [
        {"label": label, "items": [(label, name)], "current": name == current}
        for label, name in alone
    ]
    for group, _ in MENU_GROUPS:
        items = grouped[group]
        if not items:
            continue
        label = items[0][0] if len(items) == 1 else group
        out.append(
            {"label": label, "items": items, "current": any(name == current for _, name in items)}
        )
    return out


def workspace(request):
    """What the shared layout needs: the active region, its path, and the menu for the roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if second_factor_pending(request):
        return {}  # between the password and the code: no menu, no region bar
    perms = perms_of(user)
    region = active_region(request)
    path = []
    if region is not None and user.region is not None:
        path = [r for r in region.ancestors() if user.region.contains(r.code)] + [region]
    menu = [("首页", "home")]
    if Perm.VIEW_DASHBOARD in perms:
        menu.append(("总览", "dashboard:overview"))
    if Perm.CADRE_VISIT in perms:
        menu.append(("我的帮扶户", "cadres:mine"))
    if Perm.VIEW_REGIONS in perms:
        menu.append(("行政区划", "regions:browse"))
    elif Perm.LOOK_UP_REGIONS in perms:
        menu.append(("行政区划", "regions:tree"))
    if Perm.VIEW_HOUSEHOLDS in perms:
        menu.append(("农户档案", "households:list"))
    if Perm.VIEW_FINDINGS in perms:
        menu.append(("数据比对", "crosscheck:findings"))
    elif Perm.UPLOAD_REFERENCES in perms:
        menu.append(("部门名单", "crosscheck:lists"))
    if Perm.VIEW_TASKS in perms:
        menu.append(("鉴定任务", "assessments:tasks"))
    if Perm.VIEW_HOUSEHOLDS in perms:
        menu.append(("危房整改", "households:cases"))
    if Perm.HANDLE_OBSERVATIONS in perms:
        menu.append(("走访报告", "cadres:observations"))
    if Perm.VIEW_CLUES in perms:
        menu.append(("问题线索", "oversight:clues"))
        if not unit_bound(user):  # a department's user has no township problem lists
            menu.append(("问题清单", "oversight:items"))
    if Perm.SEND_CLUES in perms:
        menu.append(("向住建部门移送线索", "oversight:clue_send"))
    if Perm.RECEIVE_TRANSFERS in perms:
        menu.append(("线索移送", "oversight:transfers"))
    if Perm.VIEW_UNIT_REPORTS in perms:
        menu.append(("部门季度线索", "reporting:unit_reports"))
    if Perm.VIEW_UNITS in perms:
        menu.append(("单位通讯录", "units:directory"))
    if Perm.VIEW_SPOT_CHECKS in perms:
        menu.append(("巡查抽查", "spotchecks:plans"))
    if Perm.VIEW_CAMPAIGNS in perms:
        menu.append(("专项整治", "campaigns:campaigns"))
    if Perm.VIEW_REPORTS in perms:
        menu.append(("月度报表", "reporting:reports"))
    if Perm.EDIT_PORTAL in perms:
        menu.append(("门户内容", "portal:page_edit"))
    if (
        Perm.EDIT_CONTACTS in perms
        and user.region is not None
        and user.region.level == Level.COUNTY
    ):
        menu.append(("门户公开信息", "portal:district"))
    if Perm.USE_API in perms:
        menu.append(("接口令牌", "tokens:list"))
    if Perm.VIEW_USERS in perms:
        menu.append(("用户管理", "accounts:users"))
    if Perm.VIEW_AUDIT in perms:
        menu.append(("审计日志", "audit:list"))
    return {
        "active_region": region,
        "region_path": path,
        "can_switch_region": user.region is not None
        and user.region.level < 4
        and Perm.VIEW_REGIONS in perms,
        "menu": menu,
        "menu_groups": menu_groups(
            menu, getattr(getattr(request, "resolver_match", None), "view_name", "")
        ),
        "user_perms": {str(p) for p in perms},
    }
