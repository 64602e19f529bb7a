"""Forms keep what was typed (issue 25, point 5): every refusal names the field in Chinese and
gives back the other values; money fields read 元 or 万元 as the label says."""

from decimal import Decimal

from django.test import SimpleTestCase
from django.urls import reverse

from anju.formfields import MoneyField
from anju.oversight import services
from anju.oversight.models import Clue
from tests.base import AnjuTestCase
from tests.oversight.helpers import register
from tests.oversight.test_workflow import evidence


class MoneyFieldTests(SimpleTestCase):
    def test_wan_yuan_reads_wan_and_yuan_and_says_its_unit(self):
        field = MoneyField(label="追缴资金（万元）")
        self.assertEqual(field.clean("0.2万"), Decimal("0.2"))
        self.assertEqual(field.clean("0.2万元"), Decimal("0.2"))
        self.assertEqual(field.clean("2000元"), Decimal("0.2"))
        self.assertEqual(field.clean("１，５"), Decimal("15"))
        with self.assertRaises(Exception) as refused:
            field.clean("两千")
        self.assertIn("单位：万元", str(refused.exception))

    def test_yuan_reads_wan(self):
        field = MoneyField(label="发放金额（元）", unit="元")
        self.assertEqual(field.clean("0.2万"), Decimal("2000"))
        self.assertEqual(field.clean("40,000元"), Decimal("40000"))


class CloseOutKeepsTheTextTests(AnjuTestCase):
    def setUp(self):
        clue, _ = register(self.carol)
        c = clue
        services.clue_assign(actor=self.carol, clue=c, version=c.version, handling_unit="新桥镇")
        services.clue_start_verification(actor=self.carol, clue=c, version=c.version)
        services.clue_dispose(actor=self.carol, clue=c, version=c.version, disposal="preliminary")
        services.clue_start_rectification(actor=self.carol, clue=c, version=c.version)
        evidence(self.carol, c)
        self.clue = Clue.objects.get(pk=c.pk)
        self.login(self.carol)

    def ask(self, recovered: str):
        page = reverse("oversight:clue", args=[self.clue.pk])
        return self.client.post(
            reverse("oversight:clue_act", args=[self.clue.pk]),
            {
                "version": self.clue.version,
                "action": "request_close",
                "rectification": "补助资金已全额追回并重新发放到户，村干部已作检讨",
                "recovered": recovered,
                "accountable": "1",
            },
            headers={"Referer": f"http://testserver{page}"},
            follow=True,
        )

    def test_a_bad_amount_names_the_field_and_the_text_comes_back(self):
        response = self.ask("两千块")
        self.assertContains(response, "追缴资金（万元）：请填写金额数字，单位：万元")
        self.assertContains(response, "补助资金已全额追回并重新发放到户，村干部已作检讨")
        self.assertContains(response, 'value="两千块"')
        self.assertEqual(Clue.objects.get(pk=self.clue.pk).status, "rectifying")

    def test_wan_is_understood(self):
        self.ask("0.2万")
        clue = Clue.objects.get(pk=self.clue.pk)
        self.assertEqual((clue.status, clue.recovered), ("pending_close", Decimal("0.2")))
