"""The top menu at office and phone widths (issue 28): grouped by work, one line from 1280 px up,
nothing wider than the screen on a phone, each group opening to the pages the role may use."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.base import CAST, make_cast, make_regions
from tests.browser.test_journeys import log_in

# Screenshots of each role's home at both widths, for people to look at (var/ is not committed).
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
# Every business and administrator role of the cast, one user each.
ROLES = ["alice", "carol", "rita", "cindy", "dora", "pete", "sam", "sue", "aud"]
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('details:not([open]) > :not(summary)'))
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.right > window.innerWidth + 1; })
  .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 20))"""


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def test_every_role_sees_one_line_of_menu_at_1280_and_nothing_wider_than_a_phone(
    page, live_server, cast
):
    assert set(ROLES) <= set(CAST)
    for name in ROLES:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.context.clear_cookies()
        log_in(page, live_server, name)
        bar = page.locator("header.topbar").bounding_box()
        assert bar["height"] < 64, (name, bar)  # one line: no "首/页" stacks
        assert page.evaluate(OVERFLOWING) == [], name
        page.screenshot(path=SHOTS / f"menu-{name}-1280.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.evaluate(OVERFLOWING) == [], name
        page.screenshot(path=SHOTS / f"menu-{name}-390.png")


def test_a_group_opens_to_its_pages_and_marks_where_the_user_is(page, live_server, cast):
    log_in(page, live_server, "carol")
    menu = page.get_by_role("navigation", name="主菜单")
    menu.locator("summary", has_text="线索").click()
    menu.get_by_role("link", name="问题清单").click()
    expect(page.locator("details.menugroup.current summary")).to_have_text("线索")
    # A group with one page the role may use is that page's own link, not a drop-down.
    expect(menu.get_by_role("link", name="数据比对")).to_be_visible()


def test_every_roles_menu_pages_fit_1280_and_390(page, live_server, cast):
    """Each role's main pages (every page its menu opens) at an office width and on a phone:
    nothing wider than the screen (a wide table may scroll inside its own box on a phone),
    a screenshot of each kept under var/screenshots."""
    from tests.browser.test_office_pages import SCROLLED_OK

    page.set_default_timeout(60_000)
    too_wide = {}
    for name in ROLES:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.context.clear_cookies()
        log_in(page, live_server, name)
        menu = page.get_by_role("navigation", name="主菜单")
        hrefs = []
        for link in menu.locator("a").all():
            href = link.get_attribute("href") or ""
            if href.startswith("/") and href not in hrefs:
                hrefs.append(href)
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for href in hrefs:
                page.goto(live_server.url + href)
                wide = page.evaluate(OVERFLOWING if width == 1280 else SCROLLED_OK)
                if wide:
                    too_wide[(name, href, width)] = wide[:2]
                slug = href.strip("/").replace("/", "-") or "home"
                page.screenshot(path=SHOTS / f"role-{name}-{slug}-{width}.png", full_page=True)
    assert too_wide == {}
