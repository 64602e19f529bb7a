"""总览的汇总表: counts per township (and per month where a figure has a trend), kept up to date
by the services and the imports that change what they count (anju.dashboard.tally), so the
overview reads a few thousand summary rows instead of the province's households."""

from django.db import models


class Figure(models.TextChoices):
    HOUSEHOLDS = "households", "农户"
    ASSESSED = "assessed", "已鉴定"
    PLATED = "plated", "已挂牌"
    REVISITED = "revisited", "应回访"
    VISITS = "visits", "回访户次"
    RENOVATIONS = "renovations", "改造记录"
    ACCEPTED = "accepted", "已验收"
    PAYABLE = "payable", "应发放补助"
    PAID_ON_TIME = "paid_on_time", "按时发放"


class Tally(models.Model):
    """`count` records of `figure` in the township `region_code` whose date is `day`.

    `day` is the first of the month for the monthly figures (the month of the first assessment,
    the first plate on the wall, the visit, the acceptance), the exact date of the last visit for
    REVISITED (so "overdue as of today" is a sum over day < today - 92), and null where the record
    has no date (or for HOUSEHOLDS, which has none)."""

    region_code = models.CharField("乡镇区划代码", max_length=12)
    figure = models.CharField("指标", max_length=16, choices=Figure.choices)
    day = models.DateField("日期", null=True, blank=True)
    count = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "总览汇总"
        verbose_name_plural = "总览汇总"
        indexes = [
            # anju.dashboard.queries.tally_rows: a region subtree (a range on region_code)
            # grouped by child region, figure and day, read from the index alone (count is the
            # last key column so the index covers the query on SQLite and PostgreSQL alike);
            # also the delete of a refreshed subtree in anju.dashboard.tally.
            models.Index(fields=["region_code", "figure", "day", "count"], name="tally_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.figure} {self.day}: {self.count}"
