"""Issue 8's journey in Chromium: the city office opens the overview, goes down to 漳平市, clicks
the worst township's bar on the overdue-visit chart and lands on that township's overdue list."""

import pytest
from playwright.sync_api import expect

from anju.households.imports import import_households
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.households.files import row, xlsx


@pytest.fixture
def cast(transactional_db):
    make_regions()
    users = make_cast()
    # 新桥镇: two earth-timber houses never revisited; 双洋镇: one.
    result = import_households(
        actor="test",
        file_name="t.xlsx",
        data=xlsx(
            [
                row(1, **{"户主姓名": "陈金水"}),
                row(2, **{"户主姓名": "林木生"}),
                row(3, **{"户主姓名": "黄土根", "乡镇(街道)": "双洋镇", "行政村": "东洋村"}),
            ]
        ),
    )
    assert result.ok, result.errors
    return users


def test_city_office_clicks_the_worst_township_and_lands_on_its_overdue_list(
    page, live_server, cast
):
    log_in(page, live_server, "cindy")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="总览").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("龙岩市总览")
    expect(page.get_by_test_id("panel-revisited")).to_contain_text("回访逾期")
    page.get_by_test_id("drill-down").get_by_role("link", name="漳平市").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("漳平市总览")
    chart = page.get_by_test_id("panel-revisited")
    worst = chart.locator("a[data-worst]")
    expect(worst).to_have_count(1)
    expect(worst).to_contain_text("新桥镇")
    worst.click()
    expect(page).to_have_url(f"{live_server.url}/households/visits/?region=350881100000&overdue=1")
    expect(page.get_by_role("heading", level=1)).to_contain_text("回访逾期的农户")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新桥镇")
    expect(page.get_by_test_id("overdue-count")).to_have_text("2")
    expect(page.get_by_role("link", name="陈金水")).to_be_visible()
    expect(page.get_by_role("link", name="林木生")).to_be_visible()
    expect(page.get_by_role("link", name="黄土根")).to_have_count(0)


def test_the_overview_prints_without_menus(page, live_server, cast):
    log_in(page, live_server, "cindy")
    page.goto(f"{live_server.url}/overview/")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_test_id("panel-assessed")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
