"""The administrative tree, keyed by the 12-digit statistical division code.

A code is 2+2+2+3+3 digits (province, city, county, township, village). Every region's subtree is
the range of codes sharing its significant prefix, so "everything under X" is one indexed range
query on the primary key (or on any `region_id` foreign key column), with no join and no recursion.
"""

from django.db import models

CODE_LENGTH = 12


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县(市、区)"
    TOWNSHIP = 4, "乡镇(街道)"
    VILLAGE = 5, "村(社区)"


# Length of the significant prefix of a code at each level.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}


def level_of(code: str) -> Level:
    """The level a 12-digit code stands at, read from its trailing zeros."""
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        n = PREFIX_LENGTH[level]
        if code[n:] == "0" * (CODE_LENGTH - n):
            return level
    return Level.VILLAGE


def prefix_of(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def subtree_bounds(code: str) -> tuple[str, str]:
    """The lowest and highest code in the subtree rooted at `code` (inclusive)."""
    prefix = prefix_of(code)
    pad = CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def ancestor_codes(code: str) -> list[str]:
    """Codes of the regions above `code`, from the province down (not including `code`)."""
    level = level_of(code)
    codes = []
    for upper in Level:
        if upper >= level:
            break
        n = PREFIX_LENGTH[upper]
        codes.append(code[:n] + "0" * (CODE_LENGTH - n))
    return codes


def is_within(code: str, root: str) -> bool:
    low, high = subtree_bounds(root)
    return low <= code <= high


class RegionQuerySet(models.QuerySet):
    def within(self, root: "Region | str") -> "RegionQuerySet":
        """Regions in the subtree of `root`, root included."""
        code = root.code if isinstance(root, Region) else root
        return self.filter(code__range=subtree_bounds(code))


class Region(models.Model):
    code = models.CharField("区划代码", max_length=CODE_LENGTH, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_base_village = models.BooleanField("革命基点村", default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("regions:detail", args=[self.code])

    @property
    def bounds(self) -> tuple[str, str]:
        return subtree_bounds(self.code)

    def contains(self, code: str) -> bool:
        return is_within(code, self.code)

    def ancestors(self) -> list["Region"]:
        """The regions above this one, province first (one query)."""
        codes = ancestor_codes(self.code)
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [found[c] for c in codes if c in found]

    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])
