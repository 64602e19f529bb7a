"""A second person's review of a closed problem-list item, where the township asks for it
(issue 25, point 6)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from anju.accounts.roles import Role
from anju.audit.models import AuditEntry
from anju.oversight import services
from anju.oversight.models import RectificationItem
from anju.regions.models import Region
from tests.base import AnjuTestCase, make_user

REVIEWED = {"item_close_review": ["350881"]}  # every township of 漳平市


class ItemReviewTests(AnjuTestCase):
    def setUp(self):
        self.item = services.item_create(
            actor=self.alice,
            region=Region.objects.get(code="350881100000"),
            source="self_check",
            description="西埔村陈某房屋漏雨",
            owner="黄乡长",
            deadline=date(2099, 12, 31),
        )
        self.alan = make_user("alan", Role.TOWNSHIP_CLERK, "350881100000")

    def close(self, actor=None):
        return services.item_done(
            actor=actor or self.alice, item=self.item, note="屋面已换瓦，村委会验收"
        )

    def test_without_the_setting_a_close_out_is_done_at_once(self):
        self.assertEqual(self.close().status, "done")

    @override_settings(ANJU_CROSSCHECK=REVIEWED)
    def test_with_the_setting_another_person_agrees_before_it_counts(self):
        self.assertEqual(self.close().status, "review")
        with self.assertRaisesMessage(ValidationError, "不能复核自己提交的"):
            services.item_review(actor=self.alice, item=self.item, approve=True)
        services.item_review(actor=self.alan, item=self.item, approve=True, note="已到现场看过")
        item = RectificationItem.objects.get()
        self.assertEqual(
            (item.status, item.reviewed_by, item.review_note), ("done", self.alan, "已到现场看过")
        )
        self.assertTrue(AuditEntry.objects.filter(changes__note="整改完成复核").exists())

    @override_settings(ANJU_CROSSCHECK=REVIEWED)
    def test_a_return_needs_a_reason_and_opens_the_item_again(self):
        self.close()
        with self.assertRaisesMessage(ValidationError, "退回须写明理由"):
            services.item_review(actor=self.alan, item=self.item, approve=False)
        services.item_review(actor=self.alan, item=self.item, approve=False, note="后墙仍渗水")
        item = RectificationItem.objects.get()
        self.assertEqual((item.status, item.review_note), ("open", "后墙仍渗水"))
        self.assertEqual(item.done_note, "屋面已换瓦，村委会验收")

    @override_settings(ANJU_CROSSCHECK={"item_close_review": ["350881101000"]})
    def test_the_setting_is_per_township(self):
        self.assertEqual(self.close().status, "done")

    @override_settings(ANJU_CROSSCHECK=REVIEWED)
    def test_the_list_shows_the_review_and_a_return_keeps_the_reason(self):
        self.close()
        self.login(self.alan)
        page = self.client.get(reverse("oversight:items"), {"status": "review"})
        self.assertContains(page, "待复核")
        self.assertContains(page, "屋面已换瓦，村委会验收")
        url = reverse("oversight:item_review", args=[self.item.pk])
        where = f"http://testserver{reverse('oversight:items')}"
        answer = self.client.post(
            url, {"decision": "return", "note": ""}, headers={"Referer": where}, follow=True
        )
        self.assertContains(answer, "复核意见：退回须写明理由")
        self.assertEqual(RectificationItem.objects.get().status, "review")
        self.client.post(url, {"decision": "approve", "note": "同意"})
        self.assertEqual(RectificationItem.objects.get().status, "done")

    @override_settings(ANJU_CROSSCHECK=REVIEWED)
    def test_another_township_cannot_review(self):
        self.close()
        self.login(self.bob)
        url = reverse("oversight:item_review", args=[self.item.pk])
        self.assertEqual(self.client.post(url, {"decision": "approve"}).status_code, 404)
        self.login(self.dora)
        self.assertEqual(self.client.post(url, {"decision": "approve"}).status_code, 403)
