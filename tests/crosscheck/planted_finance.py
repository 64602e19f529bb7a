"""A generated case like issue 31's: an archive with no payment columns at all, the money known
only from the finance bureau's one-card (惠民惠农"一卡通") list, with the usual noise; and a
known number of planted anomalies for every rule.

The noise that must find nothing: payments split into installments; holder names in
traditional characters, with spaces or a full-width space; IDs written as clerks write them;
namesakes (a death and a payment of someone else with a head's name); deaths long after the
money was paid; households renovated twice, each payment matched to its renovation by its day;
earth and timber houses torn down and rebuilt (the family lives in the new house: no visits
owed), and repaired earth houses visited on time.

Used by tests/crosscheck/test_planted_finance.py (3,000 households) and by `make bench`
(100,000 households, bench/crosscheck.py). `load()` goes through the real archive and list
imports; plates and visits are written in bulk."""

import random
from datetime import date, timedelta

from opencc import OpenCC

from anju.crosscheck.choices import Rule
from anju.households.demo import resident_id
from anju.households.models import FollowUpVisit, Household, SafetyPlate
from anju.tabular.inserts import analyze
from tests.crosscheck.test_planted import (
    DATE_FORMS,
    Case,
    id_as_written,
    import_archive,
    import_lists,
)

TODAY = date(2026, 11, 22)
COUNTY = "350881000000"
FINANCE_HEADER = [
    "姓名",
    "身份证号",
    "一卡通账号",
    "账户名",
    "发放金额(元)",
    "发放日期",
    "补贴项目",
]
SUBSIDY_YUAN = 40_000
# Every rule the case plants (every rule there is; a rule added later is planted here too),
# except NOT_RENOVATED: a renovation case is opened by an assessment recorded by hand, which an
# archive-and-lists case does not make; tests/crosscheck/test_planted.py plants it (and its near
# misses). Here it must find nothing, which the precision check proves.
PLANTED = [rule for rule in Rule if rule != Rule.NOT_RENOVATED]


