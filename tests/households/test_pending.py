"""Issue #24 item 1: a person on a priority list the archive lacks becomes a pending household
(待建档) in the right township, with an assessment task due a calendar month after the list
arrived; entering a household by hand or adding a category by change request makes the same
task; nothing is made twice."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
import xlsxwriter
from django.core.exceptions import ValidationError
from django.urls import reverse

from anju.assessments.models import AssessmentTask, TaskReason
from anju.crosscheck.references import import_reference
from anju.households.changes import change_decide, change_propose
from anju.households.models import ChangeField, Household, Person
from anju.households.pending import household_complete, household_place
from anju.households.services import household_create
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.households.files import rid

SH = ZoneInfo("Asia/Shanghai")
ARRIVED = datetime(2026, 1, 31, 10, tzinfo=SH)
COUNTY = "350881000000"


def upload(header, rows, *, kind="poverty", region=COUNTY, title="漳平市新识别贫困人口名单"):
    """A department's workbook as they send it: a title row, a blank row, the header."""
    import io

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, len(header) - 1, title)
    sheet.write_row(2, 0, header)
    for i, values in enumerate(rows, 3):
        for j, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, value)
    book.close()
    result = import_reference(
        actor="test",
        kind=kind,
        data=out.getvalue(),
        file_name="名单.xlsx",
        region=Region.objects.get(code=region),
    )
    assert result.ok, result.errors
    return result


def archived(n: int, village="350881100203") -> Household:
    household = Household.objects.create(region_id=village, head_name=f"户主{n}", head_id=rid(n))
    Person.objects.create(household=household, name=f"户主{n}", id_number=rid(n))
    return household


