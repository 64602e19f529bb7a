"""Issue #24's journey in Chromium, seed 003's chain from a new name on a department's list to a
safe house: the poverty office uploads a list with two new people (one already in the archive,
one not); the township sees both tasks, completes the missing household's record and records a D
assessment; a renovation case appears; the clerk (with the county's approval) advances it to
acceptance and payment; the campaign's figures move."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.accounts.models import User
from anju.campaigns.services import TargetInput, campaign_create
from anju.households.models import House, Household, Person
from anju.regions.models import Region
from tests.base import make_cast, make_regions
from tests.browser.test_journeys import log_in
from tests.households.files import rid

TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def cast(transactional_db):
    make_regions()
    people = make_cast()
    # 陈金水 is in the archive (his house never assessed); 林新生 is not.
    household = Household.objects.create(
        region_id="350881100203", head_name="陈金水", head_id=rid(1)
    )
    Person.objects.create(household=household, name="陈金水", id_number=rid(1))
    House.objects.create(household=household, structure="earth_timber")
    campaign_create(
        actor=User.objects.get(username="carol"),
        region=Region.objects.get(code="350881000000"),
        name="贫困人口住房安全专项整治",
        start=TODAY - timedelta(days=60),
        end=TODAY + timedelta(days=60),
        targets=[
            TargetInput("新增对象1个月内完成鉴定", "new_poor_assessed", TODAY + timedelta(60)),
            TargetInput("危房改造按时完成", "renovation_completed", TODAY + timedelta(60)),
        ],
    )
    return people


def campaign_figures(page, live_server) -> tuple[str, str]:
    page.goto(f"{live_server.url}/campaigns/")
    page.get_by_role("link", name="贫困人口住房安全专项整治").click()
    return (
        page.get_by_test_id("task-breakdown").inner_text(),
        page.get_by_test_id("case-breakdown").inner_text(),
    )


def shot(page, name: str) -> None:
    """With ANJU_SHOTS=DIR, keep a full-page screenshot of each stage to look at."""
    folder = os.environ.get("ANJU_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def step(page, label: str, on: str, **extra) -> None:
    box = page.get_by_test_id(f"renovation-{TODAY.year}")
    box.get_by_label("环节").select_option(label=label)
    box.get_by_label("日期", exact=True).fill(on)
    for name, value in extra.items():
        box.get_by_label(name).fill(value)
    box.get_by_role("button", name="记录环节").click()
    expect(page.get_by_text(f"已记录「{label}」")).to_be_visible()


def test_a_new_name_becomes_a_safe_house(page, live_server, cast):
    # A long journey of many pages: allow a loaded machine time for each.
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    expect.set_options(timeout=60_000)
    try:
        journey(page, live_server)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the tests after this one


def journey(page, live_server) -> None:
    # The poverty office (a department's data provider) uploads its list.
    log_in(page, live_server, "pete")
    page.get_by_role("link", name="部门名单").click()
    page.get_by_label("名单类型").select_option("poverty")
    page.get_by_label("名单文件（.xlsx / .xls / .csv）").set_input_files(
        files=[
            {
                "name": "新识别贫困人口.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "漳平市新识别建档立卡贫困人口名单\n"
                    "姓名,公民身份号码,乡镇（街道）,行政村,识别日期\n"
                    f"陈金水,{rid(1)},新桥镇,西埔村,{day(-45)}\n"
                    f"林新生,{rid(2).lower()},新桥镇,西埔村,{day(-45)}\n"
                ).encode("utf-8-sig"),
            }
        ]
    )
    page.get_by_role("button", name="上传名单").click()
    expect(page.get_by_text("档案中没有的 1 户已列为待建档农户")).to_be_visible()
    expect(page.get_by_text("生成鉴定任务 2 条")).to_be_visible()
    page.get_by_role("button", name="退出").click()

    # The township sees both tasks; the one not in the archive is 待建档.
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessment-tasks/")  # 档案 › 鉴定任务
    tasks = page.get_by_test_id("tasks")
    expect(tasks).to_contain_text("陈金水")
    expect(tasks).to_contain_text("林新生")
    expect(tasks.get_by_test_id("pending")).to_have_count(1)
    shot(page, "1-tasks")
    tasks.get_by_role("link", name="西埔村 林新生").click()

    # It completes the missing household's record, then records a D assessment.
    expect(page.get_by_test_id("pending-notice")).to_contain_text("待建档")
    shot(page, "2-pending")
    complete = page.get_by_test_id("complete-form")
    complete.get_by_label("家庭人口").fill("3")
    complete.get_by_label("房屋结构").select_option("earth_timber")
    complete.get_by_role("button", name="完成建档").click()
    expect(page.get_by_text("已完成建档")).to_be_visible()
    expect(page.get_by_test_id("pending-notice")).to_have_count(0)
    page.get_by_label("危险等级").select_option("D")
    page.get_by_label("鉴定日期").fill(day(-40))
    page.get_by_label("鉴定人/机构").fill("漳平市房屋安全鉴定站")
    page.get_by_role("button", name="记录鉴定").click()
    expect(page.get_by_text("鉴定已记录")).to_be_visible()
    expect(page.get_by_test_id("household-tasks")).to_contain_text("已鉴定")

    # A renovation case appears, on the household page and the township's list.
    cases = page.get_by_test_id("household-cases")
    expect(cases).to_contain_text("拆除重建")
    expect(cases).to_contain_text("待开启改造")
    page.goto(f"{live_server.url}/households/cases/")  # 档案 › 危房整改
    expect(page.get_by_test_id("cases")).to_contain_text("林新生")
    shot(page, "3-cases")
    page.get_by_test_id("cases").get_by_role("link", name="西埔村 林新生").click()

    # The clerk opens the renovation with the subsidy by level and walks its steps.
    opening = page.get_by_test_id("renovation-open")
    opening.get_by_label("农户申请日期").fill(day(-35))
    opening.get_by_label("中央补助（元）").fill("20000")
    opening.get_by_label("省级补助（元）").fill("10000")
    opening.get_by_label("市级补助（元）").fill("5000")
    opening.get_by_label("县级补助（元）").fill("5000")
    opening.get_by_role("button", name="开启改造并记录农户申请").click()
    expect(page.get_by_text(f"已开启{TODAY.year}年度改造")).to_be_visible()
    step(page, "村级评议", day(-34))
    step(page, "公示开始", day(-33))
    step(page, "公示结束", day(-25))
    step(page, "乡镇审核", day(-24))
    household_url = page.url
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "carol")  # the county follows the campaign, and approves
    tasks_text, cases_text = campaign_figures(page, live_server)
    assert "共 2 项" in tasks_text and "按时（1个月内）完成 1 项" in tasks_text, tasks_text
    assert "逾期未完成 0 项" in tasks_text, tasks_text
    assert "开启 1 项，已启动改造（农户申请或搬迁认定）1 项" in cases_text, cases_text
    assert "已验收办结 0 项" in cases_text, cases_text
    page.goto(household_url)
    step(page, "县级审批", day(-20))
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "alice")
    page.goto(household_url)
    step(page, "开工", day(-18))
    step(page, "竣工", day(-5))
    box = page.get_by_test_id(f"renovation-{TODAY.year}")
    expect(box.get_by_label("新房结构（验收时）")).to_have_value("")  # 砖混 unless chosen
    shot(page, "4-acceptance")
    if os.environ.get("ANJU_SHOTS"):  # as the township clerk sees it on a phone
        page.set_viewport_size({"width": 390, "height": 844})
        box.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(os.environ["ANJU_SHOTS"], "4-acceptance-390.png"))
        page.set_viewport_size({"width": 1280, "height": 800})
    step(page, "验收", day(-3), 验收人="郑工")
    expect(page.get_by_test_id("household-cases")).to_contain_text("已完成")
    # The family now lives in the new house (brick-concrete unless the clerk said otherwise).
    houses = page.get_by_test_id("houses")
    expect(houses).to_contain_text(f"新房（{TODAY.year}年建）")
    expect(houses).to_contain_text("砖混")
    expect(houses).to_contain_text("原房 · 已不居住")
    box = page.get_by_test_id(f"renovation-{TODAY.year}")
    box.get_by_label("发放日期").fill(day(-1))
    box.get_by_label("金额（元）").fill("40000")
    box.get_by_label("账号").fill("6217000011112222")
    box.get_by_label("户名").fill("林新生")
    box.get_by_role("button", name="记录发放").click()
    expect(page.get_by_text("补助发放已记录")).to_be_visible()
    shot(page, "4-household")

    # The campaign's figures move: one task done in time, one case opened, started, accepted.
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server, "carol")
    tasks_text, cases_text = campaign_figures(page, live_server)
    assert "共 2 项" in tasks_text and "按时（1个月内）完成 1 项" in tasks_text, tasks_text
    assert "开启 1 项" in cases_text and "已验收办结 1 项，其中按时 1 项" in cases_text, cases_text
    shot(page, "5-campaign")
    progress = page.get_by_test_id("campaign-progress")
    expect(progress).to_contain_text("50.0%")  # 1 of the township's 2 new households in time
    progress.get_by_title("已完成的农户").first.click()
    expect(page.get_by_test_id("figure-households")).to_contain_text("林新生")
