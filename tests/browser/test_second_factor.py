"""Two-factor login in real Chromium: enrolment from the QR page's secret, then the code."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from anju.accounts.models import SealedTOTPDevice
from tests.base import PASSWORD, make_regions, make_user
from tests.browser.test_journeys import enter_code


@pytest.fixture
def newcomer(transactional_db):
    make_regions()
    return make_user("newbie", "township_clerk", "350881100000")


def app_code(secret: str) -> str:
    """What an authenticator app shows for the base32 secret typed in by hand."""
    totp = TOTP(b32decode(secret.replace(" ", "")), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("newbie")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_new_user_enrols_then_is_asked_for_the_code(page, live_server, newcomer):
    password(page, live_server)
    expect(page.get_by_role("heading", name="绑定手机验证器")).to_be_visible()
    expect(page.get_by_test_id("otp-qr")).to_be_visible()
    expect(page.get_by_role("link", name="农户档案")).to_have_count(0)  # nothing else yet
    secret = page.get_by_test_id("otp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
    page.get_by_label("动态验证码").fill(app_code(secret))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("手机验证器已绑定")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("newbie姓名")
    menu = page.get_by_role("navigation", name="主菜单")
    menu.locator("summary", has_text="档案").click()  # the menu is grouped by work
    expect(menu.get_by_role("link", name="农户档案")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    password(page, live_server)
    enter_code(page, SealedTOTPDevice.objects.get(user=newcomer, confirmed=True))
    expect(page.get_by_test_id("current-user")).to_have_text("newbie姓名")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新桥镇")
