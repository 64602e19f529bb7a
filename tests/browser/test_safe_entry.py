"""Issue 25's afternoon in Chromium, the parts built so far: a township clerk imports rows that
go in but look wrong and sees each warned, with the household it may duplicate offered; enters
a household by hand with the region picker (pinyin initials) and an ID whose check digit is
wrong (refused until a reason is given, nothing typed lost); registers a clue without choosing
the place and keeps every word of it. Screenshots at 1280×800 go to ANJU_SHOTS if set."""

import os

import pytest
from playwright.sync_api import expect

from anju.households.models import Household
from anju.oversight.models import Clue
from tests.base import make_cast, make_regions
from tests.browser.test_households import upload
from tests.browser.test_journeys import log_in
from tests.households.files import rid, row, xlsx


@pytest.fixture
def cast(transactional_db):
    make_regions()
    return make_cast()


def shot(page, name: str) -> None:
    where = os.environ.get("ANJU_SHOTS")
    if where:
        page.screenshot(path=os.path.join(where, f"{name}.png"), full_page=True)


def bad_check_digit(n: int) -> str:
    good = rid(n)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def test_the_clerks_afternoon(page, live_server, cast):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "carol")
    upload(page, live_server, xlsx([row(1)]))
    expect(page.get_by_test_id("import-ok")).to_contain_text("警告 0 处")

    # The same family again under a mistyped ID, and a completion before the start.
    upload(
        page,
        live_server,
        xlsx(
            [
                row(1, **{"户主身份证号": "350881196001011230"}),
                row(2, **{"开工日期": "2019-10-01", "竣工日期": "2019-06-30"}),
            ]
        ),
    )
    expect(page.get_by_test_id("import-ok")).to_contain_text("警告")
    warnings = page.get_by_test_id("import-warnings")
    expect(warnings).to_contain_text("未通过 GB 11643 校验")
    expect(warnings).to_contain_text("早于开工日期")
    expect(warnings).to_contain_text("可能是同一户重复建档")
    expect(page.get_by_role("link", name="下载标注了警告的文件")).to_be_visible()
    shot(page, "import-warnings")

    # The duplicate offered: the clerk checks the two side by side and asks to merge them.
    page.get_by_test_id("offer-merge").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("合并重复户")
    expect(page.get_by_test_id("merge-compare")).to_contain_text("校验未通过")
    page.get_by_label("保留本户").check()
    page.get_by_label("合并理由").fill(
        "同一户重复建档：第二次导入时身份证号填错，保留号码正确的一户"
    )
    page.get_by_role("button", name="提交合并申请（待审核）").click()
    expect(page.get_by_text("我已核对：两户是同一户：请核对后勾选")).to_be_visible()
    expect(page.get_by_label("合并理由")).to_have_value(
        "同一户重复建档：第二次导入时身份证号填错，保留号码正确的一户"
    )
    shot(page, "merge-refused")
    page.get_by_label("我已核对：两户是同一户").check()
    page.get_by_role("button", name="提交合并申请（待审核）").click()
    expect(page.get_by_text("合并申请已提交")).to_be_visible()
    kept = Household.objects.get(head_id=rid(1))
    gone = Household.everything.get(head_id="350881196001011230")

    # A reviewer merges them; undone on a second request; merged again.
    approve(page, live_server, "合并重复户")
    assert Household.everything.get(pk=gone.pk).state == "merged"
    switch(page, live_server, "carol")
    page.goto(f"{live_server.url}/households/{gone.pk}/")
    expect(page.get_by_test_id("merged-notice")).to_contain_text("已并入另一户")
    shot(page, "merged-away")
    page.get_by_test_id("unmerge-form").get_by_label("申请理由").fill("合并错了，两户不是同一户")
    page.get_by_role("button", name="申请撤销合并（待审核）").click()
    expect(page.get_by_text("撤销合并的申请已提交")).to_be_visible()
    approve(page, live_server, "撤销合并")
    assert Household.everything.get(pk=gone.pk).state == "active"
    switch(page, live_server, "carol")
    page.goto(f"{live_server.url}/households/{kept.pk}/")
    page.get_by_test_id("merge-link").click()
    page.set_viewport_size({"width": 390, "height": 844})  # the township clerk's phone
    expect(page.get_by_test_id("merge-compare")).to_be_visible()
    shot(page, "merge-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("保留本户").check()
    page.get_by_label("合并理由").fill("核实后确为同一户")
    page.get_by_label("我已核对：两户是同一户").check()
    page.get_by_role("button", name="提交合并申请（待审核）").click()
    approve(page, live_server, "合并重复户")
    assert Household.everything.get(pk=gone.pk).state == "merged"
    switch(page, live_server, "carol")
    page.goto(f"{live_server.url}/households/{kept.pk}/")
    expect(page.get_by_test_id("former-ids")).to_contain_text("350881")
    shot(page, "kept-household")

    # A household by hand: the village picked by its initials, a wrong check digit refused.
    page.goto(f"{live_server.url}/households/new/")
    page.get_by_placeholder("输入地名或拼音首字母筛选，如 xqz").fill("xpc")
    expect(page.locator("select[name=region_code]")).to_have_value("350881100203")
    page.get_by_label("户主姓名").fill("陈金水")
    page.get_by_label("户主身份证号").fill(bad_check_digit(9))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("未通过 GB 11643 校验（校验码或出生日期不对）")).to_be_visible()
    expect(page.get_by_label("户主姓名")).to_have_value("陈金水")
    expect(page.locator("select[name=region_code]")).to_have_value("350881100203")
    shot(page, "new-household-refused")
    page.get_by_label("号码校验不通过的说明（号码通过校验时不填）").fill(
        "证件本身校验码有误，已核对户口簿"
    )
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("陈金水")
    assert not Household.objects.get(head_name="陈金水").head_id_valid

    # A clue whose place was not chosen: refused on the field, every word kept.
    page.goto(f"{live_server.url}/clues/new/")
    page.locator("select[name=region_code]").select_option("")
    page.get_by_label("涉及地方或单位").fill("新桥镇西埔村")
    summary = "西埔村村主任截留危房改造补助资金两万元，群众多次反映"
    page.get_by_label("问题线索摘要").fill(summary)
    page.get_by_label("涉及资金（万元）").fill("2万")
    page.get_by_label("被反映对象1 姓名").fill("张三")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("涉及地方：请选择涉及地方。")).to_be_visible()
    expect(page.get_by_label("问题线索摘要")).to_have_value(summary)
    expect(page.get_by_label("被反映对象1 姓名")).to_have_value("张三")
    shot(page, "clue-refused")
    page.get_by_placeholder("输入地名或拼音首字母筛选，如 xqz").fill("xqz")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记，台账编号")).to_be_visible()
    assert Clue.objects.get().funds == 2


