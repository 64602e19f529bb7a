"""The audit entry page reads as a table in Chinese (issue 28), not a Python dict."""

from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.audit.services import audit
from anju.regions.models import Region
from tests.base import AnjuTestCase


class ReadableEntryTests(AnjuTestCase):
    def test_each_field_by_its_chinese_name_before_beside_after_and_the_persons_name(self):
        village = Region.objects.get(code="350881100203")
        audit(
            actor=self.alice,
            action="update",
            obj=village,
            before={"name": "西埔村", "note": None},
            after={"name": "西浦村", "note": "更正错字"},
        )
        entry = AuditEntry.objects.order_by("-seq").first()
        self.login(self.aud)
        body = self.client.get(reverse("audit:entry", args=[entry.pk])).content.decode()
        self.assertIn("<td>名称</td><td>西埔村</td><td>西浦村</td>", body)
        self.assertIn("<td>备注</td><td>—</td><td>更正错字</td>", body)
        self.assertIn("行政区划 第 350881100203 号", body)
        self.assertIn("alice姓名（alice）", body)
        self.assertNotIn("{&#x27;", body)  # no pprinted dict
        self.assertNotIn("&#x27;before&#x27;", body)