@time_machine.travel(ARRIVED, tick=False)
class PendingFromListTests(AnjuTestCase):
    def test_a_person_not_in_the_archive_becomes_a_pending_household_with_a_task(self):
        archived(1)
        result = upload(
            ["序号", "姓名", "公民身份号码", "乡镇（街道）", "行政村", "识别日期"],
            [
                [1, "户主1", rid(1), "新桥镇", "西埔村", "2026-01-05"],
                [2, "林 新生", rid(2), "新桥镇", "西埔村", "2026-01-05"],
            ],
        )
        self.assertEqual(result.pending, 1)
        new = Household.objects.get(head_id=rid(2))
        self.assertTrue(new.pending)
        self.assertEqual((new.region_id, new.head_name), ("350881100203", "林新生"))
        self.assertEqual(list(new.people.values_list("relation", flat=True)), ["户主"])
        (category,) = new.categories.all()
        self.assertEqual((category.category, category.start), ("registered_poor", date(2026, 1, 5)))
        self.assertEqual(new.category_codes, ",registered_poor,")
        task = AssessmentTask.objects.get(household=new)
        self.assertEqual(task.reason, TaskReason.NEW_HOUSEHOLD)
        self.assertEqual((task.region_id, task.due_on), ("350881100000", date(2026, 2, 28)))
        # The one already in the archive gets its task as before, not a second household.
        self.assertEqual(Household.objects.filter(head_id=rid(1)).count(), 1)
        self.assertEqual(AssessmentTask.objects.count(), 2)

    def test_it_places_by_code_address_or_the_list_region(self):
        result = upload(
            ["姓名", "身份证号", "区划代码", "家庭住址"],
            [
                ["甲", rid(11), "350881101201", ""],  # by code (双洋镇东洋村)
                ["乙", rid(12), "", "福建省漳平市新桥镇西埔村12号"],  # by address
                ["丙", rid(13), "", "双洋镇"],  # the township only
                ["丁", rid(14), "", "外省某地"],
            ],  # nowhere: the county of the ID
        )
        self.assertEqual(result.pending, 4)
        where = dict(Household.objects.values_list("head_name", "region_id"))
        self.assertEqual(
            where,
            {"甲": "350881101201", "乙": "350881100203", "丙": "350881101000", "丁": COUNTY},
        )
        # A list sent for one township puts everyone there.
        upload(["姓名", "身份证号"], [["戊", rid(15)]], kind="subsistence", region="350881101000")
        self.assertEqual(Household.objects.get(head_id=rid(15)).region_id, "350881101000")

    def test_family_members_join_their_heads_household(self):
        header = ["姓名", "身份证号", "户主身份证号", "乡镇", "行政村"]
        result = upload(
            header,
            [
                # A family the archive lacks, the head listed too: one household of three.
                ["林大山", rid(71), rid(71), "新桥镇", "西埔村"],
                ["林小红", rid(72), rid(71), "新桥镇", "西埔村"],
                ["林小明", rid(73), rid(71), "新桥镇", "西埔村"],
                # Two members whose head the list names only by ID: one household, the head's
                # name left for the township to enter.
                ["陈秀英", rid(74), rid(75), "新桥镇", "西埔村"],
                ["陈小华", rid(76), rid(75), "新桥镇", "西埔村"],
            ],
        )
        self.assertEqual(result.pending, 2)
        self.assertEqual(Household.objects.count(), 2)
        lin = Household.objects.get(head_id=rid(71))
        self.assertEqual(lin.head_name, "林大山")
        self.assertEqual(
            sorted(lin.people.values_list("name", "relation")),
            [("林大山", "户主"), ("林小明", "家庭成员"), ("林小红", "家庭成员")],
        )
        chen = Household.objects.get(head_id=rid(75))
        self.assertEqual(
            (chen.head_name, chen.pending, chen.region_id), ("户主待核实", True, "350881100203")
        )
        self.assertEqual(
            sorted(chen.people.values_list("relation", "name")),
            [("家庭成员", "陈小华"), ("家庭成员", "陈秀英"), ("户主", "户主待核实")],
        )
        self.assertEqual(chen.people.get(relation="户主").id_number, rid(75))
        # One task per household, named after the person the list names.
        tasks = dict(AssessmentTask.objects.values_list("household_id", "reason"))
        new = TaskReason.NEW_HOUSEHOLD
        self.assertEqual(tasks, {lin.pk: new, chen.pk: new})
        # The same list again, a later list naming the head or another member: nothing new.
        upload(header, [["林小红", rid(72), rid(71), "新桥镇", "西埔村"]])
        upload(
            header,
            [["陈大海", rid(75), rid(75), "新桥镇", "西埔村"], ["陈三", rid(77), rid(75), "", ""]],
            kind="subsistence",
        )
        self.assertEqual(Household.objects.count(), 2)
        self.assertEqual(AssessmentTask.objects.count(), 2)
        # The township sees the task and completes the record with the head's real name.
        self.login(self.alice)
        page = self.client.get(reverse("assessments:tasks")).content.decode()
        self.assertIn("陈秀英", page)
        page = self.client.get(reverse("households:household", args=[chen.pk])).content.decode()
        self.assertIn("户主姓名待核实</strong>：名单只列了本户户主的身份证号", page)
        self.assertIn('name="head_name" maxlength="50" required id="id_head_name"', page)  # empty
        self.assertIn("陈秀英", page)  # the members listed
        village = Region.objects.get(code="350881100203")
        with self.assertRaisesMessage(ValidationError, "请填写户主的真实姓名"):
            household_complete(
                actor=self.alice,
                household=chen,
                region=village,
                head_name="户主待核实",
                size=3,
                structure="earth",
            )
        household_complete(
            actor=self.alice,
            household=chen,
            region=village,
            head_name="陈大海",
            size=3,
            structure="earth",
        )
        chen.refresh_from_db()
        self.assertEqual((chen.head_name, chen.pending), ("陈大海", False))
        self.assertEqual(chen.people.get(relation="户主").name, "陈大海")

    def test_full_width_ids_and_codes_as_numbers_are_read(self):
        wide = rid(21).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        upload(["姓名", "身份证号", "行政区划代码"], [["甲", wide, 350881100203]])
        self.assertEqual(Household.objects.get(head_id=rid(21)).region_id, "350881100203")

    def test_nothing_is_made_twice(self):
        header = ["姓名", "身份证号", "乡镇"]
        upload(header, [["甲", rid(31), "新桥镇"], ["甲", rid(31), "新桥镇"]])
        upload(header, [["甲", rid(31), "新桥镇"]])  # the same list again
        upload(header, [["甲", rid(31), "新桥镇"]], kind="subsistence")  # another list names him
        self.assertEqual(Household.objects.filter(head_id=rid(31)).count(), 1)
        self.assertEqual(AssessmentTask.objects.count(), 1)

    def test_ended_people_and_other_lists_make_no_household(self):
        upload(
            ["姓名", "身份证号", "识别日期", "脱贫日期"],
            [["甲", rid(41), "2020-01-01", "2025-01-01"]],
        )
        upload(["姓名", "身份证号", "死亡日期"], [["乙", rid(42), "2025-01-01"]], kind="deaths")
        self.assertFalse(Household.objects.exists())

    def test_the_township_sees_its_task_and_the_county_the_unplaced(self):
        upload(["姓名", "身份证号", "乡镇"], [["甲", rid(51), "新桥镇"], ["乙", rid(52), ""]])
        self.login(self.alice)
        page = self.client.get(reverse("assessments:tasks")).content.decode()
        self.assertIn("甲", page)
        self.assertIn("待建档", page)
        self.assertNotIn("乙", page)
        self.login(self.carol)
        page = self.client.get(reverse("assessments:tasks")).content.decode()
        self.assertIn("乙", page)
        self.assertIn("待分配乡镇", page)

    def test_the_county_places_an_unplaced_household_and_its_task_follows(self):
        upload(["姓名", "身份证号"], [["乙", rid(52)]])
        pending = Household.objects.get(head_id=rid(52))
        self.assertEqual(pending.region_id, COUNTY)
        with self.assertRaises(ValidationError):  # a township clerk cannot reach the county's
            household_place(
                actor=self.alice, household=pending, region=Region.objects.get(code="350802001000")
            )
        self.login(self.carol)
        response = self.client.post(
            reverse("households:place", args=[pending.pk]), {"region_code": "350881101201"}
        )
        self.assertEqual(response.status_code, 302)
        pending.refresh_from_db()
        self.assertEqual(pending.region_id, "350881101201")
        self.assertEqual(AssessmentTask.objects.get(household=pending).region_id, "350881101000")

    def test_entering_the_pending_household_completes_it(self):
        upload(["姓名", "身份证号", "乡镇"], [["甲", rid(61), "新桥镇"]])
        household = household_create(
            actor=self.alice,
            region=Region.objects.get(code="350881100203"),
            head_name="甲",
            head_id=rid(61),
            size=3,
            categories=["registered_poor"],
            structure="earth_timber",
        )
        household.refresh_from_db()
        self.assertFalse(household.pending)
        self.assertEqual((household.region_id, household.size), ("350881100203", 3))
        self.assertEqual(Household.objects.count(), 1)
        self.assertEqual(household.houses.get().structure, "earth_timber")
        self.assertEqual(AssessmentTask.objects.filter(household=household).count(), 1)


