"""Issue 29 in Chromium: a township clerk records a whole village's quarter on one screen (one bad
row refused, nothing kept until it is fixed, then every row kept), prints the paper form, and
plates the village's poor households in one step."""

import os

import pytest
from playwright.sync_api import expect

from anju.households.imports import import_households
from anju.households.models import FollowUpVisit, SafetyPlate
from anju.oversight.models import RectificationItem
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.households.files import row, xlsx

VILLAGE = "350881100203"


@pytest.fixture
def cast(transactional_db):
    make_regions()
    cast = make_cast()
    import_households(
        actor="test",
        file_name="t.xlsx",
        data=xlsx(
            [
                row(n, **{"户主姓名": name, "房屋结构": structure})
                for n, (name, structure) in enumerate(
                    [("陈一", "土木"), ("陈二", "砖木"), ("陈三", "土坯"), ("陈四", "土木")], 1
                )
            ]
        ),
    )
    return cast


def shot(page, name: str) -> None:
    """With ANJU_SHOTS=DIR, keep a full-page screenshot to look at."""
    folder = os.environ.get("ANJU_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def tick(page, name: str, label: str) -> None:
    page.get_by_label(f"{name} {label}", exact=True).check()


def test_a_village_quarter_on_one_screen(page, live_server, cast):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/households/visits/")
    page.get_by_test_id("open-sheet").click()
    page.get_by_role("link", name="西埔村").click()
    expect(page.get_by_test_id("sheet-row")).to_have_count(4)
    tick(page, "陈一", "未发现问题")
    tick(page, "陈二", "漏雨透风")
    tick(page, "陈二", "未发现问题")  # the mistake: a problem and "no problem" on one row
    tick(page, "陈三", "仍住危房")
    page.get_by_label("陈三 情况说明").fill("老屋仍有人住")
    # 陈四 was not visited this round: left alone, not saved.
    shot(page, "sheet-filled-1280")
    page.get_by_test_id("sheet-save").click()
    expect(page.get_by_test_id("sheet-errors")).to_contain_text("整张表未保存")
    expect(page.get_by_test_id("row-error")).to_have_count(1)
    expect(page.get_by_test_id("row-error")).to_contain_text("陈二")
    shot(page, "sheet-refused-1280")
    assert not FollowUpVisit.objects.exists()
    # What was typed is still there; the clerk fixes the one row and saves again.
    expect(page.get_by_label("陈三 情况说明")).to_have_value("老屋仍有人住")
    expect(page.get_by_label("陈一 未发现问题", exact=True)).to_be_checked()
    page.get_by_label("陈二 未发现问题", exact=True).uncheck()
    page.get_by_test_id("sheet-save").click()
    expect(page.get_by_text("已保存 3 户的回访")).to_be_visible()
    expect(page.get_by_text("其中 2 户发现问题")).to_be_visible()
    saved = {v.household.head_name: v.findings for v in FollowUpVisit.objects.all()}
    assert saved == {"陈一": [], "陈二": ["leaky"], "陈三": ["still_in_old"]}
    assert RectificationItem.objects.count() == 2
    expect(page.get_by_test_id("sheet-row")).to_have_count(1)  # 陈四 is still due
    shot(page, "sheet-saved-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "sheet-390")
    pdf = page.request.get(live_server.url + page.get_by_test_id("sheet-pdf").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_a_village_plated_in_one_step(page, live_server, cast):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/households/plates/")
    page.get_by_test_id("plates-batch").click()
    page.get_by_role("link", name="西埔村").click()
    expect(page.get_by_test_id("unplated-count")).to_have_text("4")
    page.get_by_test_id("issue-batch").click()
    expect(page.get_by_text("已为 4 户制牌")).to_be_visible()
    expect(page.get_by_test_id("plate-row")).to_have_count(4)
    page.get_by_label("挂牌人").fill("村建站 张三")
    page.get_by_label("陈一 已挂牌").check()
    page.get_by_label("陈二 已挂牌").check()
    shot(page, "plates-batch-1280")
    page.get_by_test_id("hung-batch").click()
    expect(page.get_by_text("已记录 2 块牌挂牌上墙")).to_be_visible()
    expect(page.get_by_test_id("plate-row")).to_have_count(2)
    assert SafetyPlate.objects.filter(installed_by="村建站 张三").count() == 2


PHONE = {"width": 390, "height": 844}
KEPT_VILLAGE = """async (village) => {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const r of await cache.keys()) { if (r.url.includes("region=" + village)) return true; }
  }
  return false;
}"""
LEFT_ON_PHONE = """async () => ({
  caches: (await caches.keys()).length,
  databases: (await indexedDB.databases()).map(d => d.name),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


def test_a_village_sheet_filled_offline_arrives_once_and_logout_clears_the_phone(
    page, live_server, cast
):
    """Issue 29, point 5 for the township clerk: the township's sheet opened with a network keeps
    each village's sheet on the phone; in the village (Playwright's offline mode) the clerk ticks
    and saves, the sheet waits on the phone, and arrives once when the network returns. Logging
    out on a shared phone warns about what is unsent and leaves nothing behind."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/households/visits/sheet/?region=350881100000")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    for _ in range(50):  # the village's sheet kept on the phone in the background
        if page.evaluate(KEPT_VILLAGE, VILLAGE):
            break
        page.wait_for_timeout(200)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/households/visits/sheet/?region={VILLAGE}")
    expect(page.get_by_test_id("sheet-row")).to_have_count(4)
    tick(page, "陈一", "未发现问题")
    tick(page, "陈二", "漏雨透风")
    page.get_by_label("陈二 情况说明").fill("东墙漏雨")
    page.get_by_test_id("sheet-save").click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("没有网络")
    expect(page.get_by_test_id("queued-report")).to_have_count(1)
    expect(page.get_by_test_id("queued-report")).to_contain_text("西埔村回访工作表 · 回访 2 户")
    expect(page.get_by_test_id("report-queue")).to_contain_text("待发送的回访记录 1 条")
    expect(page.get_by_label("陈一 未发现问题", exact=True)).not_to_be_checked()
    shot(page, "sheet-offline-390")
    assert not FollowUpVisit.objects.exists()

    page.context.set_offline(False)
    expect(page.get_by_test_id("report-queue")).to_be_hidden(timeout=20000)
    saved = {v.household.head_name: (v.findings, v.note) for v in FollowUpVisit.objects.all()}
    assert saved == {"陈一": ([], ""), "陈二": (["leaky"], "东墙漏雨")}
    page.reload()
    expect(page.get_by_test_id("sheet-row")).to_have_count(2)  # 陈三 and 陈四 still due
    page.wait_for_timeout(1000)
    assert FollowUpVisit.objects.count() == 2

    # Offline again, one more house saved on the phone; then the clerk logs out.
    page.context.set_offline(True)
    tick(page, "陈三", "仍住危房")
    page.get_by_test_id("sheet-save").click()
    expect(page.get_by_test_id("queued-report")).to_have_count(1)
    # The network is back for the logout but not (yet) for the sheet: it stays unsent.
    page.route("**/households/visits/sheet/**", lambda route: route.abort())
    page.context.set_offline(False)
    warned = []
    page.once("dialog", lambda d: (warned.append(d.message), d.dismiss()))
    page.get_by_role("button", name="退出").click()
    for _ in range(50):  # the warning comes after the queue is read (IndexedDB, async)
        if warned:
            break
        page.wait_for_timeout(200)
    assert warned and "还有 1 条记录没有发送" in warned[0], warned
    expect(page.get_by_test_id("current-user")).to_be_visible()  # stayed: nothing lost
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    left = page.evaluate(LEFT_ON_PHONE)
    assert left == {"caches": 0, "databases": [], "workers": 0}, left
    assert FollowUpVisit.objects.count() == 2


def test_a_visits_file_is_imported_in_the_background(page, live_server, cast):
    """Issue 29, point 2: the visits file goes to the worker (the tests' task backend runs the
    job at once); the upload's page shows the outcome."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.households.files import csv, rid

    day = f"{timezone.localdate() - timedelta(days=2):%Y-%m-%d}"
    data = csv(
        [["陈一", rid(1), day, "未发现问题", ""], ["陈二", rid(2), day, "漏雨透风", "东墙漏雨"]],
        header=["户主姓名", "户主身份证号", "回访日期", "发现问题", "情况说明"],
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/households/visits/")
    page.get_by_test_id("open-visits-import").click()
    page.get_by_label("回访文件（.xlsx / .xls / .csv）").set_input_files(
        files=[{"name": "十二月回访.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("heading", name="导入季度回访：十二月回访.csv")).to_be_visible()
    expect(page.get_by_test_id("import-ok")).to_contain_text("已导入 2 条回访记录")
    expect(page.get_by_test_id("import-ok")).to_contain_text("其中 1 户发现问题")
    shot(page, "visits-import-done-1280")
    assert FollowUpVisit.objects.count() == 2
    page.get_by_role("link", name="再导入一个回访文件").click()
    expect(page.get_by_test_id("recent-imports")).to_contain_text("十二月回访.csv")
    shot(page, "visits-import-page-1280")
