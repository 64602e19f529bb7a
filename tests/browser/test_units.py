"""Issue 30's journey in Chromium: the housing bureau transfers a clue to civil affairs by
name; only civil affairs signs for it and reports back (the housing clerk cannot sign it); the
sender sees each step; civil affairs files its quarter's clue report and keeps its directory
entry; the lead unit sees who filed and consolidates them into its quarterly clue report."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from anju.accounts.models import Unit
from anju.accounts.roles import Role
from anju.oversight.models import Clue, Transfer
from anju.reporting.models import UnitClueReport
from tests.base import make_cast, make_regions, make_user
from tests.browser.test_journeys import log_in

SHOTS = Path("/tmp/anju-shots/units")
SUMMARY = "西埔村低保户黄某某家庭收入明显超标，仍享受危房改造补助"


@pytest.fixture
def cast(transactional_db):
    make_regions()
    users = make_cast()
    county = "350881000000"
    housing = Unit.objects.create(
        name="漳平市住建局", kind="housing", region_id=county, is_lead=True
    )
    civil = Unit.objects.create(name="漳平市民政局", kind="civil_affairs", region_id=county)
    Unit.objects.create(name="漳平市财政局", kind="finance", region_id=county)
    for name in ("carol", "rita"):
        users[name].work_unit = housing
        users[name].save(update_fields=["work_unit"])
    users["mina"] = make_user("mina", Role.DEPARTMENT, county, work_unit=civil)
    Clue.objects.create(
        number="350881-2026-00007",
        region_id="350881100203",
        place="新桥镇西埔村",
        source_channel="petition",
        received_on=date(2026, 10, 5),
        category="eligibility",
        summary=SUMMARY,
        status="registered",
        status_since=date(2026, 10, 5),
        registered_by=users["carol"],
    )
    return users


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def logout(page):
    page.get_by_role("button", name="退出").click()


def post_by_hand(page, url):
    """A forged POST with the page's own CSRF token: what a clerk could do without a button."""
    page.evaluate(
        """(url) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = url;
            const token = document.createElement('input');
            token.name = 'csrfmiddlewaretoken';
            token.value = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            form.appendChild(token);
            document.body.appendChild(form);
            form.submit();
        }""",
        url,
    )
    page.wait_for_load_state()


