"""Issue #10 item 3's journey in Chromium on a 375×740 phone screen: an assistance cadre
records an observation with a photo on a visit; the township clerk sees it and opens a
rectification item."""

import io
import os

import pytest
from PIL import Image
from playwright.sync_api import expect

from anju.accounts.roles import Role
from anju.cadres.models import Assignment
from anju.households.models import Household
from anju.oversight.models import RectificationItem
from tests.base import make_cast, make_regions, make_user
from tests.browser.test_journeys import log_in
from tests.households.files import rid

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def assigned(transactional_db):
    make_regions()
    cast = make_cast()
    cadre = make_user("cathy", Role.CADRE, "350881100000")
    mine = Household.objects.create(region_id="350881100203", head_name="帮扶户甲", head_id=rid(1))
    Household.objects.create(region_id="350881100203", head_name="邻居乙", head_id=rid(2))
    Assignment.objects.create(cadre=cadre, household=mine, assigned_by=cast["alice"])
    return mine


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(out, "JPEG")
    return out.getvalue()


def test_a_cadre_reports_on_a_phone_and_the_township_opens_an_item(page, live_server, assigned):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "cathy")
    households = page.get_by_test_id("my-households")
    expect(households).to_contain_text("帮扶户甲")
    expect(households).not_to_contain_text("邻居乙")
    # Nothing runs off the side of a phone screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.get_by_role("link", name="帮扶户甲").click()
    page.get_by_label("发现问题").select_option(label="漏雨透风")
    page.get_by_label("情况说明").fill("东侧厢房屋顶漏雨，墙体透风")
    page.get_by_label("照片").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    page.get_by_role("button", name="报告乡镇").click()
    expect(page.get_by_text("已报告乡镇")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    # On the offline pages logging out first clears the phone (offline.js), then signs out:
    # wait for the login page rather than racing it.
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible(timeout=15000)
    log_in(page, live_server, "alice")
    # The township's workbench lists the report; its link opens it.
    page.get_by_test_id("workbench").get_by_role("link", name="漏雨透风").click()
    expect(page.get_by_test_id("observation")).to_contain_text("东侧厢房屋顶漏雨")
    expect(page.get_by_test_id("observation-photos").locator("img")).to_have_count(1)
    page.get_by_label("责任人").fill("西埔村村建员")
    page.get_by_label("整改措施").fill("更换屋面瓦，封堵墙缝")
    page.get_by_role("button", name="列入问题清单").click()
    expect(page.get_by_test_id("observation-status")).to_contain_text("已列入问题清单")
    page.get_by_role("link", name="问题清单").last.click()
    expect(page.locator("table.grid")).to_contain_text("帮扶户甲")
    item = RectificationItem.objects.get()
    assert (item.source, item.owner) == ("cadre", "西埔村村建员")


def test_reports_made_offline_arrive_once_when_the_network_returns(page, live_server, assigned):
    """Issue 29, point 5: the cadre goes offline (Playwright's offline mode), records two reports
    with a photo, sees them waiting on the phone, comes back online, and both arrive once."""
    from anju.cadres.models import Observation, ObservationPhoto

    page.set_viewport_size(PHONE)
    log_in(page, live_server, "cathy")
    page.goto(f"{live_server.url}/cadres/")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    page.get_by_role("link", name="帮扶户甲").click()
    expect(page.get_by_label("发现问题")).to_be_visible()
    page.context.set_offline(True)
    for kind, note in (("漏雨透风", "东墙漏雨"), ("联体房隐患", "与邻屋共墙开裂")):
        page.get_by_label("发现问题").select_option(label=kind)
        page.get_by_label("情况说明").fill(note)
        page.get_by_label("照片").set_input_files(
            files=[{"name": "IMG.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
        )
        page.get_by_role("button", name="报告乡镇").click()
        expect(page.get_by_test_id("offline-status")).to_contain_text("没有网络")
    expect(page.get_by_test_id("queued-report")).to_have_count(2)
    expect(page.get_by_test_id("report-queue")).to_contain_text("待发送的报告 2 条")
    expect(page.get_by_test_id("queued-report").first).to_contain_text("照片 1 张")
    page.screenshot(
        path=os.path.join(os.environ.get("ANJU_SHOTS", "/tmp"), "cadre-offline-390.png")
    )
    assert Observation.objects.count() == 0
    # Still offline, the page comes from the phone's copy, the queue with it.
    page.reload()
    expect(page.get_by_test_id("queued-report")).to_have_count(2)
    page.context.set_offline(False)
    expect(page.get_by_test_id("report-queue")).to_be_hidden(timeout=20000)
    made = list(Observation.objects.order_by("pk"))
    assert [o.note for o in made] == ["东墙漏雨", "与邻屋共墙开裂"]
    assert len({o.client_key for o in made}) == 2 and all(o.client_key for o in made)
    assert ObservationPhoto.objects.count() == 2
    # Reloading and waiting sends nothing twice.
    page.reload()
    page.wait_for_timeout(1000)
    assert Observation.objects.count() == 2


def test_a_queued_report_for_a_household_no_longer_assigned_stays_until_dismissed(
    page, live_server, assigned
):
    from anju.cadres.models import Observation

    page.set_viewport_size(PHONE)
    log_in(page, live_server, "cathy")
    page.goto(f"{live_server.url}/cadres/")
    page.get_by_role("link", name="帮扶户甲").click()
    page.context.set_offline(True)
    page.get_by_label("发现问题").select_option(label="漏雨透风")
    page.get_by_role("button", name="报告乡镇").click()
    expect(page.get_by_test_id("queued-report")).to_have_count(1)
    Assignment.objects.all().delete()  # the township reassigned the household meanwhile
    page.context.set_offline(False)
    refused = page.get_by_test_id("queued-report")
    expect(refused).to_contain_text("不再分配给您", timeout=20000)
    # Kept on the phone with the server's message (the list page shows it too) until dismissed.
    page.goto(f"{live_server.url}/cadres/")
    expect(page.get_by_test_id("queued-report")).to_contain_text("不再分配给您")
    page.get_by_role("button", name="删除这条报告").click()
    expect(page.get_by_test_id("report-queue")).to_be_hidden()
    assert not Observation.objects.exists()
