from anju.oversight.dedup import normalise, similarity
from anju.oversight.models import Clue, ClueSource
from tests.base import AnjuTestCase
from tests.oversight.helpers import register

BASE = "西埔村村主任张三截留危房改造补助资金两万元，未发放到农户一卡通账户"


class MatcherTests(AnjuTestCase):
    def test_traditional_characters_fold_to_simplified(self):
        self.assertEqual(normalise("危房改造補助款"), normalise("危房改造补助款"))
        self.assertGreaterEqual(
            similarity(BASE, "西埔村村主任張三截留危房改造補助資金兩萬元，未發放到農戶一卡通賬戶"),
            95,
        )

    def test_swapped_clauses_and_extra_spaces_still_match(self):
        swapped = "未发放到农户一卡通账户，西埔村村主任张三截留危房改造补助资金两万元"
        self.assertGreaterEqual(similarity(BASE, swapped), 80)
        self.assertGreaterEqual(
            similarity(
                BASE, "西埔村  村主任　张三 截留危房改造补助资金两万元，未发放到农户一卡通账户"
            ),
            95,
        )

    def test_a_different_problem_does_not_match(self):
        self.assertLess(similarity(BASE, "东洋村危房改造验收走过场，无卫生厕所"), 60)


class IntakeDuplicateTests(AnjuTestCase):
    def setUp(self):
        self.first, _ = register(self.carol, summary=BASE)

    def test_a_near_identical_clue_is_shown_before_saving(self):
        clue, found = register(
            self.carol,
            summary="西埔村村主任張三截留危房改造補助資金兩萬元",
            confirm=False,
            names=("张三",),
        )
        self.assertIsNone(clue)
        self.assertEqual([c.pk for c, _ in found], [self.first.pk])
        self.assertTrue(found[0][1].same_person)
        self.assertEqual(Clue.objects.count(), 1)

    def test_merging_keeps_the_duplicates_source_and_date(self):
        from datetime import date

        clue, _found = register(
            self.carol,
            summary=BASE,
            confirm=False,
            source_channel="media",
            received_on=date(2026, 10, 8),
            merge_into=self.first,
        )
        self.assertEqual(clue.pk, self.first.pk)
        source = ClueSource.objects.get(clue=self.first)
        self.assertEqual((source.source_channel, source.received_on), ("media", date(2026, 10, 8)))
        self.assertEqual(Clue.objects.count(), 1)

    def test_confirming_new_registers_a_second_clue(self):
        clue, _ = register(self.carol, summary=BASE, confirm=True)
        self.assertNotEqual(clue.pk, self.first.pk)

    def test_another_district_is_not_a_duplicate(self):
        clue, found = register(self.xavier, summary=BASE, region="350802001000", confirm=False)
        self.assertIsNotNone(clue)
        self.assertEqual(found, [])
