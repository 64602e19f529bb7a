"""The administrators' region tree: browse and search by name or pinyin initials, within their
own region, names and codes only."""

from django.urls import reverse

from tests.base import AnjuTestCase


class RegionTreeTests(AnjuTestCase):
    def test_the_system_administrator_browses_and_searches_by_initials(self):
        self.login(self.sam)
        page = self.client.get(reverse("regions:tree"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "行政区划")
        found = self.client.get(reverse("regions:tree"), {"q": "xqz"})
        self.assertContains(found, "漳平市 / 新桥镇")
        self.assertContains(found, "350881100000")
        self.assertNotContains(found, "双洋镇</a>")
        down = self.client.get(reverse("regions:tree"), {"at": "350881100000"})
        self.assertContains(down, "西埔村")
        self.assertContains(down, "350881100203")

    def test_an_administrator_of_another_county_sees_only_theirs(self):
        self.login(self.xsam)
        found = self.client.get(reverse("regions:tree"), {"q": "新桥"})
        self.assertContains(found, "本人所辖范围内没有这个地名")
        away = self.client.get(reverse("regions:tree"), {"at": "350881100000"})
        self.assertNotContains(away, "西埔村")

    def test_the_security_administrator_has_it_in_the_menu(self):
        self.login(self.sue)
        home = self.client.get(reverse("home"))
        self.assertContains(home, reverse("regions:tree"))

    def test_the_audit_administrator_has_not(self):
        self.login(self.aud)
        self.assertEqual(self.client.get(reverse("regions:tree")).status_code, 403)
