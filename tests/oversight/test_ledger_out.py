"""The ledger and the township problem lists out of the system: xlsx with the list's filters,
masked unless the role may unmask and asks, formula-safe, watermarked, audited with the reason;
a printable ledger; problem lists printed a township at a time, for one township or a county."""

from datetime import date
from urllib.parse import unquote

from django.urls import reverse
from django.utils import timezone

from anju.audit.models import AuditEntry
from anju.oversight import services
from anju.reporting.reader import load
from tests.base import AnjuTestCase
from tests.households.files import rid
from tests.oversight.helpers import register


def cells(response) -> list:
    return [v for r in load(b"".join(response.streaming_content)).rows for v in r]


class LedgerExportTests(AnjuTestCase):
    def setUp(self):
        self.funds, _ = register(
            self.carol, summary=f"户主 {rid(7)} 的补助被截留", names=("=HYPERLINK(1)",)
        )
        self.other, _ = register(
            self.carol,
            summary="东洋村危房未改造",
            names=("李四",),
            region="350881101000",
            category="targeting",
        )

    def test_the_filtered_ledger_is_exported_masked_watermarked_and_audited(self):
        self.login(self.carol)
        url = reverse("oversight:clues_export") + "?category=funds"
        self.assertContains(self.client.get(url), "导出用途")  # no file without a reason
        response = self.client.post(url, {"reason": "月度核对"})
        today = timezone.localdate().isoformat()
        self.assertIn(f"问题线索台账_漳平市_{today}.xlsx", unquote(response["Content-Disposition"]))
        grid = load(b"".join(response.streaming_content))
        self.assertIn("用途：月度核对", grid.rows[0][0])
        self.assertIn("台账编号", grid.rows[1])
        numbers = [r[0] for r in grid.rows[2:] if r and r[0]]
        self.assertEqual(numbers, [self.funds.number])  # the filter applied
        flat = [v for r in grid.rows for v in r]
        self.assertIn("'=HYPERLINK(1)（村主任）", flat)  # formula-safe
        self.assertNotIn(rid(7), "".join(str(v) for v in flat))  # masked
        self.assertNotIn("所涉完整身份证号", grid.rows[1])
        entry = AuditEntry.objects.get(action="export", object_type="oversight.clue")
        self.assertIn("用途：月度核对", str(entry.changes))
        self.assertIn("号码已脱敏", str(entry.changes))

    def test_full_numbers_only_for_a_role_that_may_unmask_and_asks(self):
        self.login(self.cindy)  # the city office may not unmask: the box is ignored
        flat = cells(
            self.client.post(reverse("oversight:clues_export"), {"reason": "核对", "full": "1"})
        )
        self.assertNotIn(rid(7), flat)
        self.login(self.carol)  # the county clerk may
        flat = cells(
            self.client.post(reverse("oversight:clues_export"), {"reason": "核对", "full": "1"})
        )
        self.assertIn(rid(7), flat)
        self.assertIn("所涉完整身份证号", flat)
        last = AuditEntry.objects.filter(action="export").order_by("seq").last()
        self.assertIn("完整号码", str(last.changes))

    def test_a_township_exports_only_its_own_clues(self):
        self.login(self.bob)
        flat = cells(self.client.post(reverse("oversight:clues_export"), {"reason": "核对"}))
        self.assertIn(self.other.number, flat)
        self.assertNotIn(self.funds.number, flat)

    def test_the_printable_ledger_lists_every_filtered_clue_without_the_controls(self):
        self.login(self.carol)
        page = self.client.get(reverse("oversight:clues"), {"print": "1", "category": "targeting"})
        self.assertContains(page, "打印日期")
        self.assertContains(page, self.other.number)
        self.assertNotContains(page, self.funds.number)
        self.assertNotContains(page, "登记线索")
        listing = self.client.get(reverse("oversight:clues"), {"category": "targeting"})
        self.assertContains(listing, "print=1")
        self.assertContains(listing, reverse("oversight:clues_export") + "?category=targeting")


class ProblemListOutTests(AnjuTestCase):
    def setUp(self):
        for region, text in (("350881100000", "西埔村漏雨"), ("350881101000", "东洋村墙裂")):
            services.item_create(
                actor=self.carol,
                region=self.regions[region],
                source="visit",
                description=text,
                owner="=cmd",
                deadline=date(2026, 12, 31),
            )

    def test_a_county_prints_every_township_on_its_own_and_exports_them(self):
        self.login(self.carol)
        page = self.client.get(reverse("oversight:items"), {"print": "1"})
        self.assertContains(page, 'data-testid="print-township"', count=2)
        self.assertContains(page, "新桥镇 问题清单（1 项）")
        self.assertContains(page, "双洋镇 问题清单（1 项）")
        response = self.client.post(reverse("oversight:items_export"), {"reason": "督导"})
        today = timezone.localdate().isoformat()
        self.assertIn(f"问题清单_漳平市_{today}.xlsx", unquote(response["Content-Disposition"]))
        flat = cells(response)
        self.assertIn("西埔村漏雨", flat)
        self.assertIn("东洋村墙裂", flat)
        self.assertIn("'=cmd", flat)
        entry = AuditEntry.objects.get(action="export", object_type="oversight.rectificationitem")
        self.assertIn("用途：督导", str(entry.changes))

    def test_a_township_prints_and_exports_its_own_list(self):
        self.login(self.alice)
        page = self.client.get(reverse("oversight:items"), {"print": "1"})
        self.assertContains(page, 'data-testid="print-township"', count=1)
        self.assertNotContains(page, "东洋村墙裂")
        flat = cells(self.client.post(reverse("oversight:items_export"), {"reason": "自查"}))
        self.assertIn("西埔村漏雨", flat)
        self.assertNotIn("东洋村墙裂", flat)
