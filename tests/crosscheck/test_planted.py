"""A generated case: clean households, three planted anomalies for every rule, and the noise of
real files (header aliases, title rows, date forms, ID forms, name variants, GBK CSV, amounts in
万元). The full rule set must find what was planted with recall and precision of at least 0.99."""

import csv
import io
import random
from datetime import date, timedelta

import time_machine
import xlsxwriter
from opencc import OpenCC

from anju.crosscheck.choices import Rule
from anju.crosscheck.models import Finding
from anju.crosscheck.references import import_reference
from anju.crosscheck.runs import execute, start_run
from anju.households.demo import resident_id
from anju.households.imports import import_households
from anju.households.models import (
    Assessment,
    CategoryRecord,
    FollowUpVisit,
    House,
    Household,
    Payment,
    Person,
    Renovation,
    SafetyPlate,
)
from anju.identity import parse_id
from anju.regions.models import Region
from tests.base import AnjuTestCase

TODAY = date(2026, 11, 22)
PER_RULE = 3
CLEAN = 200
# The archive with the second set of header aliases CONTRACT.md lists, under a title row.
HEADER = [
    "区县",
    "乡镇",
    "村",
    "姓名",
    "身份证号码",
    "人口数",
    "对象类别",
    "原房屋结构",
    "鉴定等级",
    "鉴定时间",
    "批复日期",
    "改造方式",
    "年度",
    "开工日期",
    "竣工日期",
    "验收日期",
    "建筑面积(㎡)",
    "卫生厕所",
    "补助资金（万元）",
    "社保卡号",
]
DATE_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def id_as_written(number: str, n: int) -> str:
    """The ID as a clerk typed it: lowercase x, full-width digits, spaces, or 15 digits."""
    form = n % 5
    if form == 1 and number.endswith("X"):
        return number.lower()
    if form == 2:
        return number.translate(FULL_WIDTH)
    if form == 3:
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    old = number[:6] + number[8:17]
    if form == 4 and number[6:8] == "19" and parse_id(old).number == number:
        return old  # (an ID with a wrong check digit has no faithful 15-digit form)
    return number


LIST_HEADERS = {
    "deaths": (["死者姓名", "公民身份号码", "死亡时间"], "gbk"),
    "poverty": (["户主姓名", "户主身份证号", "识别日期", "退出日期"], "utf-8-sig"),
    "subsistence": (["姓名", "身份证号", "起始日期", "终止日期"], "utf-8"),
    "extreme-poor": (["姓名", "身份证号", "开始日期", "结束日期"], "gb18030"),
    "payments": (
        ["姓名", "身份证号", "一卡通账号", "账户名", "发放金额(元)", "发放日期", "补贴项目"],
        "gb18030",
    ),
}


def import_archive(rows: list[list]) -> None:
    """The archive through the real import, as an xlsx under a title row."""
    book_data = io.BytesIO()
    book = xlsxwriter.Workbook(book_data, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "新桥镇农村危房改造农户档案（2019年）")
    sheet.write_row(2, 0, HEADER)
    for i, values in enumerate(rows, 3):
        for j, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    book.close()
    result = import_households(actor="test", data=book_data.getvalue(), file_name="a.xlsx")
    assert result.ok, result.errors[:5]


def import_lists(lists: dict[str, list[list]]) -> None:
    """Each department's list through the real import: CSV under a title line, in the encoding
    that department uses; received two months before the run."""
    city = Region.objects.get(code="350800000000")
    for kind, rows in lists.items():
        header, encoding = LIST_HEADERS[kind]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["某部门提供"])  # a title line
        writer.writerow(header)
        writer.writerows(rows)
        loaded = import_reference(
            actor="test",
            kind=kind,
            data=out.getvalue().encode(encoding),
            file_name=f"{kind}.csv",
            region=city,
        )
        assert loaded.ok, loaded.errors[:5]
        loaded.reference.received_on = date(2026, 9, 20)
        loaded.reference.save()


