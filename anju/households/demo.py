"""Deterministic demo households for the demo regions, loaded through the real import path.

About 2.6% of rows carry the anomalies the cross-check exists to find (a wrong check digit, a
grade-B house renovated, no sanitary toilet, an area beyond the standard, no acceptance date, no
assessment, no priority category, a household subsidised twice); payments, plates and visits add
late, short and misdirected payments, plates not hung, visits overdue and families still in the
old house (anju/crosscheck/demo.py adds the departments' lists with their own share).
"""

import csv
import io
import random
from datetime import date, timedelta

from stdnum.cn import ric

from anju.accounts.models import User
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.archive_file import LABELS, TEMPLATE
from anju.regions.models import Level, Region
from anju.tabular.inserts import analyze
from anju.tabular.limits import NONE

PER_VILLAGE = {"small": 4, "city": 45, "province": 95}
SURNAMES = "陈林黄张李王吴刘蔡杨郑许邱罗谢游卢曾傅温"
GIVEN = "金水永福春生玉兰德胜海燕秋菊志明建华丽珍火旺土根"
CATEGORIES = [
    "建档立卡",
    "低保",
    "建档立卡、低保",
    "五保",
    "贫困残疾人家庭",
    "重点优抚对象",
    "其他贫困户",
]
STRUCTURES = ["土坯", "土木", "砖木", "石木", "砖混"]
METHODS = ["修缮加固", "拆除重建", "拆除重建", "造福工程搬迁", "置换/统建"]


DAYS = 45 * 365


def resident_id(county: str, serial: int) -> str:
    """A valid ID, unique per serial (up to 16 million) within a county."""
    born = date(1930, 1, 1) + timedelta(days=(serial * 7919) % DAYS)
    body = f"{county[:6]}{born:%Y%m%d}{(serial // DAYS) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def rows(size: str, first_serial: int = 0):
    """Records of a demo archive for every village of the demo's regions; `first_serial`
    moves the IDs clear of an earlier load (benchmarks import new households)."""
    per_village = PER_VILLAGE[size]
    villages = list(
        Region.objects.filter(level=Level.VILLAGE).select_related("parent").order_by("code")
    )
    counties = {r.code: r.name for r in Region.objects.filter(level=Level.COUNTY)}
    rng = random.Random(f"anju-households-{size}")
    serial = first_serial
    out = []
    for village in villages:
        county = village.code[:6] + "000000"
        for _ in range(per_village):
            serial += 1
            year = rng.randint(2012, 2020)
            approved = date(year, rng.randint(2, 6), rng.randint(1, 28))
            started = approved + timedelta(days=rng.randint(10, 60))
            completed = started + timedelta(days=rng.randint(60, 150))
            accepted = completed + timedelta(days=rng.randint(5, 30))
            size_ = rng.randint(1, 6)
            method = rng.choice(METHODS)
            grade = "D" if method != "修缮加固" else "C"
            area = min(60, 20 + 10 * size_) if size_ <= 3 else 15 * size_
            head_id = resident_id(county, serial)
            toilet = "有"
            anomaly = rng.random()
            if anomaly < 0.004:
                head_id = head_id[:-1] + ("0" if head_id[-1] != "0" else "1")  # check digit
            elif anomaly < 0.008:
                grade = "B"
            elif anomaly < 0.012:
                toilet = "无"
            elif anomaly < 0.016:
                area = 120
            elif anomaly < 0.02:
                accepted = None
            categories = rng.choice(CATEGORIES)
            assessed = (approved - timedelta(days=rng.randint(10, 90))).isoformat()
            if 0.02 <= anomaly < 0.022:
                grade, assessed = "", ""  # renovated without an assessment
            elif 0.022 <= anomaly < 0.024:
                categories = ""  # in no priority category
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            if 0.024 <= anomaly < 0.026 and year > 2013:
                # Subsidised twice: an earlier renovation of the same household.
                earlier = date(year - 2, 3, 10)
                out.append(
                    {
                        "county": counties.get(county, ""),
                        "township": village.parent.name,
                        "village": village.name,
                        "region_code": village.code,
                        "head_name": name,
                        "head_id": head_id,
                        "size": size_,
                        "categories": categories,
                        "structure": "土木",
                        "grade": "C",
                        "assessed_on": (earlier - timedelta(days=30)).isoformat(),
                        "approved_on": earlier.isoformat(),
                        "method": "修缮加固",
                        "year": year - 2,
                        "started_on": (earlier + timedelta(days=20)).isoformat(),
                        "completed_on": (earlier + timedelta(days=90)).isoformat(),
                        "accepted_on": (earlier + timedelta(days=100)).isoformat(),
                        "built_area": "",
                        "toilet": "有",
                        "subsidy_yuan": 10000,
                        "account": "",
                    }
                )
            out.append(
                {
                    "county": counties.get(county, ""),
                    "township": village.parent.name,
                    "village": village.name,
                    "region_code": village.code,
                    "head_name": name,
                    "head_id": head_id,
                    "size": size_,
                    "categories": categories,
                    "structure": rng.choice(STRUCTURES),
                    "grade": grade,
                    "assessed_on": assessed,
                    "approved_on": approved.isoformat(),
                    "method": method,
                    "year": year,
                    "started_on": started.isoformat(),
                    "completed_on": completed.isoformat(),
                    "accepted_on": accepted.isoformat() if accepted else "",
                    "built_area": area if method != "修缮加固" else "",
                    "toilet": toilet,
                    "subsidy_yuan": rng.choice([14000, 20000, 25000, 40000]),
                    "account": f"62170{rng.randint(10**10, 10**11 - 1)}",
                }
            )
    return out