@time_machine.travel(ARRIVED, tick=False)
class TasksWithoutAListTests(AnjuTestCase):
    def test_a_household_entered_by_hand_in_a_category_gets_a_task(self):
        household = household_create(
            actor=self.alice,
            region=Region.objects.get(code="350881100203"),
            head_name="张三",
            head_id=rid(71),
            size=2,
            categories=["subsistence"],
            structure="earth",
        )
        task = AssessmentTask.objects.get(household=household)
        self.assertEqual(task.reason, TaskReason.ENTERED)
        self.assertIsNone(task.reference)
        self.assertEqual((task.received_on, task.due_on), (date(2026, 1, 31), date(2026, 2, 28)))
        self.login(self.alice)
        page = self.client.get(reverse("assessments:tasks")).content.decode()
        self.assertIn("乡镇新建档", page)

    def test_a_household_entered_in_no_category_gets_none(self):
        household_create(
            actor=self.alice,
            region=Region.objects.get(code="350881100203"),
            head_name="李四",
            head_id=rid(72),
            size=2,
            categories=[],
            structure="earth",
        )
        self.assertFalse(AssessmentTask.objects.exists())

    def test_a_category_added_by_change_request_gets_a_task_once_approved(self):
        household = archived(73)
        request = change_propose(
            actor=self.alice,
            household=household,
            field=ChangeField.CATEGORIES,
            new_value="低保户",
            reason="民政局新认定",
        )
        self.assertFalse(AssessmentTask.objects.exists())  # nothing until a reviewer agrees
        change_decide(actor=self.rita, request=request, approve=True)
        task = AssessmentTask.objects.get(household=household)
        self.assertEqual(task.reason, TaskReason.NEW_CATEGORY)
        self.assertEqual(task.due_on, date(2026, 2, 28))
