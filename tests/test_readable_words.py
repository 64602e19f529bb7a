"""Issue 28's "words people use": walking the main pages of every role, no rule code
(DECEASED_BENEFICIARY), no permission code (households.view) and no login name reaches the text
a person reads: text, titles, placeholders, labels and button captions. Two kinds of page show
an account's login name on purpose, beside the person's name: the administrators' account
pages (the name the administrator creates and the person types at the login form) and the
audit log (the account is what is audited, failed logins included)."""

import re
from html.parser import HTMLParser

import time_machine
from django.urls import NoReverseMatch, reverse

from anju.accounts.access import Perm
from anju.audit.models import AuditEntry
from anju.crosscheck.choices import Rule
from anju.oversight.models import Clue
from tests.base import CAST, AnjuTestCase
from tests.crosscheck.helpers import archive, found, household, row
from tests.oversight.helpers import register

# People's names for the cast, none containing its login name.
NAMES = {
    "alice": "林小燕",
    "bob": "黄志强",
    "carol": "陈丽华",
    "rita": "郑美玲",
    "cindy": "吴思敏",
    "dora": "刘德明",
    "pete": "张建平",
    "sam": "王守仁",
    "sue": "苏雅琴",
    "aud": "赵文博",
    "xavier": "谢国栋",
    "xsam": "许三多",
    "xaud": "邓一鸣",
}
# Where an account's login name is what is shown: the administrators' account pages.
ACCOUNT_PAGES = ("accounts:", "audit:")
READ_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")


class VisibleText(HTMLParser):
    """What a person reads on a page: text outside scripts and styles, and the attributes a
    browser shows (titles, placeholders, alt texts, labels, button captions)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
            return
        attrs = dict(attrs)
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


LOGIN = re.compile(
    r"(?<![A-Za-z0-9_])(" + "|".join(sorted(CAST, key=len, reverse=True)) + r")(?![A-Za-z0-9_])"
)
RULE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(Rule.values) + r")(?![A-Za-z0-9_])")
PERM = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(re.escape(p.value) for p in Perm) + r")\b")


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class ReadableWordsTests(AnjuTestCase):
    def setUp(self):
        for name, user in self.users.items():
            user.full_name = NAMES[name]
            user.save(update_fields=["full_name"])
        archive(row(1, **{"有无卫生厕所": "无"}))
        self.finding = found("NO_TOILET")[0]
        self.clue, _ = register(self.carol)
        self.household = household(1)

    def pages_of(self, response) -> list[tuple[str, str]]:
        """The role's menu, and the pages one object deep that its work opens (a refusal's
        entry in the audit log among them: it names a permission)."""
        wanted = [(name, []) for _, name in response.context["menu"]]
        wanted += [
            ("crosscheck:finding", [self.finding.pk]),
            ("oversight:clue", [self.clue.pk]),
            ("households:household", [self.household.pk]),
        ]
        refused = AuditEntry.objects.filter(action="denied").order_by("-seq").first()
        if refused is not None:
            wanted.append(("audit:entry", [refused.pk]))
        urls = []
        for name, args in wanted:
            try:
                urls.append((name, reverse(name, args=args)))
            except NoReverseMatch:
                continue
        return urls

    def test_no_code_or_login_name_in_the_text_of_any_role_main_pages(self):
        problems = []
        walked = 0
        for name, user in self.users.items():
            self.client.logout()
            self.login(user)
            home = self.client.get(reverse("home"))
            self.assertEqual(home.status_code, 200, name)
            for view, url in [("home", reverse("home")), *self.pages_of(home)]:
                response = self.client.get(url)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                walked += 1
                text = visible(response.content.decode())
                self.assertIn(NAMES[name], text, (name, url))  # the header names the person
                found_codes = RULE.findall(text) + PERM.findall(text)
                if not view.startswith(ACCOUNT_PAGES):
                    found_codes += LOGIN.findall(text)
                if found_codes:
                    problems.append((name, url, sorted(set(found_codes))))
        self.assertGreater(walked, 60)
        self.assertEqual(problems, [])

    def test_the_scan_sees_what_it_looks_for(self):
        html = (
            '<main><p title="carol">规则 NO_TOILET</p><script>var a="DEAD_X"</script>'
            '<input type="submit" value="households.view"></main>'
        )
        text = visible(html)
        self.assertEqual(LOGIN.findall(text), ["carol"])
        self.assertEqual(RULE.findall(text), ["NO_TOILET"])
        self.assertEqual(PERM.findall(text), ["households.view"])
        self.assertNotIn("DEAD_X", text)
        self.assertTrue(Clue.objects.exists())


def test_every_permission_has_a_name_people_read():
    from anju.accounts.access.core import PERM_LABELS, perm_label

    missing = [code for code in Perm if code not in PERM_LABELS]
    assert missing == [], f"permissions shown by their code: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", perm_label(code)) for code in Perm)