def test_a_transfer_to_civil_affairs_and_its_quarterly_report(page, live_server, cast):
    page.set_viewport_size({"width": 1280, "height": 800})
    clue = Clue.objects.get()

    # The housing clerk transfers the clue to civil affairs, picked by name.
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/clues/{clue.pk}/")
    page.get_by_label("接收单位（系统内）").select_option(label="漳平市民政局")
    page.get_by_label("移送说明").fill("请核实该户低保资格")
    page.get_by_role("button", name="移送", exact=True).click()
    expect(page.get_by_text("已移送漳平市民政局")).to_be_visible()
    expect(page.get_by_test_id("transfer-ack")).to_have_text("待签收")
    transfer = Transfer.objects.get()
    assert transfer.receiver.name == "漳平市民政局" and transfer.target == "department"

    # Housing has nothing to sign: the transfer is civil affairs'; forcing it is refused.
    page.goto(f"{live_server.url}/clues/transfers/")
    expect(page.get_by_text("没有移送给本单位的线索。")).to_be_visible()
    expect(page.get_by_test_id("outgoing")).to_contain_text("等待对方签收")
    expect(page.get_by_test_id("board")).to_contain_text("漳平市民政局")
    expect(page.get_by_role("button", name="签收")).to_have_count(0)
    shot(page, "transfers-housing")
    post_by_hand(page, f"{live_server.url}/clues/transfers/{transfer.pk}/ack/")
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.acknowledged_on is None
    logout(page)

    # Civil affairs finds it on its to-do list, signs for it and reports back.
    log_in(page, live_server, "mina")
    expect(page.get_by_text("350881-2026-00007")).to_be_visible()
    page.goto(f"{live_server.url}/clues/transfers/")
    expect(page.get_by_test_id("incoming")).to_contain_text(SUMMARY[:20])
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收。")).to_be_visible()
    page.get_by_label("办理结果").fill("经核实该户家庭收入超标，已取消低保资格")
    page.get_by_role("button", name="反馈").click()
    expect(page.get_by_text("已反馈办理结果")).to_be_visible()
    shot(page, "transfers-civil-affairs")

    # Its quarter's clue report to the lead unit (the quarter just ended), entered by hand.
    page.goto(f"{live_server.url}/reports/units/")
    expect(page.get_by_test_id("own-status")).to_have_text("本季度尚未报送。")
    page.get_by_label("本季度发现问题线索（条）").fill("4")
    page.get_by_label("移送住建部门或纪检监察机关（条）").fill("2")
    page.get_by_label("收到移送的问题线索（条）").fill("1")
    page.get_by_label("已办结（条）").fill("1")
    page.get_by_label("问责处理（人）").fill("0")
    page.get_by_role("button", name="报送牵头单位").click()
    expect(page.get_by_text("已向牵头单位报送")).to_be_visible()
    shot(page, "unit-report-civil-affairs")

    # It keeps its own directory entry.
    page.goto(f"{live_server.url}/units/")
    page.get_by_role("link", name="维护本单位（漳平市民政局）的通讯录").click()
    page.get_by_label("分管领导", exact=True).fill("罗民安")
    page.get_by_label("办公电话").fill("0597-7532303")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("directory")).to_contain_text("0597-7532303")
    shot(page, "directory-civil-affairs")
    logout(page)

    # The housing clerk sees each step on the clue.
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/clues/{clue.pk}/")
    expect(page.get_by_test_id("transfer-ack")).to_contain_text("mina姓名")
    expect(page.get_by_test_id("transfer-report")).to_contain_text("已取消低保资格")

    # The lead unit sees who filed and consolidates into its report to the commission.
    page.goto(f"{live_server.url}/reports/units/")
    board = page.get_by_test_id("unit-board")
    expect(board.get_by_role("row", name="漳平市民政局")).to_contain_text("已报送")
    expect(board.get_by_role("row", name="漳平市财政局")).to_contain_text("未报送")
    shot(page, "unit-reports-lead")
    page.get_by_role("button", name="汇总编制").click()
    consolidated = page.get_by_test_id("quarter-departments")
    expect(consolidated.get_by_role("row", name="漳平市民政局")).to_contain_text("4")
    expect(consolidated.get_by_role("row", name="漳平市财政局")).to_contain_text("未报送")
    expect(page.get_by_test_id("quarter-summary")).to_contain_text("各参与单位合计")
    shot(page, "quarterly-report-lead")
    report = UnitClueReport.objects.get()
    assert (report.found, report.transferred, report.closed) == (4, 2, 1)
    logout(page)

    # The security administrator sees and sets which unit a user belongs to.
    log_in(page, live_server, "sue")
    page.goto(f"{live_server.url}/users/{cast['mina'].pk}/")
    expect(page.get_by_test_id("work-unit")).to_have_text("漳平市民政局")
    expect(page.get_by_label("所属单位")).to_have_value(str(cast["mina"].work_unit_id))
    shot(page, "user-unit-security-admin")