class FinanceCase(Case):
    """`build()` the households, lists and payments and remember what was planted
    (`expected`: (rule, ID) pairs); `load()` them through the imports."""

    def __init__(self, households: int = 3000, per_rule: int = 20, seed: str = "finance"):
        super().__init__(alice=None)
        self.size = households
        self.per_rule = per_rule
        self.rng = random.Random(seed)
        self.finance: list[list] = []
        self.traditional = OpenCC("s2t")

    # The households ------------------------------------------------------------------------

    def person(self, **over) -> dict:
        n = self.serial + 1
        earth = n % 9 < 4  # about 45% lived in an earth or timber house, now rebuilt
        noise = {
            "id": resident_id(COUNTY, 1000 + n * 37),
            "name": self.rng.choice("陈林黄张李王吴刘郑")
            + self.rng.choice("金永春玉德海秋志")
            + self.rng.choice("生水英华"),
            "structure": self.rng.choice(["土木", "土坯", "砖木"]) if earth else "砖混",
            "installments": 1 + n % 3,
            "first_paid_after": 5 + n % 20,
            "short_yuan": 0,
            "visit_days_ago": 20 if n % 2 else None,  # rebuilt houses are not visited
        }
        return super().person(**{**noise, **over})

    def build(self) -> "FinanceCase":
        k = self.per_rule
        for i in range(k):
            # The head died after acceptance, before the first payment (or before approval).
            if i % 2:
                died = self.plant(Rule.DECEASED_BENEFICIARY, first_paid_after=20)
                self.lists["deaths"].append(
                    [died["name"], died["id"], died["accepted"] + timedelta(days=8)]
                )
            else:
                died = self.plant(Rule.DECEASED_BENEFICIARY)
                self.lists["deaths"].append(
                    [died["name"], died["id"], died["approved"] - timedelta(days=10)]
                )
            self.plant(Rule.INELIGIBLE, category="低保", ended=True)
            self.plant(Rule.DUPLICATE_SUBSIDY, years=[2015, 2019])
            if i % 2:
                self.plant(Rule.PAYMENT_ACCOUNT, pay_to=f"6222{900_000 + i:012d}")
            else:
                self.plant(Rule.PAYMENT_ACCOUNT, holder="赵某某")
            self.plant(Rule.PAYMENT_AMOUNT, short_yuan=5_000, installments=2 + i % 2)
            if i % 2:
                self.plant(Rule.PAYMENT_LATE, first_paid_after=90)
            else:
                self.plant(Rule.PAYMENT_LATE, unpaid=True)
            good = resident_id(COUNTY, 5_000_000 + self.serial * 41)
            bad = good[:-1] + ("0" if good[-1] != "0" else "1")
            self.plant(Rule.INVALID_ID, id=bad, category="五保")
            if i % 2:
                self.plant(Rule.RECORD_MISMATCH, category="建档立卡", listed_as="王某某")
            else:
                # Entered as 建档立卡, unknown to the poverty office: one fact, two reasons.
                p = self.plant(Rule.RECORD_MISMATCH, category="建档立卡", unlisted=True)
                self.expected.add((Rule.INELIGIBLE.value, p["id"]))
            self.plant(Rule.NO_ASSESSMENT, grade="")
            self.plant(Rule.GRADE_MISMATCH, grade="B")
            self.plant(Rule.AREA_STANDARD, area=150)
            self.plant(Rule.NO_TOILET, toilet="无")
            self.plant(Rule.NO_ACCEPTANCE, accepted=None, unpaid=True, structure="砖混")
            # A repaired earth house: the family still lives in it, visits are owed.
            self.plant(
                Rule.VISIT_OVERDUE,
                structure="土木",
                method="修缮加固",
                area="",
                visit_days_ago=None if i % 2 else 150,
            )
            self.plant(Rule.PLATE_MISSING, plate_missing=True)
            self.plant(Rule.STILL_IN_DANGEROUS_HOUSE, still_in_old=True, visit_days_ago=20)
            newcomer = resident_id(COUNTY, 9_000_000 + self.serial)
            self.serial += 1
            self.lists["poverty"].append(["新识别户", newcomer, "2026-08-01", ""])
            self.expected.add((Rule.ASSESSMENT_OVERDUE.value, newcomer))
        # Repaired earth houses visited on time, and the clean households.
        for _ in range(k):
            self.person(structure="土坯", method="修缮加固", area="", visit_days_ago=30)
        while len(self.people) < self.size:
            self.person()
        missing = {r.value for r in PLANTED} - {rule for rule, _ in self.expected}
        assert not missing, f"not planted: {missing}"
        for p in self.people:
            self._write(p)
        self._namesakes()
        return self

    def _write(self, p: dict) -> None:
        for year in p["years"]:
            self.rows.append(self.row(p, year, p["approved"].replace(year=year)))
            if p["accepted"] and not p.get("unpaid"):
                self._pay(p, year)
        kind = {"建档立卡": "poverty", "低保": "subsistence", "五保": "extreme-poor"}[p["category"]]
        if p.get("unlisted"):
            return
        name = p.get("listed_as") or p["name"]
        if kind == "poverty" and "listed_as" not in p and p["n"] % 4 == 0:
            name = self.traditional.convert(name)  # a near miss for RECORD_MISMATCH
        end = ""
        if p.get("ended"):
            end = (p["approved"] - timedelta(days=30)).isoformat()
        self.lists[kind].append([name, id_as_written(p["id"], p["n"] + 1), "2010-01-01", end])
        if p["n"] % 50 == 0:  # died long after everything was paid: nothing to find
            self.lists["deaths"].append([p["name"], p["id"], "2025-06-01"])

    def _holder(self, p: dict) -> str:
        if p.get("holder"):
            return p["holder"]
        name = p["name"]
        form = p["n"] % 4
        if form == 0:
            return self.traditional.convert(name)
        if form == 1:
            return " ".join(name)
        if form == 2:
            return name[0] + "\u3000" + name[1:]
        return name

    def _pay(self, p: dict, year: int) -> None:
        accepted = p["accepted"].replace(year=year)
        total = SUBSIDY_YUAN - p["short_yuan"]
        parts = p["installments"]
        amounts = [total // parts] * parts
        amounts[0] += total - sum(amounts)
        for at, amount in enumerate(amounts):
            paid = accepted + timedelta(days=p["first_paid_after"] + 7 * at)
            self.finance.append(
                [
                    p["name"],
                    id_as_written(p["id"], p["n"] + at),
                    p.get("pay_to") or p["account"],
                    self._holder(p),
                    f"{amount:.2f}" if at % 2 else str(amount),
                    DATE_FORMS[(p["n"] + at) % len(DATE_FORMS)](paid),
                    f"{year}年农村危房改造补助" + (f"（第{at + 1}批）" if parts > 1 else ""),
                ]
            )

    def _namesakes(self) -> None:
        """People outside the archive with the names of heads in it: different people."""
        for at, p in enumerate(self.people[: self.size // 20]):
            other = resident_id(COUNTY, 12_000_000 + at)
            self.lists["deaths"].append([p["name"], other, p["approved"].isoformat()])
            self.finance.append(
                [p["name"], other, f"6228{at:012d}", p["name"], "1200", "2019-11-01", "耕地补贴"]
            )

    # Loading ---------------------------------------------------------------------------------

    def load(self, visitor) -> None:
        import_archive(self.rows)
        import_lists({**self.lists, "payments": self.finance})
        households = dict(Household.objects.values_list("head_id_digest", "pk"))
        from anju.crypto import blind

        plates, visits = [], []
        for p in self.people:
            hid = households[blind(p["id"], "id")]
            if p["accepted"]:
                plates.append(
                    SafetyPlate(
                        household_id=hid,
                        number=f"P-{p['n']}",
                        grade="A",
                        issued_on=TODAY - timedelta(days=60),
                        deadline=TODAY - timedelta(days=30),
                        installed_on=None if p.get("plate_missing") else TODAY - timedelta(days=40),
                    )
                )
            if p["visit_days_ago"] is not None:
                visits.append(
                    FollowUpVisit(
                        household_id=hid,
                        visitor=visitor,
                        visited_on=TODAY - timedelta(days=p["visit_days_ago"]),
                        findings=["still_in_old"] if p.get("still_in_old") else [],
                    )
                )
        SafetyPlate.objects.bulk_create(plates, batch_size=2000)
        FollowUpVisit.objects.bulk_create(visits, batch_size=2000)
        analyze(SafetyPlate, FollowUpVisit)  # as the demo does after writing them in bulk
