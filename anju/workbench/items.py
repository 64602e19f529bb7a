"""The workbench (待办): what one person must do, oldest deadline first.

Each role has its sources (`anju.workbench.sources`); a source reads the domain apps' models
through the access policies and returns `Item`s. An item is one piece of work with a link to
where it is done, or a counter with a link to the filtered list behind it. Items carry a stable
`key`: the notifications app (anju.notifications) tells a person about each new key, and an
information item marked "知道了" (`Seen`) leaves the list by its key.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from anju.oversight.deadlines import soon_until

# The most single items one source lists; beyond that a counter links to the full list.
SINGLE_LIMIT = 30


@dataclass
class Item:
    key: str  # stable while the work is the same piece of work; new work, new key
    kind: str  # what sort of work, as the person names it (线索销号审批, 季度报表…)
    title: str  # what to do; never a full personal number, names masked
    due: date | None
    url: str
    count: int | None = None  # a counter: how many are behind the link
    info: bool = False  # nothing to do but read it: "知道了" takes it off the list
    state: str = ""  # "overdue", "soon" or "" (set by `collect`)

    def deadline_text(self) -> str:
        if self.due is None:
            return ""
        return f"{self.due.year}年{self.due.month}月{self.due.day}日"

    @property
    def notice_key(self) -> str:
        """The notification's key: a new item, and again when due soon and when overdue."""
        return f"{self.key}#{self.state}" if self.state else self.key


@dataclass
class Context:
    user: object
    today: date
    soon: date  # the last day that counts as due soon (three working days ahead)


Source = Callable[[Context], list[Item]]
SOURCES: dict[str, list[Source]] = {}


def source(*roles: str):
    """Register a source of items for users holding any of `roles`."""

    def register(func: Source) -> Source:
        for role in roles:
            SOURCES.setdefault(role, []).append(func)
        return func

    return register


def _order(item: Item) -> tuple:
    return (item.due is None, item.due or date.max, item.kind, item.key)


def collect(user, today: date | None = None) -> list[Item]:
    """Every item on `user`'s list, oldest deadline first (those without one last)."""
    from anju.workbench import sources  # noqa: F401  (registers the sources)
    from anju.workbench.models import Seen

    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.region_id:
        return []
    today = today or timezone.localdate()
    ctx = Context(user=user, today=today, soon=soon_until(today))
    funcs: list[Source] = []
    for role in user.roles:
        for func in SOURCES.get(role, []):
            if func not in funcs:
                funcs.append(func)
    items: dict[str, Item] = {}
    for func in funcs:
        for item in func(ctx):
            items.setdefault(item.key, item)
    info_keys = [k for k, i in items.items() if i.info]
    if info_keys:
        seen = set(Seen.objects.filter(user=user, key__in=info_keys).values_list("key", flat=True))
        items = {k: i for k, i in items.items() if k not in seen}
    for item in items.values():
        if item.due is not None and item.due < today:
            item.state = "overdue"
        elif item.due is not None and item.due <= ctx.soon:
            item.state = "soon"
    return sorted(items.values(), key=_order)


def mark_seen(*, user, key: str) -> bool:
    """ "知道了" on an information item of the user's own list; False if there is none."""
    from anju.workbench.models import Seen

    if not any(i.key == key and i.info for i in collect(user)):
        return False
    Seen.objects.get_or_create(user=user, key=key)
    return True
