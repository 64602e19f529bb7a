"""Issue #10 item 2: a department's list import turns new poor households without an assessment
into tasks for their township, due a calendar month after the list arrived."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from anju.assessments.models import AssessmentTask, TaskReason
from anju.assessments.services import add_month
from anju.audit.models import AuditEntry
from anju.households.models import Assessment, House, Household, Person, Renovation
from anju.households.services import assessment_add
from anju.oversight.models import RectificationItem
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import found, reference
from tests.households.files import rid, row, xlsx

SH = ZoneInfo("Asia/Shanghai")
HEADER = ["姓名", "身份证号", "识别日期"]
ARRIVED = datetime(2026, 1, 31, 10, tzinfo=SH)


def noted(text: str) -> list[AuditEntry]:
    return [e for e in AuditEntry.objects.order_by("seq") if text in e.changes.get("note", "")]


def family(n: int, village="350881100203", *, members=(), assessed=False, renovated=False):
    """A household of the archive (head plus members), its old house, optionally assessed."""
    household = Household.objects.create(region_id=village, head_name=f"户主{n}", head_id=rid(n))
    Person.objects.create(household=household, name=f"户主{n}", id_number=rid(n))
    for m in members:
        Person.objects.create(
            household=household, name=f"成员{m}", id_number=rid(m), relation="子女"
        )
    house = House.objects.create(household=household, structure="earth_timber")
    if assessed:
        Assessment.objects.create(house=house, grade="C", assessed_on=date(2025, 6, 1))
    if renovated:
        Renovation.objects.create(household=household, year=2025)
    return household


def poverty(*numbers, ended=()):
    rows = [[f"人员{n}", rid(n), "2025-12-01"] for n in numbers]
    rows += [[f"人员{n}", rid(n), "2025-12-01"] for n in ended]
    header = HEADER
    if ended:
        header = [*HEADER, "退出日期"]
        rows = [[*r, ""] for r in rows[: len(numbers)]] + [
            [f"人员{n}", rid(n), "2025-12-01", "2025-12-31"] for n in ended
        ]
    return reference("poverty", header, rows, as_of=date(2026, 1, 31))


class DueDateTests(AnjuTestCase):
    def test_it_adds_a_calendar_month_and_clamps_to_the_month_end(self):
        self.assertEqual(add_month(date(2026, 1, 15)), date(2026, 2, 15))
        self.assertEqual(add_month(date(2026, 1, 31)), date(2026, 2, 28))
        self.assertEqual(add_month(date(2028, 1, 31)), date(2028, 2, 29))
        self.assertEqual(add_month(date(2026, 3, 31)), date(2026, 4, 30))
        self.assertEqual(add_month(date(2026, 12, 20)), date(2027, 1, 20))


@time_machine.travel(ARRIVED, tick=False)
class TaskCreationTests(AnjuTestCase):
    def test_a_list_makes_tasks_for_new_unassessed_households_only(self):
        new = family(1)
        family(2, assessed=True)  # already assessed: nothing to do
        family(3, renovated=True)  # renovated without assessment: NO_ASSESSMENT's finding
        member = family(4, "350881101201", members=[40])  # a member on the list, 双洋镇
        poverty(1, 2, 3, 40, 99)  # 99: in no household of the archive (待建档, tests below)
        tasks = AssessmentTask.objects.exclude(reason=TaskReason.NEW_HOUSEHOLD)
        tasks = tasks.order_by("household_id")
        self.assertEqual([t.household_id for t in tasks], [new.pk, member.pk])
        first = tasks[0]
        self.assertEqual(first.region_id, "350881100000")
        self.assertEqual(tasks[1].region_id, "350881101000")
        self.assertEqual((first.received_on, first.due_on), (date(2026, 1, 31), date(2026, 2, 28)))
        self.assertEqual(first.reason, TaskReason.NEW_PERSON)
        self.assertEqual(first.reference.kind, "poverty")
        (entry,) = noted("生成鉴定任务")
        self.assertEqual(entry.changes["after"]["tasks"], 3)
        # 99 has no address on the list: put in the county its ID was issued in, to be placed.
        self.assertEqual(
            entry.changes["after"]["townships"],
            {"350881100000": 1, "350881101000": 1, "350881000000": 1},
        )

    def test_the_task_keeps_the_id_number_sealed(self):
        from django.db import connection

        family(1)
        poverty(1)
        (task,) = AssessmentTask.objects.all()
        self.assertEqual(task.id_number, rid(1))  # read back in clear through the model
        self.assertEqual(task.id_number_masked[:6], rid(1)[:6])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM assessments_assessmenttask")
            (stored,) = cursor.fetchone()
        self.assertNotIn(rid(1).encode(), bytes(stored))  # raw SQL sees only ciphertext

    def test_people_already_on_the_previous_list_get_no_task(self):
        family(1)
        family(2)
        first = poverty(1)
        AssessmentTask.objects.all().delete()  # as if the first list had been dealt with
        second = poverty(1, 2)
        first.refresh_from_db()
        self.assertEqual(first.superseded_by_id, second.pk)
        self.assertEqual(
            list(AssessmentTask.objects.values_list("household__head_id", flat=True)), [rid(2)]
        )

    def test_re_importing_the_same_list_makes_no_duplicates(self):
        family(1)
        poverty(1)
        poverty(1)
        self.assertEqual(AssessmentTask.objects.count(), 1)

    def test_another_list_naming_the_same_household_adds_no_second_open_task(self):
        family(1)
        poverty(1)
        reference("subsistence", ["姓名", "身份证号"], [["人员1", rid(1)]])
        self.assertEqual(AssessmentTask.objects.count(), 1)

    def test_newly_in_the_category_counts(self):
        # On the previous list but no longer current there (ended); current again now.
        family(1)
        family(2, members=[20])
        poverty(ended=[1])
        self.assertFalse(AssessmentTask.objects.exists())
        reference(
            "poverty",
            ["姓名", "身份证号", "户主身份证号"],
            [["人员1", rid(1), ""], ["成员X", rid(21), rid(2)]],
        )
        tasks = {t.household.head_id: t.reason for t in AssessmentTask.objects.all()}
        # 1: back in the category; 2: named by its head's ID, no one of it on the earlier list.
        self.assertEqual(tasks, {rid(1): TaskReason.NEW_PERSON, rid(2): TaskReason.NEW_CATEGORY})

    def test_lists_that_are_not_priority_categories_make_no_tasks(self):
        family(1)
        reference("deaths", ["姓名", "身份证号", "死亡日期"], [["人员1", rid(1), "2025-12-01"]])
        self.assertFalse(AssessmentTask.objects.exists())


@time_machine.travel(ARRIVED, tick=False)
class TaskClosingTests(AnjuTestCase):
    def test_recording_an_assessment_closes_the_task(self):
        household = family(1)
        poverty(1)
        assessment = assessment_add(
            actor=self.alice,
            house=household.houses.get(),
            grade="D",
            assessed_on=date(2026, 1, 30),
            assessor="漳平市住建局",
            method="现场查勘",
        )
        task = AssessmentTask.objects.get()
        self.assertEqual((task.done_on, task.assessment_id), (date(2026, 1, 30), assessment.pk))
        self.assertEqual(task.status_on(date(2026, 3, 1)), "done")

    def test_the_household_import_closes_tasks_set_based(self):
        household = family(1)
        family(2)
        poverty(1, 2)
        from anju.households.imports import import_households

        # The archive brings household 1's assessment (and renovation); 2 stays open.
        result = import_households(
            actor="test",
            data=xlsx([row(1, **{"户主姓名": "户主1", "鉴定日期": "2026-01-20"})]),
            file_name="a.xlsx",
        )
        self.assertTrue(result.ok, result.errors)
        done = AssessmentTask.objects.get(household=household)
        self.assertEqual(done.done_on, date(2026, 1, 20))
        self.assertIsNone(AssessmentTask.objects.get(household__head_id=rid(2)).done_on)
        self.assertEqual(len(noted("关闭鉴定任务 1 条")), 1)


class OverdueTests(AnjuTestCase):
    def setUp(self):
        with time_machine.travel(ARRIVED, tick=False):
            self.household = family(1)
            self.list = poverty(1)

    def test_overdue_task_is_a_finding_even_after_its_list_is_superseded(self):
        with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=SH), tick=False):
            reference("poverty", HEADER, [["别人", rid(7), "2026-01-01"]])
            hits = found("ASSESSMENT_OVERDUE")
        self.assertEqual([f.household_id for f in hits], [self.household.pk])
        self.assertIn("鉴定任务应于2026年2月28日前完成", hits[0].evidence)

    def test_a_renovated_household_is_no_assessments_finding_not_this_one(self):
        Renovation.objects.create(household=self.household, year=2026)
        with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=SH), tick=False):
            reference("poverty", HEADER, [["别人", rid(7), "2026-01-01"]])
            self.assertEqual(found("ASSESSMENT_OVERDUE"), [])

    def test_not_overdue_on_the_due_day(self):
        with time_machine.travel(datetime(2026, 2, 28, 9, tzinfo=SH), tick=False):
            task = AssessmentTask.objects.get()
            self.assertEqual(task.status_on(date(2026, 2, 28)), "open")
            self.assertEqual(found("ASSESSMENT_OVERDUE"), [])
        self.assertEqual(task.status_on(date(2026, 3, 1)), "overdue")

    def test_overdue_tasks_go_on_the_township_problem_list_once(self):
        with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
            self.login(self.alice)
            page = self.client.get(reverse("assessments:tasks") + "?status=overdue")
            self.assertContains(page, "户主1")
            self.assertContains(page, "将逾期任务列入问题清单")
            url = reverse("assessments:escalate")
            self.client.post(url, {"region_code": "350881100000"})
            self.client.post(url, {"region_code": "350881100000"})
        item = RectificationItem.objects.get()
        self.assertEqual((item.source, item.region_id), ("assessment", "350881100000"))
        self.assertIn("户主1户列入建档立卡贫困户名单", item.description)
        self.assertEqual(AssessmentTask.objects.get().item_id, item.pk)

    def test_a_neighbouring_township_sees_and_escalates_nothing(self):
        with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
            self.login(self.bob)
            page = self.client.get(reverse("assessments:tasks") + "?status=all")
            self.assertNotContains(page, "户主1")
            response = self.client.post(
                reverse("assessments:escalate"), {"region_code": "350881100000"}
            )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(RectificationItem.objects.exists())


@time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SH), tick=False)
class TaskPageTests(AnjuTestCase):
    def setUp(self):
        with time_machine.travel(ARRIVED, tick=False):
            self.household = family(1)
            family(2)
            poverty(1, 2)
        Assessment.objects.create(
            house=Household.objects.get(head_id=rid(2)).houses.get(), grade="B"
        )
        from anju.assessments.services import tasks_close_assessed

        tasks_close_assessed(actor="test")

    def test_the_township_filters_its_tasks(self):
        self.login(self.alice)
        url = reverse("assessments:tasks")
        self.assertContains(self.client.get(url + "?status=done"), "户主2")
        overdue = self.client.get(url + "?status=overdue").content.decode()
        self.assertIn("户主1", overdue)
        self.assertNotIn("户主2", overdue)
        self.assertNotContains(self.client.get(url + "?kind=subsistence&status=all"), "户主1")

    def test_the_household_page_and_home_show_tasks(self):
        self.login(self.alice)
        page = self.client.get(reverse("households:household", args=[self.household.pk]))
        self.assertContains(page, "新增对象鉴定任务")
        self.assertContains(page, "已逾期")
        # The clerk's home is the workbench (issue 27): the overdue task is an item on it.
        home = self.client.get(reverse("home")).content.decode()
        self.assertIn("新增对象鉴定任务已逾期", home)

    def test_the_export_is_masked_formula_safe_and_audited(self):
        import io

        from python_calamine import CalamineWorkbook

        Household.objects.filter(pk=self.household.pk).update(head_name="=HYPERLINK(1)")
        self.login(self.alice)
        response = self.client.post(
            reverse("assessments:export") + "?status=all", {"reason": "核查"}
        )
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        cells = [c for r in book.get_sheet_by_index(0).to_python() for c in r if c]
        self.assertIn("'=HYPERLINK(1)", cells)
        self.assertNotIn(rid(1), cells)
        self.assertEqual([e.action for e in noted("导出鉴定任务")], ["export"])
