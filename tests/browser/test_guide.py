"""使用说明 in the browser (issue 28): a county clerk follows the overview's link to the figures'
definitions and opens their own role's guide; both pages fit an office screen and a phone."""

import pytest
from playwright.sync_api import expect

from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.browser.test_menu import OVERFLOWING, SHOTS


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def test_a_clerk_reads_what_a_figure_means_and_their_own_steps(page, live_server, cast):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/overview/")
    page.get_by_role("link", name="使用说明《数字的含义》").click()
    expect(page.locator("#overview-paid")).to_have_text("补助按时发放")
    expect(page.get_by_text("验收后规定天数内（默认 30 天）首笔发放的")).to_be_visible()
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=SHOTS / "guide-figures-1280.png")
    page.get_by_test_id("guide-link").click()
    page.locator("[data-testid=guide-own]").get_by_role("link", name="区县经办员").click()
    expect(page.get_by_test_id("guide-steps").locator("h2").first).to_contain_text("每天先看待办")
    page.screenshot(path=SHOTS / "guide-county-clerk-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=SHOTS / "guide-county-clerk-390.png")