def test_civil_affairs_sends_a_clue_and_spot_checks_in_its_own_field(page, live_server, cast):
    """Issue 30: a department passes a clue it found to housing (it lands in the county's
    ledger), and plans and records a spot check in its own field with its own checklist, the
    failure going to housing's ledger."""
    from anju.households.models import Household, Renovation

    for i in range(6):
        household = Household.objects.create(
            region_id="350881100203", head_name=f"户主{i}", head_id=f"35088119500101{i:04d}"
        )
        Renovation.objects.create(household=household, year=2019, accepted_on=date(2019, 9, 1))
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "mina")
    page.get_by_test_id("menu").get_by_text("线索", exact=True).click()
    page.get_by_role("link", name="向住建部门移送线索").click()
    page.get_by_label("涉及地方或单位").fill("新桥镇西埔村")
    page.get_by_label("问题类别").select_option(label="对象认定不精准")
    page.get_by_label("问题线索摘要（300字以内）").fill("民政核查发现西埔村黄某某家庭已购商品房")
    page.get_by_label("被反映对象1 姓名").fill("黄某某")
    shot(page, "clue-send-civil-affairs")
    page.get_by_test_id("clue-send").click()
    expect(page.get_by_text("已移送住建部门，台账编号")).to_be_visible()
    sent = Clue.objects.get(source_channel="department")
    assert sent.region_id.startswith("350881")

    page.goto(f"{live_server.url}/spotchecks/")
    page.get_by_text("新建抽查计划").click()
    choice = page.get_by_test_id("plan-items-choice")
    expect(choice).to_contain_text("漳平市民政局的职责范围")
    expect(choice.get_by_label("对象资格")).to_be_checked()
    expect(choice.get_by_label("卫生厕所")).not_to_be_checked()
    page.get_by_label("抽查名称").fill("低保对象资格抽查")
    page.get_by_label("每乡镇抽取比例（%）").fill("50")
    page.get_by_label("随机种子（不填则自动生成）").fill("civil-seed")
    shot(page, "spotcheck-new-civil-affairs")
    page.get_by_role("button", name="建立抽查").click()
    expect(page.get_by_test_id("plan-unit")).to_have_text("漳平市民政局")
    expect(page.get_by_test_id("plan-items")).to_have_text("身份信息、对象资格、家庭实际入住")
    page.get_by_role("button", name="按种子抽取").click()
    page.locator("#id_inspectors").select_option(label="mina姓名（漳平市）")
    page.get_by_role("button", name="分配检查人员").click()
    shot(page, "spotcheck-plan-civil-affairs")
    page.locator("table.grid").last.get_by_role("link").first.click()
    expect(page.locator("#id_toilet_outcome")).to_have_count(0)
    page.locator("#id_eligibility_outcome").select_option(label="不合格")
    page.locator("#id_eligibility_note").fill("家庭收入超标")
    page.get_by_role("button", name="保存核查结果").click()
    expect(page.get_by_text("核查结果已登记")).to_be_visible()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已转入问题清单或线索台账")).to_be_visible()
    shot(page, "spotcheck-house-civil-affairs")
    assert Clue.objects.filter(source_channel="department").count() == 2
    logout(page)

    # Housing finds both in its ledger.
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/clues/")
    expect(page.locator("table.grid")).to_contain_text("民政核查发现西埔村")
    expect(page.locator("table.grid")).to_contain_text("对象资格")


def test_the_department_users_to_do_list(page, live_server, cast):
    """Issue 27 for the department role: civil affairs sees exactly the clue transferred to it on
    its home page, follows the item to where it is signed for, signs, then answers, and the
    item leaves. (Zhangping asks only its townships for the progress report here, so no report
    falls due for the unit.)"""
    from anju.oversight.services import transfer_send
    from anju.reporting.models import ReportDuty, Reporters, ReportKind

    ReportDuty.objects.create(
        region_id="350881000000",
        kind=ReportKind.PROGRESS,
        reporters=Reporters.TOWNSHIPS,
        recipient="漳平市住建局",
    )
    clue = Clue.objects.get()
    transfer = transfer_send(
        actor=cast["carol"],
        clue=clue,
        version=clue.version,
        receiver=Unit.objects.get(name="漳平市民政局"),
        note="请核实该户低保资格",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "mina")

    def keys():
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("我的待办")
        rows = page.get_by_test_id("workbench-item")
        return {rows.nth(i).get_attribute("data-key") for i in range(rows.count())}

    assert keys() == {f"transfer-ack:{transfer.pk}"}
    shot(page, "department-home-390")
    item = page.locator(f'[data-testid="workbench-item"][data-key="transfer-ack:{transfer.pk}"]')
    item.get_by_role("link").click()
    there = page.locator(f"#transfer-{transfer.pk}")
    there.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收。")).to_be_visible()
    # Signed for: the item is now the answer still owed.
    assert keys() == {f"transfer-report:{transfer.pk}"}
    page.locator(
        f'[data-testid="workbench-item"][data-key="transfer-report:{transfer.pk}"]'
    ).get_by_role("link").click()
    there = page.locator(f"#transfer-{transfer.pk}")
    there.get_by_label("办理结果").fill("经核实该户家庭收入超标，已取消低保资格")
    there.get_by_role("button", name="反馈").click()
    expect(page.get_by_text("已反馈办理结果")).to_be_visible()
    assert keys() == set()
    expect(page.get_by_text("目前没有待办事项")).to_be_visible()