def archive_csv(size: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([LABELS[f] for f in TEMPLATE])
    for record in rows(size):
        writer.writerow([record[f] for f in TEMPLATE])
    return out.getvalue().encode("utf-8")


def load_households(*, size: str, actor: str) -> int:
    from anju.households.imports import import_households
    from anju.households.models import Household

    if Household.objects.exists():
        return 0

    # Our own generated file, as large as the size asks: no cap on its rows.
    result = import_households(
        actor=actor, data=archive_csv(size), file_name=f"demo-{size}.csv", limits=NONE
    )
    if not result.ok:
        raise RuntimeError("; ".join(str(e) for e in result.errors[:5]))
    _payments_plates_visits(size, actor)
    _public_notice()
    return result.households_created


def _public_notice() -> None:
    """Every approved renovation was on public notice (公示) for seven days, ending three days
    before its approval: what the portal's disclosure list shows."""
    from django.db.models import DateField, ExpressionWrapper, F

    from anju.households.models import Renovation

    def shifted(days: int):
        return ExpressionWrapper(F("approved_on") - timedelta(days=days), output_field=DateField())

    Renovation.objects.filter(approved_on__isnull=False).update(
        notice_start=shifted(10), notice_end=shifted(3)
    )


def _payments_plates_visits(size: str, actor: str) -> None:
    """Payments for accepted renovations (a few late, short or to another account), safety
    plates and some quarterly visits, written in bulk as a loader does."""
    from django.utils import timezone

    from anju.households.models import FollowUpVisit, Payment, Renovation, SafetyPlate

    rng = random.Random(f"anju-payments-{size}")
    today = timezone.localdate()  # visits are recent by the day the demo is loaded
    payments, plates, visits = [], [], []
    visitor = User.objects.filter(username="xq_clerk").first()
    renovations = (
        Renovation.objects.filter(accepted_on__isnull=False)
        .select_related("household")
        .order_by("pk")
    )
    for n, renovation in enumerate(renovations.iterator(chunk_size=2000)):
        household = renovation.household
        paid_on = renovation.accepted_on + timedelta(days=rng.randint(3, 25))
        amount = renovation.subsidy_fen
        account, holder = household.account_number, household.head_name
        odd = rng.random()
        if odd < 0.01:
            paid_on = renovation.accepted_on + timedelta(days=rng.randint(60, 200))  # late
        elif odd < 0.02:
            amount = amount - 500_000  # short by 5,000 元
        elif odd < 0.03:
            account, holder = f"62170{rng.randint(10**10, 10**11 - 1)}", "王某某"  # not theirs
        payments.append(
            Payment(
                renovation=renovation,
                paid_on=paid_on,
                amount_fen=amount,
                account_number=account,
                account_holder=holder,
            )
        )
        plated = rng.random()
        if plated < 0.01:  # issued, never hung
            plates.append(
                SafetyPlate(
                    household=household,
                    number=f"{household.region_id[:6]}-D-{n + 1:07d}",
                    grade=rng.choice(["A", "B"]),
                    issued_on=renovation.accepted_on,
                    deadline=renovation.accepted_on + timedelta(days=30),
                )
            )
        elif plated < 0.8:
            installed = renovation.accepted_on + timedelta(days=rng.randint(5, 40))
            plates.append(
                SafetyPlate(
                    household=household,
                    number=f"{household.region_id[:6]}-D-{n + 1:07d}",
                    grade=rng.choice(["A", "B"]),
                    issued_on=renovation.accepted_on,
                    deadline=renovation.accepted_on + timedelta(days=30),
                    installed_on=installed,
                )
            )
        if visitor is not None:
            # Most visited within the quarter; a few overdue; a few still in the old house.
            odd = rng.random()
            days_ago = rng.randint(100, 200) if odd < 0.02 else rng.randint(5, 80)
            findings = []
            if 0.02 <= odd < 0.05:
                findings = ["leaky"]
            elif 0.05 <= odd < 0.055 and renovation.method != "repair":
                findings = ["still_in_old"]
            visits.append(
                FollowUpVisit(
                    household=household,
                    visitor=visitor,
                    visited_on=today - timedelta(days=days_ago),
                    findings=findings,
                )
            )
    Payment.objects.bulk_create(payments, batch_size=2000)
    SafetyPlate.objects.bulk_create(plates, batch_size=2000)
    FollowUpVisit.objects.bulk_create(visits, batch_size=2000)

    # The overview's recount (anju.demo, after this loader) reads these next: PostgreSQL's
    # planner must know.
    analyze(Payment, SafetyPlate, FollowUpVisit)
    from anju.households.facts import facts_refresh

    # The paid households' list facts (the import set the rest).
    facts_refresh({payment.renovation.household_id for payment in payments})

    # A bulk path signals never see: audited explicitly, once, with what it wrote.
    audit(
        actor=actor,
        action=Action.IMPORT,
        obj="households.demo",
        region_code="",
        after={"payments": len(payments), "plates": len(plates), "visits": len(visits)},
    )