def switch(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)


def approve(page, live_server, what: str) -> None:
    """The county reviewer approves the one pending request on 变更审核."""
    switch(page, live_server, "rita")
    page.goto(f"{live_server.url}/households/changes/")
    row = page.get_by_test_id("changes").locator("tr", has_text=what)
    expect(row).to_have_count(1)
    shot(page, f"changes-{what}")
    row.get_by_label("审核意见").fill("已核对")
    row.get_by_role("button", name="同意").click()
    expect(page.get_by_text("已同意，变更已生效。")).to_be_visible()


def test_closing_a_problem_list_item_is_confirmed_with_a_note_and_a_photo(page, live_server, cast):
    from datetime import date

    from anju.oversight import services
    from anju.oversight.models import RectificationItem
    from anju.regions.models import Region

    services.item_create(
        actor=cast["alice"],
        region=Region.objects.get(code="350881100000"),
        source="visit",
        description="西埔村陈某房屋漏雨透风",
        owner="黄乡长",
        deadline=date(2026, 12, 31),
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clues/items/")
    page.get_by_role("link", name="已整改…").click()
    expect(page.get_by_test_id("confirm-what")).to_contain_text("此操作不能撤销")
    page.get_by_label("整改情况").fill("屋面已换瓦，村委会验收")
    page.get_by_test_id("confirm-done").click()
    expect(page.get_by_text("须上传整改后的照片作为佐证")).to_be_visible()
    expect(page.get_by_label("整改情况")).to_have_value("屋面已换瓦，村委会验收")
    shot(page, "item-done-refused")
    assert RectificationItem.objects.get().status == "open"


def test_a_close_out_waits_for_a_second_persons_review(page, live_server, cast, settings):
    from datetime import date

    from anju.accounts.roles import Role
    from anju.oversight import services
    from anju.oversight.models import RectificationItem
    from anju.regions.models import Region
    from tests.base import make_user

    settings.ANJU_CROSSCHECK = {"item_close_review": ["350881100000"]}
    make_user("alan", Role.TOWNSHIP_CLERK, "350881100000")
    services.item_create(
        actor=cast["alice"],
        region=Region.objects.get(code="350881100000"),
        source="self_check",
        description="西埔村陈某房屋漏雨透风",
        owner="黄乡长",
        deadline=date(2099, 12, 31),
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/clues/items/")
    page.get_by_role("link", name="已整改…").click()
    page.get_by_label("整改情况").fill("屋面已换瓦，村委会验收")
    page.get_by_test_id("confirm-done").click()
    expect(page.get_by_text("待另一人复核后计为已整改")).to_be_visible()
    assert RectificationItem.objects.get().status == "review"

    switch(page, live_server, "alan")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/clues/items/?status=review")
    review = page.get_by_test_id("item-review")
    expect(review).to_contain_text("屋面已换瓦，村委会验收")
    shot(page, "item-review-phone")
    review.get_by_role("button", name="退回重新整改").click()
    expect(page.get_by_text("复核意见：退回须写明理由")).to_be_visible()
    page.get_by_test_id("item-review").get_by_label("复核意见").fill("已到现场看过")
    page.get_by_test_id("item-review").get_by_role("button", name="复核同意").click()
    expect(page.get_by_text("复核同意，已计为已整改。")).to_be_visible()
    assert RectificationItem.objects.get().status == "done"
