"""The office pages of issue 28 at 1280×800, as the roles that use them: the household list
with its columns and selects, the clue ledger and its print, the problem lists printed for a
county, the department clerk's list page with its templates. Nothing wider than the window;
screenshots saved under var/screenshots for people to look at."""

from datetime import date

import pytest
from playwright.sync_api import expect

from anju.households.imports import import_households
from anju.oversight import services
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.browser.test_menu import OVERFLOWING, SHOTS
from tests.households.files import row, xlsx
from tests.oversight.helpers import register


@pytest.fixture
def office(transactional_db):
    regions = make_regions()
    people = make_cast()
    import_households(
        actor="test",
        file_name="a.xlsx",
        data=xlsx(
            [row(n, **{"户主姓名": f"农户{n}号"}) for n in range(1, 8)]
            + [row(9, **{"乡镇(街道)": "双洋镇", "行政村": "东洋村", "户主姓名": "东洋户"})]
        ),
    )
    register(people["carol"], summary="西埔村危改补助款被村干部截留两万元")
    for code, text in (
        ("350881100000", "西埔村张某房屋漏雨透风"),
        ("350881101000", "东洋村墙体开裂"),
    ):
        services.item_create(
            actor=people["carol"],
            region=regions[code],
            source="visit",
            description=text,
            owner="黄乡长",
            deadline=date(2026, 12, 31),
        )
    return people


def shot(page, name: str) -> None:
    assert page.evaluate(OVERFLOWING) == [], name
    page.screenshot(path=SHOTS / f"office-{name}-1280.png", full_page=True)


def test_the_office_pages_fit_1280(page, live_server, office):
    page.set_default_timeout(60_000)  # a loaded machine: the pages' content is what is checked
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/households/")
    expect(page.get_by_test_id("household-list")).to_contain_text("土木 · D级")
    shot(page, "households")
    page.get_by_label("乡镇").select_option(label="新桥镇")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("household-list")).not_to_contain_text("东洋户")
    shot(page, "households-township")
    page.goto(f"{live_server.url}/clues/")
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
    shot(page, "ledger")
    page.get_by_role("link", name="打印台账").click()
    expect(page.get_by_text("打印日期")).to_be_visible()
    shot(page, "ledger-print")
    page.goto(f"{live_server.url}/clues/items/?status=open&print=1")
    expect(page.get_by_test_id("print-township")).to_have_count(2)
    shot(page, "items-print-county")
    page.context.clear_cookies()
    log_in(page, live_server, "pete")
    page.goto(f"{live_server.url}/crosscheck/lists/")
    expect(page.get_by_test_id("list-templates")).to_contain_text("死亡人员名单")
    shot(page, "lists-data-clerk")


# As OVERFLOWING, but a wide table inside a box that scrolls sideways (table.grid on a phone)
# does not count when the box itself fits: the page does not move, the table scrolls.
SCROLLED_OK = OVERFLOWING.replace(
    ".filter(e => { const r",
    """.filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if ((o === 'auto' || o === 'scroll' || o === 'hidden')
            && a.getBoundingClientRect().right <= window.innerWidth + 1) return false; }
        return true; })
  .filter(e => { const r""",
)


def test_the_pages_a_township_clerk_opens_on_a_phone_fit_390(page, live_server, office):
    """The township's pages used in the field (待办, the list and a household, visits, plates,
    the problem list, notifications) at 390×844: nothing wider than the screen."""
    from anju.households.models import Household

    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "alice")
    first = Household.objects.filter(region__code__startswith="350881100").order_by("pk").first()
    too_wide = {}
    for name, url in (
        ("home", "/"),
        ("households", "/households/"),
        ("household", f"/households/{first.pk}/"),
        ("visits", "/households/visits/"),
        ("plates", "/households/plates/"),
        ("items", "/clues/items/"),
        ("notifications", "/notifications/"),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("main h1")).to_be_visible()
        wide = page.evaluate(SCROLLED_OK)
        if wide:
            too_wide[name] = wide[:3]
        page.screenshot(path=SHOTS / f"office-{name}-390.png", full_page=True)
    assert too_wide == {}
    # The list itself is cards on a phone: each value under its column's name.
    page.goto(live_server.url + "/households/")
    assert page.evaluate(OVERFLOWING) == []
    expect(page.get_by_test_id("household-list").locator("thead")).to_be_hidden()


def test_the_household_filters_keep_the_search_button_on_its_own_row(page, live_server, office):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/households/")
    button = page.get_by_role("button", name="查询").bounding_box()
    clear = page.get_by_role("link", name="清除筛选").bounding_box()
    fields = page.locator(".filter-fields").bounding_box()
    # 查询 begins the row below the fields, beside 清除筛选 — not a lone wrap at the end.
    assert button["y"] >= fields["y"] + fields["height"] - 1
    assert abs(button["x"] - fields["x"]) < 4
    assert abs(clear["y"] + clear["height"] / 2 - (button["y"] + button["height"] / 2)) < 6
    page.get_by_label("房屋结构").select_option(label="土木")
    page.get_by_label("回访").select_option(label="从未回访")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_label("房屋结构")).to_have_value("earth_timber")
    expect(page.get_by_test_id("household-list")).to_contain_text("农户1号")
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=SHOTS / "office-households-filters-1280.png", full_page=True)
