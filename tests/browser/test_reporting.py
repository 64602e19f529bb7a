"""Issue 5's journey in Chromium: a district prepares, the reviewer signs off, the city sees it on
time on the board, and a late district shows as late."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.reporting.deadlines import add_months
from tests.base import make_cast, make_regions, make_user
from tests.browser.test_journeys import log_in


@pytest.fixture
def cast(transactional_db):
    make_regions()
    users = make_cast()
    users["xrev"] = make_user("xrev", "county_reviewer", "350802000000")
    return users


def prepare_and_submit(page, live_server, clerk, reviewer, month):
    log_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("报表").first.select_option(value="annex1")
    page.get_by_label("所属月份").fill(month)
    page.get_by_role("button", name="按台账编制").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    url = page.url
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, reviewer)
    page.goto(url)
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已审核")
    page.get_by_role("button", name="报送市里").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已报送")
    page.get_by_role("button", name="退出").click()


def test_the_monthly_report_journey(page, live_server, cast):
    today = timezone.localdate()
    this_period = add_months(today.replace(day=1), -1)  # due on the 26th of this month
    late_period = add_months(this_period, -2)  # its due date has long passed
    on_time = today.day <= 26
    prepare_and_submit(page, live_server, "carol", "rita", f"{this_period:%Y-%m}")
    prepare_and_submit(page, live_server, "xavier", "xrev", f"{late_period:%Y-%m}")

    log_in(page, live_server, "cindy")
    page.goto(f"{live_server.url}/reports/board/?kind=annex1&month={this_period:%Y-%m}")
    board = page.get_by_test_id("board")
    row = board.locator("tr", has_text="漳平市")
    expect(row).to_contain_text("按时报送" if on_time else "迟报")
    page.goto(f"{live_server.url}/reports/board/?kind=annex1&month={late_period:%Y-%m}")
    expect(board.locator("tr", has_text="新罗区")).to_contain_text("迟报")
    expect(board.locator("tr", has_text="漳平市")).to_contain_text("未报（已逾期）")
