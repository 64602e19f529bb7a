"""The main journeys of the foundation, in real Chromium against a live server."""

import re

import pytest
from playwright.sync_api import expect

from tests.base import PASSWORD, make_cast, make_regions


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_township_clerk_sees_only_their_township(page, live_server, cast):
    log_in(page, live_server, "alice")
    expect(page.get_by_test_id("current-user")).to_have_text("alice姓名")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新桥镇")
    expect(page.get_by_role("link", name="西埔村")).to_be_visible()
    expect(page.get_by_text("双洋镇")).to_have_count(0)
    expect(page.get_by_test_id("switch-region")).to_have_count(0)
    page.goto(f"{live_server.url}/regions/350881101000/")
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    expect(page.get_by_text("东洋村")).to_have_count(0)


def test_the_city_office_switches_regions(page, live_server, cast):
    log_in(page, live_server, "cindy")
    expect(page.get_by_role("heading", level=1)).to_contain_text("龙岩市")
    page.get_by_test_id("switch-region").click()
    page.get_by_test_id("switch-350881000000").click()
    expect(page.get_by_test_id("region-bar")).to_contain_text("漳平市")
    expect(page.get_by_role("heading", level=1)).to_contain_text("漳平市")
    page.get_by_role("link", name="双洋镇").click()
    page.get_by_test_id("switch-here").click()
    expect(page.get_by_test_id("region-bar")).to_have_text(
        re.compile(r"龙岩市\s*›\s*漳平市\s*›\s*双洋镇")
    )
    expect(page.get_by_role("link", name="东洋村")).to_be_visible()
    expect(page.get_by_text("西埔村")).to_have_count(0)
