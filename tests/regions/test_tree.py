from anju.accounts.access import scope_to_region
from anju.accounts.models import User
from anju.regions.models import Level, Region, ancestor_codes, level_of, subtree_bounds
from tests.base import AnjuTestCase


class CodeTests(AnjuTestCase):
    def test_it_reads_the_level_from_the_code(self):
        self.assertEqual(level_of("350000000000"), Level.PROVINCE)
        self.assertEqual(level_of("350800000000"), Level.CITY)
        self.assertEqual(level_of("350881000000"), Level.COUNTY)
        self.assertEqual(level_of("350881100000"), Level.TOWNSHIP)
        self.assertEqual(level_of("350881100203"), Level.VILLAGE)

    def test_a_subtree_is_a_code_range(self):
        self.assertEqual(subtree_bounds("350881000000"), ("350881000000", "350881999999"))
        self.assertEqual(subtree_bounds("350881100000"), ("350881100000", "350881100999"))
        self.assertEqual(subtree_bounds("350881100203"), ("350881100203", "350881100203"))

    def test_it_lists_ancestors_province_first(self):
        self.assertEqual(
            ancestor_codes("350881100203"),
            ["350000000000", "350800000000", "350881000000", "350881100000"],
        )
        village = Region.objects.get(code="350881100203")
        self.assertEqual(village.full_name(), "福建省龙岩市漳平市新桥镇西埔村")


class WithinTests(AnjuTestCase):
    def test_within_is_the_subtree_and_nothing_else(self):
        codes = set(Region.objects.within("350881000000").values_list("code", flat=True))
        self.assertEqual(
            codes,
            {"350881000000", "350881100000", "350881100203", "350881101000", "350881101201"},
        )
        township = set(Region.objects.within("350881100000").values_list("code", flat=True))
        self.assertEqual(township, {"350881100000", "350881100203"})

    def test_scoping_a_foreign_key_is_one_range_query_without_a_join(self):
        qs = scope_to_region(User.objects.all(), Region.objects.get(code="350881000000"))
        sql = str(qs.query).upper()
        self.assertNotIn(" JOIN ", sql)
        self.assertIn("BETWEEN", sql)
        self.assertEqual(
            set(qs.values_list("username", flat=True)),
            {"alice", "bob", "carol", "rita", "dora", "pete"},
        )
