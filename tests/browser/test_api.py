"""Issue 8's API in Chromium: a clerk creates a token on the staff page, opens the browsable
API page (Swagger UI from the sidecar's files, under the project's CSP, no violation), authorises
with the token and calls the household list."""

import pytest
from playwright.sync_api import expect

from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def test_a_clerk_creates_a_token_and_tries_the_api(page, live_server, cast):
    log_in(page, live_server, "carol")
    # The county clerk's 管理 group holds 接口令牌 and 门户公开信息.
    page.get_by_role("navigation", name="主菜单").locator("summary", has_text="管理").click()
    page.get_by_role("link", name="接口令牌").click()
    page.get_by_label("用途").fill("浏览器测试")
    page.get_by_role("button", name="创建").click()
    token = page.get_by_test_id("new-token").locator("code").inner_text()
    assert token.startswith("anju_")
    expect(page.get_by_test_id("tokens")).to_contain_text("浏览器测试")

    # From here on: not one failed load, script error or CSP violation on the API page.
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" or "Content Security" in m.text else 0
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else 0)
    page.goto(f"{live_server.url}/api/v1/docs/")
    ui = page.get_by_test_id("swagger-ui")
    expect(ui.get_by_text("安居 数据接口").first).to_be_visible()
    households = ui.locator(".opblock", has_text="/api/v1/households/").first
    expect(households).to_be_visible()

    ui.locator("button.authorize").first.click()
    page.locator(".modal-ux input").first.fill(token)
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()

    households.locator(".opblock-summary").click()
    households.get_by_role("button", name="Try it out").click()
    households.get_by_role("button", name="Execute").click()
    status = households.locator(".live-responses-table tbody td.response-col_status").first
    expect(status).to_contain_text("200")
    expect(households.locator(".live-responses-table tbody")).to_contain_text("results")
    assert problems == [], problems
