"""Departments' lists for the demo, made from the demo archive with a known share of what the
cross-check exists to find, and loaded through the real list import:

- deaths: a few heads died before their approval, a few between acceptance and payment; more
  died long after everything (near misses);
- poverty: 建档立卡 heads, a few under another name, a few under a traditional-character or
  spaced form of their own name (near misses), a few missing, and newcomers not yet assessed;
- subsistence, extreme-poor, disabled, veterans: the heads of those categories, a few whose
  subsistence ended before their approval.
"""

import csv
import io
import random
from datetime import date, timedelta

from opencc import OpenCC

from anju.households.choices import Category
from anju.households.demo import resident_id
from anju.households.models import CategoryRecord, Household, Renovation
from anju.regions.models import Level, Region
from anju.tabular.limits import NONE

AS_OF = date(2026, 9, 30)  # the lists reached the bureau over a month before the demo's "now"
KIND_OF_CATEGORY = {
    Category.REGISTERED_POOR: "poverty",
    Category.SUBSISTENCE: "subsistence",
    Category.EXTREME_POOR: "extreme-poor",
    Category.POOR_DISABLED: "disabled",
    Category.VETERAN: "veterans",
}
HEADERS = {
    "deaths": ["姓名", "公民身份号码", "死亡日期"],
    "poverty": ["户主姓名", "户主身份证号", "识别日期", "退出日期"],
    "subsistence": ["姓名", "身份证号码", "起始日期", "终止日期"],
    "extreme-poor": ["姓名", "身份证号", "起始日期", "终止日期"],
    "disabled": ["姓名", "身份证号", "残疾类别", "残疾等级"],
    "veterans": ["姓名", "身份证号", "优抚类别"],
}


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def lists(size: str) -> dict[str, list[list]]:

    rng = random.Random(f"anju-lists-{size}")
    to_traditional = OpenCC("s2t")
    out: dict[str, list[list]] = {kind: [] for kind in HEADERS}
    categories: dict[int, set[str]] = {}
    for household_id, category in CategoryRecord.objects.values_list("household_id", "category"):
        categories.setdefault(household_id, set()).add(category)
    first: dict[int, tuple] = {}
    for household_id, approved, accepted in Renovation.objects.order_by(
        "household_id", "year"
    ).values_list("household_id", "approved_on", "accepted_on"):
        first.setdefault(household_id, (approved, accepted))
    households = Household.objects.order_by("pk").values_list("pk", "head_name", "head_id")
    for pk, name, head_id in households.iterator(chunk_size=5000):
        approved, accepted = first.get(pk, (None, None))
        odd = rng.random()
        if approved and odd < 0.003:
            out["deaths"].append([name, head_id, (approved - timedelta(days=20)).isoformat()])
        elif accepted and odd < 0.006:
            out["deaths"].append([name, head_id, (accepted + timedelta(days=2)).isoformat()])
        elif odd < 0.02:
            out["deaths"].append([name, head_id, f"2025-{rng.randint(1, 12)}-{rng.randint(1, 28)}"])
        for category in sorted(categories.get(pk, ())):
            kind = KIND_OF_CATEGORY.get(Category(category))
            if kind is None:
                continue
            if kind == "poverty":
                listed = name
                roll = rng.random()
                if roll < 0.002:
                    continue  # missing from the poverty office's list
                if roll < 0.004:
                    listed = "王" + name[1:] if name[0] != "王" else "李" + name[1:]
                elif roll < 0.01:
                    listed = to_traditional.convert(name)
                elif roll < 0.012:
                    listed = name[0] + "\u3000" + name[1:]
                out[kind].append([listed, head_id, "2011-06-30", ""])
            elif kind in ("subsistence", "extreme-poor"):
                end = ""
                if kind == "subsistence" and approved and rng.random() < 0.004:
                    end = (approved - timedelta(days=30)).isoformat()
                out[kind].append([name, head_id, "2010-01-01", end])
            elif kind == "disabled":
                out[kind].append([name, head_id, rng.choice(["肢体", "视力", "听力"]), "二级"])
            else:
                out[kind].append([name, head_id, "带病回乡退伍军人"])
    # Newcomers to the poverty list, whose houses nobody has assessed yet.

    first_county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    county = first_county.code if first_county else "350881000000"
    for n in range(max(3, len(out["poverty"]) // 500)):
        out["poverty"].append(
            ["新识别户" + str(n + 1), resident_id(county, 9_000_000 + n), "2026-08-15", ""]
        )
    return out


def load_reference_lists(*, size: str, actor: str) -> int:
    """Load the demo lists once (through the real import); returns the rows loaded."""
    from anju.crosscheck.models import ReferenceList
    from anju.crosscheck.references import import_reference

    if ReferenceList.objects.exists():
        return 0
    top = Region.objects.order_by("level", "code").first()
    loaded = 0
    for kind, rows in lists(size).items():
        if not rows:
            continue
        result = import_reference(
            actor=actor,
            kind=kind,
            data=_csv(HEADERS[kind], rows),
            file_name=f"demo-{kind}.csv",
            region=top,
            as_of=AS_OF,
            limits=NONE,  # our own generated lists, as large as the size asks
        )
        if not result.ok:
            raise RuntimeError("; ".join(str(e) for e in result.errors[:5]))
        result.reference.received_on = AS_OF + timedelta(days=3)
        result.reference.save(update_fields=["received_on"])
        loaded += result.reference.rows
    return loaded