class Case:
    """Build the archive, the lists, payments, plates and visits; remember what was planted."""

    def __init__(self, alice):
        self.alice = alice
        self.rng = random.Random("planted")
        self.expected: set[tuple[str, str]] = set()
        self.rows: list[list] = []
        self.people: list[dict] = []
        self.lists: dict[str, list[list]] = {
            "deaths": [],
            "poverty": [],
            "subsistence": [],
            "extreme-poor": [],
        }
        self.serial = 0
        self.dangerous: list[tuple[str, str]] = []

    def person(self, **over) -> dict:
        self.serial += 1
        n = self.serial
        approved = date(2019, 3, 1) + timedelta(days=n % 60)
        p = {
            "n": n,
            "id": resident_id("350881000000", 1000 + n * 37),
            "name": self.rng.choice("陈林黄张李王吴刘")
            + self.rng.choice("金永春玉德海秋志")
            + "生",
            "category": ["建档立卡", "低保", "五保"][n % 3],
            "structure": "砖混",
            "grade": "D",
            "method": "拆除重建",
            "approved": approved,
            "accepted": approved + timedelta(days=200),
            "area": 60,
            "size": 3,
            "toilet": "有",
            "wan": "4",
            "account": f"6217{n:012d}",
            "years": [2019],
            "paid": True,
        }
        p.update(over)
        self.people.append(p)
        return p

    def plant(self, rule: str, **over) -> dict:
        p = self.person(**over)
        self.expected.add((rule, p["id"]))
        return p

    def build(self):
        for _ in range(CLEAN):
            self.person()
        for _ in range(PER_RULE):
            died = self.plant(Rule.DECEASED_BENEFICIARY)
            self.lists["deaths"].append(
                [died["name"], died["id"], died["approved"] - timedelta(days=10)]
            )
            self.plant(Rule.INELIGIBLE, category="低保", ended=True)
            self.plant(Rule.DUPLICATE_SUBSIDY, years=[2015, 2019])
            self.plant(Rule.PAYMENT_ACCOUNT, pay_to="6222999988887777")
            self.plant(Rule.PAYMENT_AMOUNT, short=True)
            self.plant(Rule.PAYMENT_LATE, late=True)
            good = resident_id("350881000000", 5000 + self.serial * 41)
            bad = good[:-1] + ("0" if good[-1] != "0" else "1")
            self.plant(Rule.INVALID_ID, id=bad, category="五保")
            self.plant(Rule.RECORD_MISMATCH, category="建档立卡", listed_as="王某某")
            self.plant(Rule.NO_ASSESSMENT, grade="")
            self.plant(Rule.GRADE_MISMATCH, grade="B")
            self.plant(Rule.AREA_STANDARD, area=150)
            self.plant(Rule.NO_TOILET, toilet="无")
            self.plant(Rule.NO_ACCEPTANCE, accepted=None, paid=False)
            # A repaired earth-timber house (a rebuilt one is torn down: no visits owed).
            self.plant(Rule.VISIT_OVERDUE, structure="土木", method="修缮加固", visit_days_ago=150)
            self.plant(Rule.PLATE_MISSING, plate_missing=True)
            self.plant(Rule.STILL_IN_DANGEROUS_HOUSE, still_in_old=True)
            # Assessed D, a priority household, nothing begun in 60 days; beside it the near
            # misses: within the window, begun in time, in no category, re-assessed A.
            for case, planted in (
                ("late", True),
                ("recent", False),
                ("begun", False),
                ("no_category", False),
                ("now_safe", False),
            ):
                number = resident_id("350881000000", 70_000 + self.serial * 13)
                self.serial += 1
                self.dangerous.append((number, case))
                if planted:
                    self.expected.add((Rule.NOT_RENOVATED, number))
            newcomer = resident_id("350881000000", 90_000 + self.serial)
            self.serial += 1
            self.lists["poverty"].append(["新识别户", newcomer, "2026-08-01", ""])
            self.expected.add((Rule.ASSESSMENT_OVERDUE, newcomer))
        to_traditional = OpenCC("s2t")
        for p in self.people:
            for year in p["years"]:
                approved = p["approved"].replace(year=year)
                self.rows.append(self.row(p, year, approved))
            kind = {"建档立卡": "poverty", "低保": "subsistence", "五保": "extreme-poor"}[
                p["category"]
            ]
            name = p.get("listed_as") or p["name"]
            if kind == "poverty" and "listed_as" not in p and p["n"] % 4 == 0:
                name = to_traditional.convert(name)  # a near miss for RECORD_MISMATCH
            if kind == "poverty" and "listed_as" not in p and p["n"] % 4 == 1:
                name = name[0] + "\u3000" + name[1:]  # a near miss, too
            end = ""
            if p.get("ended"):
                end = (p["approved"] - timedelta(days=30)).isoformat()
            written = id_as_written(p["id"], p["n"] + 1)
            self.lists[kind].append([name, written, "2010-01-01", end])

    def row(self, p: dict, year: int, approved: date) -> list:
        fmt = DATE_FORMS[p["n"] % len(DATE_FORMS)]
        accepted = p["accepted"].replace(year=year) if p["accepted"] else None
        return [
            "漳平市",
            "新桥镇 ",  # a trailing space
            "西埔村",
            p["name"][0] + " " + p["name"][1:] if p["n"] % 7 == 0 else p["name"],
            id_as_written(p["id"], p["n"]),
            p["size"],
            p["category"],
            p["structure"],
            p["grade"],
            fmt(approved - timedelta(days=20)) if p["grade"] else "",
            fmt(approved),
            p["method"],
            year,
            fmt(approved + timedelta(days=30)),
            fmt(approved + timedelta(days=180)),
            fmt(accepted) if accepted else "",
            p["area"],
            p["toilet"],
            p["wan"],
            p["account"],
        ]

    def load(self):
        import_archive(self.rows)
        import_lists(self.lists)
        for p in self.people:
            household = Household.objects.get(head_id=p["id"])
            for renovation in household.renovations.all():
                if p["paid"]:
                    accepted = renovation.accepted_on
                    Payment.objects.create(
                        renovation=renovation,
                        paid_on=accepted + timedelta(days=90 if p.get("late") else 10),
                        amount_fen=renovation.subsidy_fen - (500_000 if p.get("short") else 0),
                        account_number=p.get("pay_to") or household.account_number,
                        account_holder=household.head_name,
                    )
            if p["accepted"]:
                SafetyPlate.objects.create(
                    household=household,
                    number=f"P-{p['n']}",
                    grade="A",
                    issued_on=TODAY - timedelta(days=60),
                    deadline=TODAY - timedelta(days=30),
                    installed_on=None if p.get("plate_missing") else TODAY - timedelta(days=40),
                )
            FollowUpVisit.objects.create(
                household=household,
                visitor=self.alice,
                visited_on=TODAY - timedelta(days=p.get("visit_days_ago", 20)),
                findings=["still_in_old"] if p.get("still_in_old") else [],
            )
        for n, (number, case) in enumerate(self.dangerous):
            household = Household.objects.create(
                region_id="350881100203", head_name=f"危房户{n}", head_id=number
            )
            Person.objects.create(household=household, name=household.head_name, id_number=number)
            house = House.objects.create(household=household, structure="brick_concrete")
            assessed = TODAY - timedelta(days=10 if case == "recent" else 60)
            Assessment.objects.create(house=house, grade="D", assessed_on=assessed)
            if case != "no_category":
                CategoryRecord.objects.create(
                    household=household, category="subsistence", department="民政局"
                )
            if case == "begun":
                Renovation.objects.create(
                    household=household, year=2026, applied_on=assessed + timedelta(days=20)
                )
            if case == "now_safe":
                Assessment.objects.create(house=house, grade="A", assessed_on=TODAY)


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class PlantedCaseTests(AnjuTestCase):
    def test_every_rule_finds_what_was_planted_and_nothing_else(self):
        case = Case(self.alice)
        case.build()
        case.load()
        run = execute(start_run(actor="test", region=Region.objects.get(code="350881000000")))
        found = set(Finding.objects.filter(last_run=run).values_list("rule", "id_number"))
        planted = {(str(rule), number) for rule, number in case.expected}
        self.assertEqual({rule for rule, _ in planted}, set(Rule.values))  # every rule planted
        hit = found & planted
        recall, precision = len(hit) / len(planted), len(hit) / max(1, len(found))
        self.assertGreaterEqual(recall, 0.99, f"missed: {sorted(planted - found)}")
        self.assertGreaterEqual(precision, 0.99, f"not planted: {sorted(found - planted)}")
