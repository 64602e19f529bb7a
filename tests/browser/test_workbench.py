"""Issue 27 in Chromium: each role signs in, sees exactly the work planted for it on the home
page (待办), follows each item's link to where it is done, does it, and sees it leave."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.base import make_cast, make_regions, make_user
from tests.browser.test_journeys import log_in
from tests.browser.test_ledger import _png, logout
from tests.browser.test_reporting import sign_and_submit
from tests.workbench.plant import plant


@pytest.fixture
def planted(transactional_db):
    make_regions()
    users = make_cast()
    make_user("xrev", "county_reviewer", "350802000000")  # 新罗区's reviewer, for the city's day
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
    # The problem-list item due tomorrow: mark it put right, with what was done.
    row(page, f"item:{o['item'].pk}").get_by_role("link").click()
    page.locator("tr", has_text="安全牌褪色").get_by_role("link", name="已整改…").click()
    page.get_by_label("整改情况").fill("两户安全牌已重新制作并挂牌")
    page.get_by_test_id("confirm-done").click()
    home(page, live_server)
    assert f"item:{o['item'].pk}" not in keys(page)
    # The quarter's visit: the village's worksheet, one row ticked, saved.
    visits = next(k for k in planted.keys["alice"] if k.startswith("visits:"))
    row(page, visits).get_by_role("link").click()
    page.get_by_test_id("open-sheet").click()
    page.get_by_role("link", name="西埔村").click()
    page.get_by_label("陈金水 未发现问题", exact=True).check()
    page.get_by_test_id("sheet-save").click()
    expect(page.get_by_text("已保存 1 户的回访")).to_be_visible()
    home(page, live_server)
    assert visits not in keys(page)
    # The plate to hang: the village's batch issues it, then it is recorded as hung.
    plates = next(k for k in planted.keys["alice"] if k.startswith("plates:"))
    row(page, plates).get_by_role("link").click()
    page.get_by_test_id("plates-batch").click()
    page.get_by_role("link", name="西埔村").click()
    page.get_by_test_id("issue-batch").click()
    expect(page.get_by_text("已为 1 户制牌")).to_be_visible()
    page.get_by_label("挂牌人").fill("村建站 张三")
    page.get_by_label("陈金水 已挂牌").check()
    page.get_by_test_id("hung-batch").click()
    expect(page.get_by_text("已记录 1 块牌挂牌上墙")).to_be_visible()
    home(page, live_server)
    # Every planted item was done in the pages it links to, and none is left.
    assert not keys(page) & planted.keys["alice"], keys(page)


def report_through(page, live_server, url, month):
    """From the clerk's own link to the reports page: prepare the month's Annex 1, then the
    reviewer signs it off and submits it, all in the pages."""
    page.goto(url)
    page.get_by_label("报表").first.select_option(value="annex1")
    page.get_by_label("所属月份").fill(month)
    page.get_by_role("button", name="按台账编制").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    report_url = page.url
    logout(page)
    log_in(page, live_server, "rita")
    page.goto(report_url)
    sign_and_submit(page)
    logout(page)


def close_out(page, live_server, clerk, reviewer, clue_url):
    """A clue worked to close-out in its page by the clerk, approved by the reviewer."""
    log_in(page, live_server, clerk)
    page.goto(clue_url)
    if page.get_by_label("承办单位").count():
        page.get_by_label("承办单位").fill("乡镇人民政府")
        page.get_by_role("button", name="分办").click()
    page.get_by_role("button", name="开始核查").click()
    page.get_by_label("处置方式").select_option(label="初步核实")
    page.get_by_role("button", name="确定处置").click()
    page.get_by_role("button", name="进入整改").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "整改照片.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.get_by_label("整改佐证材料").check()
    page.get_by_role("button", name="上传").click()
    page.get_by_label("整改情况").fill("已整改到位")
    page.get_by_label("追缴资金（万元）").fill("0")
    page.get_by_label("问责（人）").fill("0")
    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("待销号")
    logout(page)
    log_in(page, live_server, reviewer)
    page.goto(clue_url)
    page.get_by_role("button", name="同意销号").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("已销号")
    logout(page)


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
    # The old clue, still at registration: assign it. Past the overall limit it stays on the
    # list at its next stage, saying so.
    old = o["old"]
    row(page, f"clue:{old.pk}:registered").get_by_role("link").click()
    page.get_by_label("承办单位").fill("新桥镇人民政府")
    page.get_by_role("button", name="分办").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("分办")
    home(page, live_server)
    assert f"clue:{old.pk}:registered" not in keys(page)
    expect(row(page, f"clue:{old.pk}:assigned")).to_contain_text("已超过总时限")
    # The Annex 1 not yet reported: prepared here, signed off and submitted by the reviewer.
    due = f"report-due:350881000000:annex1:{planted.since.replace('-', '')}"
    url = row(page, due).get_by_role("link").get_attribute("href")
    report_through(page, live_server, live_server.url + url, planted.since)
    log_in(page, live_server, "carol")
    home(page, live_server)
    assert not keys(page) & planted.keys["carol"], keys(page)


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
    page.get_by_role("link", name="审核…").click()
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
    o = planted.objects
    log_in(page, live_server, "cindy")
    sees_exactly(page, live_server, planted.keys["cindy"])
    late = f"late:annex1:{planted.since.replace('-', '')}"
    expect(row(page, late)).to_contain_text("漳平市")
    expect(row(page, late)).to_contain_text("年")
    # The counter opens the list behind it.
    over = f"over-limit:{planted.today:%Y%m}"
    row(page, over).get_by_role("link").click()
    expect(page.locator("table.grid")).to_contain_text(o["old"].number)
    home(page, live_server)
    clue_urls = {
        key: live_server.url + row(page, key).get_by_role("link").get_attribute("href")
        for key in (f"supervised:{o['x_clue'].pk}",)
    }
    logout(page)
    # What the city presses for is done by the districts, in their pages: 漳平市 reports its
    # Annex 1, works the old clue to close-out; 新罗区 closes the supervised clue.
    log_in(page, live_server, "carol")
    home(page, live_server)
    due = f"report-due:350881000000:annex1:{planted.since.replace('-', '')}"
    report_through(
        page,
        live_server,
        live_server.url + row(page, due).get_by_role("link").get_attribute("href"),
        planted.since,
    )
    close_out(page, live_server, "carol", "rita", live_server.url + o["old"].get_absolute_url())
    close_out(page, live_server, "xavier", "xrev", clue_urls[f"supervised:{o['x_clue'].pk}"])
    log_in(page, live_server, "cindy")
    home(page, live_server)
    assert keys(page) == set()
    expect(page.get_by_text("目前没有待办事项")).to_be_visible()
