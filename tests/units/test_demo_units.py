"""Issue 30: the demo has 漳平市's lead unit and each participating department, one user each,
and a clue waiting at civil affairs to be signed for."""

from django.test import TestCase

from anju.accounts.models import Unit, User
from anju.accounts.roles import Role
from anju.demo import load_demo
from anju.oversight.access import clues_visible_to, transfers_visible_to


class DemoUnitsTests(TestCase):
    def test_each_department_of_zhangping_has_one_user(self):
        load_demo(size="small", actor="demo-test")
        units = Unit.objects.filter(region_id="350881000000")
        self.assertEqual(units.filter(is_lead=True).get().name, "漳平市住建局")
        kinds = set(units.values_list("kind", flat=True))
        self.assertEqual(
            kinds,
            {
                "housing",
                "poverty",
                "civil_affairs",
                "disabled",
                "veterans",
                "emergency",
                "natural_resources",
                "finance",
                "discipline",
            },
        )
        for unit in units.exclude(kind__in=["housing", "discipline"]):
            with self.subTest(unit=unit.name):
                staff = User.objects.filter(work_unit=unit, role_grants__role=Role.DEPARTMENT)
                self.assertEqual(staff.count(), 1)
        self.assertEqual(User.objects.get(username="zp_clerk").work_unit.name, "漳平市住建局")
        self.assertEqual(User.objects.get(username="zp_jijian").work_unit.name, "漳平市纪委监委")
        minzheng = User.objects.get(username="zp_minzheng")
        transfer = transfers_visible_to(minzheng).get()
        self.assertEqual(list(clues_visible_to(minzheng)), [transfer.clue])
        self.assertFalse(transfers_visible_to(User.objects.get(username="zp_caizheng")).exists())
        load_demo(size="small", actor="demo-test")  # again: nothing doubled
        self.assertEqual(Unit.objects.filter(region_id="350881000000").count(), 9)
        self.assertEqual(transfers_visible_to(minzheng).count(), 1)
