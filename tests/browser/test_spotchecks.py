"""Issue 10's spot-check journey in Chromium: plan, draw from a seed, assign, record a failed
check with a photo, and open a problem on the township list."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.spotchecks.test_plans import make_households


@pytest.fixture
def cast(transactional_db):
    make_regions()
    users = make_cast()
    make_households(10, 4)
    return users


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, "JPEG")
    return out.getvalue()


def test_the_spot_check_journey(page, live_server, cast):
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/spotchecks/")
    page.get_by_text("新建抽查计划").click()
    page.get_by_label("抽查名称").fill("漳平市督导抽查")
    page.get_by_placeholder("输入地名或拼音首字母筛选，如 xqz").fill("zps")
    expect(page.locator("select[name=region_code]")).to_have_value("350881000000")
    page.get_by_label("每乡镇抽取比例（%）").fill("20")
    page.get_by_label("随机种子（不填则自动生成）").fill("journey-seed")
    page.get_by_role("button", name="建立抽查").click()
    expect(page.get_by_text("随机种子 journey-seed")).to_be_visible()

    page.get_by_role("button", name="按种子抽取").click()
    expect(page.get_by_text("已按随机种子抽取农户")).to_be_visible()
    page.locator("#id_inspectors").select_option(label="carol姓名（漳平市）")
    page.get_by_role("button", name="分配检查人员").click()
    page.get_by_role("button", name="核验抽取").click()
    expect(page.get_by_text("核验通过")).to_be_visible()

    page.locator("table.grid").last.get_by_role("link").first.click()
    page.locator("#id_toilet_outcome").select_option(label="不合格")
    page.locator("#id_toilet_note").fill("改造后未建卫生厕所")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    page.get_by_role("button", name="保存核查结果").click()
    expect(page.get_by_text("核查结果已登记")).to_be_visible()
    expect(page.get_by_alt_text("现场照片")).to_be_visible()

    page.get_by_label("责任人（清单）").fill("黄某")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已转入问题清单：")).to_be_visible()

    page.goto(f"{live_server.url}/clues/items/")
    expect(page.get_by_text("卫生厕所」不合格")).to_be_visible()

    page.goto(f"{live_server.url}/spotchecks/results/")
    expect(page.locator("table.grid")).to_contain_text("新桥镇")
    expect(page.locator("table.grid")).to_contain_text("100.0%（1/1）")
