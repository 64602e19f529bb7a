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
