"""The region picker: one form field for every place a form asks for. The user picks a region of
their own subtree by its path (漳平市 / 新桥镇 / 前头村), never types a code; a search box filters
the list by name or by pinyin initials ("xqz" finds 新桥镇). Without JavaScript it is a plain
select of the same paths, so the form still works; the value posted is the region's code, and the
field refuses (naming itself, keeping the rest of the form) any code outside the list."""

from functools import lru_cache

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from pypinyin import Style, lazy_pinyin

from anju.regions.models import Level, Region, subtree_bounds


@lru_cache(maxsize=50_000)
def initials(name: str) -> str:
    """Pinyin initials of a place name: 新桥镇 -> xqz (letters and digits kept as they are)."""
    return "".join(part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def paths_within(root: Region, levels) -> list[tuple[str, str, str]]:
    """(code, path, pinyin initials of the path's names) of every region under (and including)
    `root` at one of `levels`, in code order; the path starts at the county (or at the root when
    it lies above one). Two queries: the places offered, and the places above them."""
    rows = list(
        Region.objects.filter(code__range=subtree_bounds(root.code), level__in=list(levels))
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    above = {
        code: (name, parent, level)
        for code, name, parent, level in Region.objects.filter(
            code__range=subtree_bounds(root.code), level__lt=Level.VILLAGE
        ).values_list("code", "name", "parent_id", "level")
    }
    for ancestor in root.ancestors():
        above[ancestor.code] = (ancestor.name, ancestor.parent_id, ancestor.level)
    top = Level.COUNTY
    found = []
    for code, name, parent in rows:
        chain = [name]
        while parent in above and above[parent][2] >= top:
            chain.append(above[parent][0])
            parent = above[parent][1]
        chain.reverse()
        found.append((code, " / ".join(chain), " ".join(initials(n) for n in chain)))
    return found


class RegionPicker(forms.Select):
    """A select of paths with a search box above it (static/anju/region-picker.js)."""

    template_name = "regions/widgets/picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.initials: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-py"] = self.initials.get(str(value), "")
        return option

    def _render(self, template_name, context, renderer=None):
        """Rendered by the project's template engine (anju/templates), not the forms one."""
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (escaped template)


class RegionField(forms.ChoiceField):
    """A place within the user's subtree: `limit_to(root)` before the form is shown or checked
    (`limit_regions(form, region)` does it for every such field of a form)."""

    widget = RegionPicker

    def __init__(self, *, levels=(Level.VILLAGE,), **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": "请从列表中选择%(label)s（不在本人所辖范围内，或已不存在）。",
                "required": "请选择%(label)s。",
            },
        )
        self.levels = tuple(levels)
        super().__init__(choices=[("", "——请选择——")], **kwargs)
        # The label in the field's own messages.
        self.error_messages = {
            key: message.replace("%(label)s", str(kwargs.get("label") or "地方"))
            for key, message in self.error_messages.items()
        }

    def limit_to(self, root: Region | None) -> None:
        if root is None:
            return
        paths = paths_within(root, self.levels)
        self.choices = [("", "——请选择——"), *((code, path) for code, path, _ in paths)]
        self.widget.initials = {code: py for code, _, py in paths}


def limit_regions(form: forms.BaseForm, root: Region | None) -> forms.BaseForm:
    """Every RegionField of `form` offers the places under `root` (the user's own region)."""
    for field in form.fields.values():
        if isinstance(field, RegionField):
            field.limit_to(root)
    return form


def tree_root() -> Region | None:
    """The top of the loaded tree (a form whose places may lie outside the user's own region,
    such as the receiving side of a transfer)."""
    return Region.objects.order_by("level", "code").first()
