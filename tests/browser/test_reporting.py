"""Issue 5's journey in Chromium: a district prepares, the reviewer signs off, the city sees it on
time on the board, and a late district shows as late."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.reporting.deadlines import add_months
from tests.base import make_cast, make_regions, make_user
from tests.browser.test_journeys import log_in

# A stamped scan as districts send it: a one-page PDF.
SCAN_PATH = Path(__file__).with_name("stamped-scan.pdf")


@pytest.fixture
def cast(transactional_db):
    make_regions()
    users = make_cast()
    users["xrev"] = make_user("xrev", "county_reviewer", "350802000000")
    return users


def prepare_and_submit(page, live_server, clerk, reviewer, month):
    log_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("报表").first.select_option(value="annex1")
    page.get_by_label("所属月份").fill(month)
    page.get_by_role("button", name="按台账编制").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    url = page.url
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, reviewer)
    page.goto(url)
    sign_and_submit(page)
    page.get_by_role("button", name="退出").click()


def shot(page, name):
    """Screenshots of the pages a clerk reads, when ANJU_SHOTS names a directory to put them."""
    import os

    if os.environ.get("ANJU_SHOTS"):
        page.screenshot(path=f"{os.environ['ANJU_SHOTS']}/{name}.png", full_page=True)


def sign_and_submit(page, scan_path=None):
    """On the report page as the reviewer: 审核… → 审核通过, then 报送… with phone and scan."""
    page.get_by_role("link", name="审核…").click()
    expect(page.get_by_test_id("what-happens")).to_contain_text("审核通过")
    shot(page, "review-confirm")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已审核")
    page.get_by_role("link", name="报送").click()
    expect(page.get_by_test_id("what-happens")).to_contain_text("冻结")
    shot(page, "submit-confirm")
    page.get_by_label("联系电话").fill("0597-7832121")
    if scan_path is None:
        scan_path = SCAN_PATH
    page.get_by_label("盖章扫描件").set_input_files(str(scan_path))
    page.get_by_role("button", name="确认报送").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已报送")


def test_the_monthly_report_journey(page, live_server, cast):
    today = timezone.localdate()
    this_period = add_months(today.replace(day=1), -1)  # due on the 26th of this month
    late_period = add_months(this_period, -2)  # its due date has long passed
    on_time = today.day <= 26
    prepare_and_submit(page, live_server, "carol", "rita", f"{this_period:%Y-%m}")
    prepare_and_submit(page, live_server, "xavier", "xrev", f"{late_period:%Y-%m}")

    log_in(page, live_server, "cindy")
    page.goto(f"{live_server.url}/reports/board/?kind=annex1&month={this_period:%Y-%m}")
    board = page.get_by_test_id("board")
    row = board.locator("tr", has_text="漳平市")
    expect(row).to_contain_text("按时报送" if on_time else "迟报")
    page.goto(f"{live_server.url}/reports/board/?kind=annex1&month={late_period:%Y-%m}")
    expect(board.locator("tr", has_text="新罗区")).to_contain_text("迟报")
    expect(board.locator("tr", has_text="漳平市")).to_contain_text("未报（已逾期）")


def test_a_report_goes_out_with_footer_and_scan_and_comes_back_corrected(
    page, live_server, cast, tmp_path
):
    """Issue 26 / 25.6: prepare, sign (the footer filled), submit with a scan; the city sees
    both files and returns it with a comment; the county corrects and resubmits; the discipline
    officer receives the quarterly report."""
    import hashlib

    from anju.reporting.models import Report
    from anju.reporting.reader import load

    month = f"{add_months(timezone.localdate().replace(day=1), -1):%Y-%m}"
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("报表").first.select_option(value="annex1")
    page.get_by_label("所属月份").fill(month)
    page.get_by_role("button", name="按台账编制").click()
    url = page.url
    page.get_by_role("button", name="退出").click()

    # The reviewer first returns it with a comment, then approves the recounted draft.
    log_in(page, live_server, "rita")
    page.goto(url)
    page.get_by_role("link", name="审核…").click()
    page.get_by_role("button", name="退回编制人修改").click()
    expect(page.locator(".errors")).to_contain_text("须填写审核意见")
    page.get_by_label("审核意见").fill("请在备注写明本月无新线索")
    page.get_by_role("button", name="退回编制人修改").click()
    expect(page.get_by_test_id("report-status")).to_have_text("审核退回修改")
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "carol")
    page.goto(url)
    expect(page.locator("body")).to_contain_text("请在备注写明本月无新线索")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("报表").first.select_option(value="annex1")
    page.get_by_label("所属月份").fill(month)
    page.get_by_label("备注").fill("本月无新线索")
    page.get_by_role("button", name="按台账编制").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "rita")
    page.goto(url)
    sign_and_submit(page)
    expect(page.get_by_test_id("footer")).to_contain_text("单位分管负责人：rita姓名")
    page.get_by_role("button", name="退出").click()

    report = Report.objects.get(kind="annex1", version=1)
    cells = [str(v) for row in load(bytes(report.file)).rows for v in row if v]
    assert "填表人：carol姓名" in cells
    assert "单位分管负责人：rita姓名" in cells
    assert "联系电话：0597-7832121" in cells

    # The city sees both files and returns it with a comment.
    log_in(page, live_server, "cindy")
    page.goto(url)
    with page.expect_download() as got:
        page.get_by_test_id("download-file").click()
    assert hashlib.sha256(Path(got.value.path()).read_bytes()).hexdigest() == report.sha256
    with page.expect_download() as got:
        page.get_by_test_id("download-scan").click()
    assert Path(got.value.path()).read_bytes() == SCAN_PATH.read_bytes()
    shot(page, "city-report")
    page.get_by_role("link", name="退回…").click()
    expect(page.get_by_test_id("what-happens")).to_contain_text("退回后")
    shot(page, "return-confirm")
    page.get_by_label("退回原因").fill("第34栏涉及金额与附件2不符")
    page.get_by_role("button", name="确认退回").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已退回")
    page.get_by_role("button", name="退出").click()

    # The county corrects and resubmits.
    log_in(page, live_server, "carol")
    page.goto(url)
    expect(page.locator("body")).to_contain_text("第34栏涉及金额与附件2不符")
    page.get_by_label("更正原因").fill("按市里意见核对金额")
    page.get_by_role("button", name="创建更正版本").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    corrected = page.url
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "rita")
    page.goto(corrected)
    sign_and_submit(page)
    page.get_by_role("button", name="退出").click()
    assert Report.objects.get(kind="annex1", version=2).status == "submitted"
    assert Report.objects.get(kind="annex1", version=1).status == "superseded"

    # The quarterly clue report goes to the discipline commission, who signs for it.
    log_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("报表").first.select_option(value="clue_quarterly")
    page.get_by_label("所属月份").fill(month)
    page.get_by_role("button", name="按台账编制").click()
    quarterly = page.url
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "rita")
    page.goto(quarterly)
    expect(page.get_by_role("link", name="报送市纪委监委…")).to_have_count(0)
    sign_and_submit(page)
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "dora")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("table")).to_contain_text("季度问题线索情况")
    expect(page.locator("table")).not_to_contain_text("附件1")
    page.get_by_role("link", name="季度问题线索情况").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("季度")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已签收")
    shot(page, "discipline-acknowledged")


def test_a_township_sends_its_progress_report_to_the_county_housing_bureau(page, live_server, cast):
    """Issue 26: the progress report is owed by the townships (and responsible units) to the
    county's housing bureau (seed 003), with 突出问题处理情况; the township names its leader on
    submission, the county sees it on its board, returns it, and the township resubmits; the
    county downloads it as a Word document."""
    import io

    from docx import Document

    from anju.reporting.models import Report

    page.set_viewport_size({"width": 1280, "height": 800})
    month = f"{timezone.localdate():%Y-%m}"
    narrative = "西埔村一户屋面漏雨，已组织修缮；双洋镇两户鉴定延期，下月完成。"
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/reports/")
    # A township owes the progress report only: no Annex to prepare, nothing to upload.
    expect(page.locator("#id_kind option")).to_have_count(1)
    expect(page.get_by_role("link", name="上传手工填报的报表")).to_have_count(0)
    page.get_by_label("所属月份").fill(month)
    page.get_by_label("突出问题处理情况").fill(narrative)
    shot(page, "township-reports")
    page.get_by_role("button", name="按台账编制").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    expect(page.get_by_test_id("narrative")).to_have_text(narrative)
    expect(page.get_by_role("link", name="审核…")).to_have_count(0)
    shot(page, "township-progress")
    page.get_by_role("link", name="报送漳平市住建局…").click()
    expect(page.get_by_test_id("what-happens")).to_contain_text("单位分管负责人 为下面所填")
    page.get_by_label("联系电话").fill("0597-7512345")
    page.get_by_role("button", name="确认报送漳平市住建局").click()
    expect(page.locator(".errors")).to_contain_text("请填写本单位分管负责人的姓名")
    page.get_by_label("单位分管负责人").fill("陈镇长")
    shot(page, "township-submit")
    page.get_by_role("button", name="确认报送漳平市住建局").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已报送")
    expect(page.get_by_test_id("footer")).to_contain_text("单位分管负责人：陈镇长")
    url = page.url
    page.get_by_role("button", name="退出").click()

    # The county's housing bureau sees who has sent it, and returns it with a comment.
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/reports/board/?kind=progress&month={month}")
    board = page.get_by_test_id("board")
    expect(board.locator("tr", has_text="新桥镇")).to_contain_text("按时报送")
    expect(board.locator("tr", has_text="双洋镇")).to_contain_text("未报")
    expect(board).not_to_contain_text("新罗区")
    shot(page, "county-progress-board")
    page.goto(url)
    with page.expect_download() as got:
        page.get_by_test_id("download-docx").click()
    doc = Document(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert narrative in [p.text for p in doc.paragraphs]
    page.get_by_role("link", name="退回…").click()
    page.get_by_label("退回原因").fill("请写明双洋镇鉴定延期的原因")
    page.get_by_role("button", name="确认退回").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已退回")
    page.goto(f"{live_server.url}/reports/duties/")
    expect(page.get_by_test_id("duties")).to_contain_text("各乡镇（街道）和各责任单位")
    shot(page, "county-duties")
    page.get_by_role("button", name="退出").click()

    # The township corrects and resubmits.
    log_in(page, live_server, "alice")
    page.goto(url)
    expect(page.get_by_test_id("last-note")).to_contain_text("请写明双洋镇鉴定延期的原因")
    page.get_by_label("更正原因").fill("补写延期原因")
    page.get_by_role("button", name="创建更正版本").click()
    expect(page.get_by_test_id("report-status")).to_have_text("编制中")
    page.get_by_role("link", name="报送漳平市住建局…").click()
    page.get_by_label("联系电话").fill("0597-7512345")
    page.get_by_label("单位分管负责人").fill("陈镇长")
    page.get_by_role("button", name="确认报送漳平市住建局").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已报送")
    versions = dict(Report.objects.filter(kind="progress").values_list("version", "status"))
    assert versions == {1: "superseded", 2: "submitted"}
