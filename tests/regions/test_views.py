from django.urls import reverse

from tests.base import AnjuTestCase


class RegionViewTests(AnjuTestCase):
    def test_a_township_clerk_sees_their_township_only(self):
        self.login(self.alice)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "新桥镇")
        self.assertNotContains(response, "双洋镇")
        self.assertNotContains(response, "切换区划")
        # The home page is the workbench (issue 27); the villages are one link away.
        own = reverse("regions:detail", args=["350881100000"])
        self.assertContains(response, own)
        self.assertContains(self.client.get(own), "西埔村")
        response = self.client.get(reverse("regions:detail", args=["350881101000"]))
        self.assertEqual(response.status_code, 404)

    def test_the_city_office_switches_to_a_township(self):
        self.login(self.cindy)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "漳平市")
        self.assertContains(home, "新罗区")
        response = self.client.post(reverse("regions:switch"), {"code": "350881101000"})
        self.assertRedirects(response, reverse("home"))
        home = self.client.get(reverse("home"))
        self.assertEqual(home.context["active_region"].code, "350881101000")
        township = self.client.get(reverse("regions:detail", args=["350881101000"]))
        self.assertContains(township, "东洋村")
        self.assertNotContains(township, "西埔村")
        crumbs = [r.name for r in home.context["region_path"]]
        self.assertEqual(crumbs, ["龙岩市", "漳平市", "双洋镇"])

    def test_switching_outside_ones_region_is_404_and_changes_nothing(self):
        self.login(self.carol)
        response = self.client.post(reverse("regions:switch"), {"code": "350802001000"})
        self.assertEqual(response.status_code, 404)
        home = self.client.get(reverse("home"))
        self.assertEqual(home.context["active_region"].code, "350881000000")

    def test_switch_ignores_an_offsite_next(self):
        self.login(self.cindy)
        response = self.client.post(
            reverse("regions:switch"), {"code": "350881000000", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("home"))

    def test_the_region_page_shows_counts_of_each_level_below(self):
        self.login(self.carol)
        response = self.client.get(reverse("regions:detail", args=["350881000000"]))
        self.assertEqual(dict(response.context["counts"]), {"乡镇(街道)": 2, "村(社区)": 2})

    def test_healthz_answers_ok(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.content, b"ok")
