"""使用说明 inside the app (issue 28, point 5): a guide per role naming the menus that role sees,
the definition of every figure, linked from the pages that show figures."""

import re

from anju.accounts.models import Unit
from anju.accounts.roles import Role
from anju.crosscheck.choices import Rule
from anju.guide.content import GUIDES, figure_sections
from anju.reporting.annexes import ANNEX1_COLUMNS
from tests.base import AnjuTestCase, make_user


def menu_labels(html: str) -> set[str]:
    """The labels of the main menu as rendered: entries and group names."""
    menu = html.split('data-testid="menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r">([^<>]+)</(?:a|summary)>", menu))


class GuideTests(AnjuTestCase):
    def setUp(self):
        self.cadre = make_user("cad", Role.CADRE, "350881100203")
        civil = Unit.objects.create(
            name="漳平市民政局", kind="civil_affairs", region_id="350881000000"
        )
        self.department = make_user("dep", Role.DEPARTMENT, "350881000000", work_unit=civil)
        self.by_role = {
            user.role_grants.get().role: user
            for user in [*self.users.values(), self.cadre, self.department]
            if user.role_grants.exists()
        }

    def test_every_role_has_a_guide(self):
        self.assertEqual(set(GUIDES), set(Role), "a role without 使用说明")
        for guide in GUIDES.values():
            self.assertTrue(guide.steps, guide.role)

    def test_each_step_names_a_menu_the_role_sees(self):
        """A guide that sends a clerk to a menu they do not have fails here."""
        for role, guide in GUIDES.items():
            user = self.by_role[role]
            self.client.logout()
            self.login(user)
            page = self.client.get(f"/guide/{role}/")
            self.assertEqual(page.status_code, 200, role)
            labels = menu_labels(page.content.decode())
            for step in guide.steps:
                first = re.split(" › |；", step.where)[0]
                self.assertIn(first, labels, f"{role}: {step.title} → {step.where}")
                self.assertContains(page, step.title)

    def test_the_index_puts_the_users_own_role_first(self):
        self.login(self.alice)
        page = self.client.get("/guide/").content.decode()
        own = page.split('data-testid="guide-own"', 1)[1].split("</section>", 1)[0]
        self.assertIn("乡镇经办员", own)
        self.assertNotIn("审计管理员", own)
        self.assertIn("审计管理员", page)

    def test_every_rule_and_annex_column_is_defined(self):
        sections = {s.anchor: s for s in figure_sections()}
        rules = sections["crosscheck"].figures
        self.assertEqual([f.name for f in rules], [r.label for r in Rule])
        self.assertTrue(all(f.definition for f in rules))
        self.assertEqual(len(sections["annex1"].figures), len(ANNEX1_COLUMNS))
        self.login(self.carol)
        page = self.client.get("/guide/figures/")
        for rule in Rule:
            self.assertContains(page, f'id="crosscheck-rule-{rule.value.lower()}"')
            self.assertNotContains(page, f">{rule.value}<")
        self.assertContains(page, 'id="overview-paid"')
        self.assertContains(page, "第34栏 涉及金额（万元）")

    def test_pages_with_figures_link_to_their_definitions(self):
        self.login(self.carol)
        for url, anchor in (
            ("/overview/", "#overview"),
            ("/crosscheck/", "#crosscheck"),
        ):
            page = self.client.get(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertContains(page, f'href="/guide/figures/{anchor}"')
        home = self.client.get("/")
        self.assertContains(home, 'data-testid="guide-link"')

    def test_the_guide_is_behind_the_login(self):
        page = self.client.get("/guide/")
        self.assertEqual(page.status_code, 302)
        self.login(self.alice)
        self.assertEqual(self.client.get("/guide/no_such_role/").status_code, 404)
