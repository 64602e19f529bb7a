"""Issue 4's journey in Chromium: register, duplicate warning, transfer, report back, close with
evidence by a reviewer, key supervision by the city."""

import pytest
from playwright.sync_api import expect

from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in

SUMMARY = "西埔村村主任张三截留危房改造补助资金两万元，未发放到农户一卡通账户"


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def register(page, live_server, summary):
    page.goto(f"{live_server.url}/clues/new/")
    page.get_by_label("涉及地方（区划代码，区县/乡镇/村）").fill("350881100203")
    page.get_by_label("涉及地方或单位").fill("新桥镇西埔村")
    page.get_by_label("收到日期").fill("2026-10-05")
    page.get_by_label("问题类别").select_option(label="资金使用违规")
    page.get_by_label("问题线索摘要（300字以内）").fill(summary)
    page.get_by_label("涉及资金（万元）").fill("2")
    page.get_by_label("被反映对象1 姓名").fill("张三")
    page.locator("#id_person1_post").fill("村主任")
    page.locator("#id_person1_level").select_option(label="村社干部")
    page.get_by_role("button", name="登记").click()


def logout(page):
    page.get_by_role("button", name="退出").click()


def test_the_ledger_journey(page, live_server, cast):
    log_in(page, live_server, "carol")
    register(page, live_server, SUMMARY)
    expect(page.get_by_test_id("clue-status")).to_contain_text("登记")
    number = page.get_by_role("heading", level=1).inner_text().split()[1]

    # A second, near-identical report (traditional characters) is flagged before saving.
    register(page, live_server, "西埔村村主任張三截留危房改造補助資金兩萬元")
    expect(page.get_by_test_id("duplicates")).to_contain_text(number)
    page.get_by_role("button", name="并入此线索").click()
    expect(page.get_by_text("已作为重复件并入")).to_be_visible()

    # Transfer to the neighbouring district; it waits for the receiver.
    page.get_by_label("移送对象").select_option(label="其他区县")
    page.get_by_label("接收方区划代码").fill("350802000000")
    page.get_by_label("系统外接收单位").fill("新罗区住建局")
    page.get_by_role("button", name="移送", exact=True).click()
    expect(page.get_by_test_id("transfer-report")).to_have_text("等待反馈")
    clue_url = page.url
    logout(page)

    log_in(page, live_server, "xavier")
    page.goto(f"{live_server.url}/clues/transfers/")
    page.get_by_role("button", name="签收").click()
    page.get_by_label("办理结果").fill("经核实属实，已督促退回资金")
    page.get_by_role("button", name="反馈").click()
    expect(page.get_by_text("已反馈办理结果")).to_be_visible()
    logout(page)

    # The clerk works the clue to close-out with evidence.
    log_in(page, live_server, "carol")
    page.goto(clue_url)
    expect(page.get_by_test_id("transfer-report")).to_contain_text("已督促退回资金")
    page.get_by_label("承办单位").fill("新桥镇人民政府")
    page.get_by_role("button", name="分办").click()
    page.get_by_role("button", name="开始核查").click()
    page.get_by_label("处置方式").select_option(label="初步核实")
    page.get_by_role("button", name="确定处置").click()
    page.get_by_role("button", name="进入整改").click()
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "整改照片.png",
                "mimeType": "image/png",
                "buffer": _png(),
            }
        ]
    )
    page.get_by_label("整改佐证材料").check()
    page.get_by_role("button", name="上传").click()
    page.get_by_label("整改情况").fill("资金已追回并发放到户")
    page.get_by_label("追缴资金（万元）").fill("2")
    page.get_by_label("问责（人）").fill("1")
    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("待销号")
    logout(page)

    log_in(page, live_server, "rita")
    page.goto(clue_url)
    page.get_by_role("button", name="同意销号").click()
    expect(page.get_by_test_id("clue-status")).to_contain_text("已销号")
    logout(page)

    # The city marks another clue for key supervision.
    log_in(page, live_server, "carol")
    register(page, live_server, "东洋村危房改造验收走过场，改造后无卫生厕所")
    other_url = page.url
    logout(page)
    log_in(page, live_server, "cindy")
    page.goto(other_url)
    page.get_by_label("督办时限").fill("2099-12-31")
    page.get_by_label("督办要求").fill("典型问题，限期查处")
    page.get_by_role("button", name="列为重点督办").click()
    page.goto(f"{live_server.url}/clues/supervision/")
    expect(page.get_by_test_id("supervision-board")).to_contain_text("限期查处")


def _png() -> bytes:
    """A real (tiny) photo: clue attachments are re-encoded, so a fake one is refused."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 140, 60)).save(out, "PNG")
    return out.getvalue()
