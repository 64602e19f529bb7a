"""The main journeys of the foundation, in real Chromium against a live server."""

import re
import time

import pytest
from playwright.sync_api import expect

from anju.accounts.models import SealedTOTPDevice, User
from tests.base import PASSWORD, make_cast, make_regions, otp_device, totp_code


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def fresh_code(device: SealedTOTPDevice) -> str:
    """The code an authenticator app would show that the server has not accepted yet.

    A code is good once: when this device already used the current step (the same user logged
    in moments ago), take the next step's code, which the one-step tolerance accepts, and wait
    for the clock only if that one was used too.
    """
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    if device.last_t >= now_step + 1:
        time.sleep((now_step + 1) * device.step + device.t0 - time.time() + 0.5)
        now_step += 1
    offset = max(0, device.last_t + 1 - now_step)
    return totp_code(device, step_offset=offset)


def enter_code(page, device: SealedTOTPDevice) -> None:
    expect(page.get_by_role("heading", name="输入动态验证码")).to_be_visible()
    page.get_by_label("动态验证码").fill(fresh_code(device))
    page.get_by_role("button", name="验证").click()


def log_in(page, live_server, username):
    """The password, then the code of the user's authenticator (a device with the known test
    secret, bound here on first use)."""
    device = otp_device(User.objects.get(username=username))
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    enter_code(page, device)


def test_a_township_clerk_sees_only_their_township(page, live_server, cast):
    log_in(page, live_server, "alice")
    expect(page.get_by_test_id("current-user")).to_have_text("alice姓名")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新桥镇")
    page.get_by_role("link", name="本区划下级区划一览").click()  # the home page is the to-do list
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
    # The home page stays the person's own to-do list; the region's page is a link away.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="本区划下级区划一览").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("漳平市")
    page.get_by_role("link", name="双洋镇").click()
    page.get_by_test_id("switch-here").click()
    expect(page.get_by_test_id("region-bar")).to_have_text(
        re.compile(r"龙岩市\s*›\s*漳平市\s*›\s*双洋镇")
    )
    expect(page.get_by_role("link", name="东洋村")).to_be_visible()
    expect(page.get_by_text("西埔村")).to_have_count(0)
