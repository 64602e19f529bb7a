"""Issue 27 in Chromium: each role signs in, sees exactly the work planted for it on the home
page (待办), follows each item's link to where it is done, does it, and sees it leave."""

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from anju.reporting.models import Report
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.workbench.plant import plant


@pytest.fixture
def planted(transactional_db):
    make_regions()
    users = make_cast()
    found = plant(users)
    with override_settings(ANJU_REPORTING_SINCE=found.since):
        yield found


def keys(page) -> set[str]:
    rows = page.get_by_test_id("workbench-item")
    return {rows.nth(i).get_attribute("data-key") for i in range(rows.count())}


def row(page, key):
    return page.locator(f'[data-testid="workbench-item"][data-key="{key}"]')


def home(page, live_server):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的待办")


def follow_every_link(page, live_server, expected):
    """Each item's link opens a page of the system (not refused, not missing)."""
    for key in sorted(expected):
        home(page, live_server)
        row(page, key).get_by_role("link").click()
        expect(page.locator("main h1")).not_to_have_text("未找到")
        expect(page.locator("main h1")).not_to_contain_text("无权")


def sees_exactly(page, live_server, expected):
    home(page, live_server)
    assert keys(page) == expected
    follow_every_link(page, live_server, expected)
    home(page, live_server)


def test_the_township_clerk(page, live_server, planted):
    o = planted.objects
    log_in(page, live_server, "alice")
    sees_exactly(page, live_server, planted.keys["alice"])
    # The cadre's report: open it from the list, put it on the problem list.
    row(page, f"observation:{o['observation'].pk}").get_by_role("link").click()
    page.get_by_label("责任人").fill("西埔村村建员")
    page.get_by_label("整改措施").fill("更换屋面瓦")
    page.get_by_role("button", name="列入问题清单").click()
    expect(page.get_by_test_id("observation-status")).to_contain_text("已列入问题清单")
    # The change request sent back: read, then off the list.
    home(page, live_server)
    expect(row(page, f"change-rejected:{o['rejected'].pk}")).to_contain_text("请附户口簿复印件")
    expect(row(page, f"change-rejected:{o['rejected'].pk}")).to_contain_text("陈*")
    row(page, f"change-rejected:{o['rejected'].pk}").get_by_role("button", name="知道了").click()
    gone = {f"observation:{o['observation'].pk}", f"change-rejected:{o['rejected'].pk}"}
    assert not keys(page) & gone
    assert planted.keys["alice"] - gone <= keys(page)


def test_the_county_clerk(page, live_server, planted):
    o = planted.objects
    log_in(page, live_server, "carol")
    sees_exactly(page, live_server, planted.keys["carol"])
    # A clue transferred in: sign for it, then answer it.
    row(page, f"transfer-ack:{o['transfer_in'].pk}").get_by_role("link").click()
    page.locator(f"#transfer-{o['transfer_in'].pk}").get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收。")).to_be_visible()
    home(page, live_server)
    assert f"transfer-ack:{o['transfer_in'].pk}" not in keys(page)
    row(page, f"transfer-report:{o['transfer_in'].pk}").get_by_role("link").click()
    there = page.locator(f"#transfer-{o['transfer_in'].pk}")
    there.get_by_label("办理结果").fill("经核实，已责成东城街道整改")
    there.get_by_role("button", name="反馈").click()
    home(page, live_server)
    assert f"transfer-report:{o['transfer_in'].pk}" not in keys(page)
    # The report the city returned: correct it as a new version.
    row(page, f"report-returned:{o['returned'].pk}").get_by_role("link").click()
    page.get_by_label("更正原因").fill("按市里意见补报典型案例")
    page.get_by_role("button", name="创建更正版本").click()
    home(page, live_server)
    assert f"report-returned:{o['returned'].pk}" not in keys(page)


def test_the_county_reviewer(page, live_server, planted):
    o = planted.objects
    log_in(page, live_server, "rita")
    sees_exactly(page, live_server, planted.keys["rita"])
    close_key = next(k for k in planted.keys["rita"] if k.startswith("close:"))
    row(page, close_key).get_by_role("link").click()
    page.get_by_role("button", name="同意销号").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("已销号")
    home(page, live_server)
    row(page, f"change:{o['pending'].pk}").get_by_role("link").click()
    page.get_by_role("button", name="同意").click()
    home(page, live_server)
    row(page, f"report-sign:{o['draft'].pk}").get_by_role("link").click()
    page.get_by_role("button", name="审核通过").click()
    home(page, live_server)
    assert keys(page) == set()
    expect(page.get_by_text("目前没有待办事项")).to_be_visible()


def test_the_discipline_officer(page, live_server, planted):
    o = planted.objects
    log_in(page, live_server, "dora")
    sees_exactly(page, live_server, planted.keys["dora"])
    row(page, f"transfer-ack:{o['transfer_jj'].pk}").get_by_role("link").click()
    there = page.locator(f"#transfer-{o['transfer_jj'].pk}")
    there.get_by_role("button", name="签收").click()
    there.get_by_label("办理结果").fill("已立案审查")
    there.get_by_role("button", name="反馈").click()
    home(page, live_server)
    assert keys(page) == {f"quarterly:{o['quarterly'].pk}"}
    expect(row(page, f"quarterly:{o['quarterly'].pk}")).to_contain_text("季度")
    row(page, f"quarterly:{o['quarterly'].pk}").get_by_role("button", name="知道了").click()
    assert keys(page) == set()


def test_the_city_office(page, live_server, planted):
    log_in(page, live_server, "cindy")
    sees_exactly(page, live_server, planted.keys["cindy"])
    late = f"late:annex1:{planted.since.replace('-', '')}"
    expect(row(page, late)).to_contain_text("漳平市")
    expect(row(page, late)).to_contain_text("年")
    # The counter opens the list behind it.
    over = f"over-limit:{planted.today:%Y%m}"
    row(page, over).get_by_role("link").click()
    expect(page.locator("table.grid")).to_contain_text(planted.objects["old"].number)
    # The district reports: the late item leaves the city's list.
    from datetime import date

    start = date.fromisoformat(planted.since + "-01")
    Report.objects.create(
        region_id="350881000000",
        kind="annex1",
        period=start,
        status="submitted",
        due_date=start,
        prepared_by=planted.objects["old"].registered_by,
        submitted_at=timezone.now(),
    )
    home(page, live_server)
    assert late not in keys(page)
