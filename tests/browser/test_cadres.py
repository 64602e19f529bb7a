"""Issue #10 item 3's journey in Chromium on a 375×740 phone screen: an assistance cadre
records an observation with a photo on a visit; the township clerk sees it and opens a
rectification item."""

import io

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
