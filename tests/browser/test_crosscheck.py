"""Issue 6's journey in Chromium: the data provider brings the deaths list; the county clerk runs
the cross-check, finds a subsidy paid to the dead, and turns it into a clue."""

from datetime import date

import pytest
from playwright.sync_api import expect

from anju.households.imports import import_households
from anju.households.models import Household, Payment
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.households.files import rid, row, xlsx


@pytest.fixture
def cast(transactional_db):
    make_regions()
    people = make_cast()
    import_households(
        actor="test", file_name="a.xlsx", data=xlsx([row(1, **{"户主姓名": "陈金水"}), row(2)])
    )
    household = Household.objects.get(head_id=rid(1))
    Payment.objects.create(
        renovation=household.renovations.get(),
        paid_on=date(2019, 10, 20),
        amount_fen=4_000_000,
        account_number=household.account_number,
        account_holder="陈金水",
    )
    return people


def test_list_run_find_and_confirm(page, live_server, cast):
    log_in(page, live_server, "pete")
    page.get_by_role("link", name="部门名单").click()
    page.get_by_label("名单类型").select_option("deaths")
    page.get_by_label("名单文件（.xlsx / .xls / .csv）").set_input_files(
        files=[
            {
                "name": "死亡人员.csv",
                "mimeType": "text/csv",
                "buffer": f"姓名,身份证号,死亡日期\n陈金水,{rid(1)},2019-10-01\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="上传名单").click()
    expect(page.get_by_text("已导入死亡人员名单 1 行")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "carol")
    page.get_by_role("link", name="数据比对").click()
    page.get_by_role("button", name="立即比对（漳平市）").click()
    expect(page.get_by_test_id("run-done")).to_contain_text("比对完成")
    expect(page.get_by_test_id("run-lists")).to_contain_text("死亡人员名单")
    page.get_by_role("link", name="已死亡人员仍享受补助").click()
    page.get_by_role(
        "link", name="户主陈金水于2019年10月1日死亡，2019年10月20日仍拨付补助资金40,000元"
    ).click()
    page.get_by_label("核实情况").fill("经查属实，村干部代领")
    page.get_by_role("button", name="属实，转为问题线索").click()
    expect(page.get_by_text("登记为问题线索")).to_be_visible()
    expect(page.get_by_test_id("finding-status")).to_contain_text("属实")


@pytest.fixture
def case(transactional_db):
    """A household entered as 建档立卡 that the poverty office's list does not know (paid on
    time otherwise): one case with two reasons, INELIGIBLE and RECORD_MISMATCH."""
    from anju.crosscheck.references import import_reference
    from anju.regions.models import Region

    make_regions()
    people = make_cast()
    import_households(
        actor="test",
        file_name="a.xlsx",
        data=xlsx([row(1, **{"户主姓名": "陈金水", "农户类别": "建档立卡"}), row(2)]),
    )
    for n in (1, 2):
        household = Household.objects.get(head_id=rid(n))
        Payment.objects.create(
            renovation=household.renovations.get(),
            paid_on=date(2019, 10, 20),
            amount_fen=4_000_000,
            account_number=household.account_number,
            account_holder=household.head_name,
        )
    loaded = import_reference(
        actor="test",
        kind="poverty",
        data=f"户主姓名,户主身份证号,识别日期\n农户2,{rid(2)},2016-01-01\n".encode(),
        file_name="建档立卡.csv",
        region=Region.objects.get(code="350800000000"),
    )
    assert loaded.ok
    return people


def test_the_city_runs_and_a_two_reason_case_becomes_one_clue(page, live_server, case):
    log_in(page, live_server, "cindy")
    page.get_by_role("link", name="数据比对").click()
    page.get_by_role("button", name="立即比对（龙岩市）").click()
    expect(page.get_by_test_id("run-done")).to_contain_text("比对完成")
    expect(page.get_by_test_id("run-rules")).to_contain_text("审批时不属于重点对象")
    expect(page.get_by_test_id("run-rules")).not_to_contain_text("INELIGIBLE")
    page.get_by_role("button", name="退出").click()

    # The city office reads; the county clerk triages (the roles as DOMAIN.md has them).
    log_in(page, live_server, "carol")
    page.get_by_role("link", name="数据比对").click()
    page.get_by_role("link", name="审批时不属于重点对象").first.click()
    page.get_by_role("link", name="户主陈金水2019年度改造于2019年4月1日审批").click()
    case_list = page.get_by_test_id("case")
    expect(case_list).to_contain_text("审批时不属于重点对象")
    expect(case_list).to_contain_text("与扶贫部门信息不一致")
    page.screenshot(path="/tmp/crosscheck-case.png", full_page=True)
    page.get_by_label("核实情况").fill("经查该户未录入扶贫系统，村里自填类别")
    page.get_by_role("button", name="属实，转为问题线索").click()
    expect(page.get_by_text("登记为问题线索")).to_contain_text(
        "「审批时不属于重点对象」「与扶贫部门信息不一致」"
    )
    expect(page.get_by_test_id("case")).to_contain_text("（属实：经查该户未录入扶贫系统")
    from anju.oversight.models import Clue

    assert Clue.objects.count() == 1
