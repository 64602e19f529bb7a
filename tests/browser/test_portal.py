"""Issue 7's journeys in Chromium on a phone-sized screen: an anonymous report from start to
tracking code, the follow-up with the code alone, and the disclosure list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.households.imports import import_households
from anju.households.models import Renovation
from tests.base import make_cast, make_regions
from tests.households.files import row, xlsx

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def residents(transactional_db):
    from django.core.cache import cache

    cache.clear()
    make_regions()
    make_cast()
    import_households(actor="t", file_name="a.xlsx", data=xlsx([row(1, **{"户主姓名": "张小明"})]))
    today = timezone.localdate()
    Renovation.objects.update(
        notice_start=today - timedelta(days=2), notice_end=today + timedelta(days=5)
    )


def choose_place(page):
    page.get_by_label("县（市、区）").select_option(label="漳平市")
    page.get_by_role("button", name="选定地方").click()
    page.get_by_label("乡镇（街道）").select_option(label="新桥镇")
    page.get_by_role("button", name="选定地方").click()
    page.get_by_label("村（社区）").select_option(label="西埔村")
    page.get_by_role("button", name="选定地方").click()
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")


def answer_question(page):
    """Type the characters of the picture. A person reads them; the test, which cannot, takes
    them from the server's session for the browser's cookie (the page itself does not say)."""
    from django.contrib.sessions.backends.db import SessionStore

    expect(page.get_by_test_id("challenge")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    answer = SessionStore(session_key=cookie["value"])["portal_answer"]
    page.get_by_label("验证字符").fill(answer)


def test_anonymous_report_code_and_follow_up_on_a_phone(page, live_server, residents):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="反映问题").click()
    choose_place(page)
    page.get_by_label("问题类型").select_option(label="资金使用违规")
    page.get_by_label("问题描述").fill("补助款被村干部代领，户主本人没有拿到。")
    answer_question(page)
    page.get_by_role("button", name="提交").click()
    code = page.get_by_test_id("tracking-code").inner_text()
    assert len(code) == 19

    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("public-status")).to_have_text("已受理")
    page.get_by_label("补充情况").fill("代领时间是去年十月。")
    page.get_by_role("button", name="提交补充").click()
    expect(page.get_by_test_id("additions")).to_contain_text("代领时间是去年十月。")


def test_the_disclosure_list_on_a_phone(page, live_server, residents):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/disclosure/")
    page.get_by_label("县（市、区）").select_option(label="漳平市")
    page.get_by_role("button", name="查看").click()
    page.get_by_label("乡镇（街道）").select_option(label="新桥镇")
    page.get_by_role("button", name="查看").click()
    page.get_by_label("村（社区）").select_option(label="西埔村")
    page.get_by_label("年度").select_option("2019")
    page.get_by_role("button", name="查看").click()
    table = page.get_by_test_id("disclosure")
    expect(table).to_contain_text("张*明")
    expect(table).not_to_contain_text("张小明")
    table.get_by_role("link", name="反映问题").click()
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")
    expect(page.get_by_label("问题描述")).to_have_value("2019年度补助对象张*明：")
