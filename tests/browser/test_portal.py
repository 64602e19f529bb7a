"""Issue 7's journeys in Chromium on a phone-sized screen: an anonymous report from start to
tracking code, the follow-up with the code alone, and the disclosure list."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anju.accounts.models import User
from anju.households.imports import import_households
from anju.households.models import Renovation
from tests.base import make_cast, make_regions
from tests.browser.test_menu import OVERFLOWING, SHOTS
from tests.households.files import row, xlsx

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def residents(transactional_db):
    from django.core.cache import cache

    cache.clear()
    make_regions()
    make_cast()
    import_households(actor="t", file_name="a.xlsx", data=xlsx([row(1, **{"户主姓名": "张小明"})]))
    today = timezone.localdate()
    Renovation.objects.update(
        notice_start=today - timedelta(days=2), notice_end=today + timedelta(days=5)
    )


def choose_place(page):
    page.get_by_label("县（市、区）").select_option(label="漳平市")
    page.get_by_role("button", name="选定地方").click()
    page.get_by_label("乡镇（街道）").select_option(label="新桥镇")
    page.get_by_role("button", name="选定地方").click()
    page.get_by_label("村（社区）").select_option(label="西埔村")
    page.get_by_role("button", name="选定地方").click()
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")


def answer_question(page):
    """Type the characters of the picture. A person reads them; the test, which cannot, takes
    them from the server's session for the browser's cookie (the page itself does not say)."""
    from django.contrib.sessions.backends.db import SessionStore

    expect(page.get_by_test_id("challenge")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    answer = SessionStore(session_key=cookie["value"])["portal_answer"]
    page.get_by_label("验证字符").fill(answer)


def test_anonymous_report_code_and_follow_up_on_a_phone(page, live_server, residents):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="反映问题").click()
    choose_place(page)
    page.get_by_label("问题类型").select_option(label="资金使用违规")
    page.get_by_label("问题描述").fill("补助款被村干部代领，户主本人没有拿到。")
    answer_question(page)
    page.get_by_role("button", name="提交").click()
    code = page.get_by_test_id("tracking-code").inner_text()
    assert len(code) == 19

    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("public-status")).to_have_text("已受理")
    page.get_by_label("补充情况").fill("代领时间是去年十月。")
    page.get_by_role("button", name="提交补充").click()
    expect(page.get_by_test_id("additions")).to_contain_text("代领时间是去年十月。")


def test_the_disclosure_list_on_a_phone(page, live_server, residents):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/disclosure/")
    page.get_by_label("县（市、区）").select_option(label="漳平市")
    page.get_by_role("button", name="查看").click()
    page.get_by_label("乡镇（街道）").select_option(label="新桥镇")
    page.get_by_role("button", name="查看").click()
    page.get_by_label("村（社区）").select_option(label="西埔村")
    page.get_by_label("年度").select_option("2019")
    page.get_by_role("button", name="查看").click()
    table = page.get_by_test_id("disclosure")
    expect(table).to_contain_text("张*明")
    expect(table).not_to_contain_text("张小明")
    table.get_by_role("link", name="反映问题").click()
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")
    expect(page.get_by_label("问题描述")).to_have_value("2019年度补助对象张*明：")


# Issue 28, point 6: every portal page at an office width and on a phone, the district's own
# page in the UI, the report form keeping what was typed.
OFFICE = {"width": 1280, "height": 800}
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def published(residents):
    from anju.oversight.models import Exposure, TypicalCase
    from anju.portal.models import Duty
    from anju.reporting.models import Hotline
    from tests.oversight.helpers import register

    carol = User.objects.get(username="carol")
    Hotline.objects.create(
        region_id="350881000000", number="0597-7526007", hours="工作日 8:00-12:00，15:00-18:00"
    )
    Duty.objects.create(
        region_id="350881000000",
        matter="农村低收入群体等重点对象住房安全鉴定，鉴定结果录入档案",
        unit="漳平市住房和城乡建设局村镇建设科",
        contact="0597-7531234",
    )
    clue, _ = register(carol, names=("王建国",))
    TypicalCase.objects.create(
        clue=clue,
        region_id="350881000000",
        month=date(2026, 10, 1),
        text="新桥镇西埔村村主任王建国截留危改补助款两万元，已责令退还并给予党内警告处分。",
        chosen_by=carol,
        published_at=timezone.now(),
    )
    Exposure.objects.create(
        region_id="350881000000",
        exposed_on=date(2026, 11, 3),
        channel="漳平市纪委监委网站",
        problems=2,
        persons=3,
        recorded_by=carol,
        published_at=timezone.now(),
    )
    from anju.households.models import Household
    from anju.households.plates import plate_issue

    return plate_issue(actor=carol, household=Household.objects.get())


def test_every_portal_page_fits_an_office_screen_and_a_phone(page, live_server, published):
    pages = {
        "home": "/portal/",
        "report": "/portal/report/?county=350881000000&township=350881100000",
        "track": "/portal/track/",
        "disclosure": "/portal/disclosure/?county=350881000000&township=350881100000"
        "&village=350881100203&year=2019",
        "responsibilities": "/portal/responsibilities/",
        "hotlines": "/portal/hotlines/",
        "cases": "/portal/cases/",
        "plate": f"/portal/plate/{published.public_token}/",
    }
    for size in (OFFICE, PHONE_390):
        page.set_viewport_size(size)
        for name, url in pages.items():
            page.goto(live_server.url + url)
            expect(page.get_by_test_id("portal-footer")).to_be_visible()
            if name != "home":
                expect(page.get_by_test_id("portal-back")).to_be_visible()
            assert page.evaluate(OVERFLOWING) == [], (name, size)
            page.screenshot(path=SHOTS / f"portal-{name}-{size['width']}.png", full_page=True)
    # What the pages say, read on the phone.
    page.goto(live_server.url + "/portal/hotlines/")
    expect(page.get_by_test_id("hotlines")).to_contain_text("0597-7526007")
    expect(page.get_by_test_id("hotlines")).to_contain_text("工作日 8:00-12:00")
    page.goto(live_server.url + "/portal/responsibilities/")
    expect(page.get_by_test_id("duties")).to_contain_text("漳平市住房和城乡建设局村镇建设科")
    page.goto(live_server.url + "/portal/cases/")
    expect(page.get_by_test_id("public-case")).to_contain_text("王*国")
    expect(page.get_by_test_id("public-case")).not_to_contain_text("王建国")
    expect(page.get_by_test_id("public-exposures")).to_contain_text("漳平市纪委监委网站")
    # The disclosure as cards: each value beside its column's name, no table header.
    page.goto(live_server.url + pages["disclosure"])
    card = page.get_by_test_id("disclosure-row").first
    expect(page.get_by_test_id("disclosure").locator("thead")).to_be_hidden()
    box = card.bounding_box()
    assert box["width"] <= 390 and box["height"] > 100, box
    label = card.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"户主"', label


def test_the_report_form_keeps_what_was_typed_through_every_step(page, live_server, residents):
    page.set_viewport_size(PHONE_390)
    page.goto(f"{live_server.url}/portal/report/")
    page.get_by_label("问题类型").select_option(label="资金使用违规")
    page.get_by_label("问题描述").fill("补助款被村干部代领，户主本人没有拿到。")
    page.get_by_label("被反映人（可不填）").fill("王某")
    page.get_by_label("联系电话（可不填）").fill("13800001111")
    choose_place(page)  # three posts of the whole form
    expect(page.get_by_label("问题描述")).to_have_value("补助款被村干部代领，户主本人没有拿到。")
    expect(page.get_by_label("被反映人（可不填）")).to_have_value("王某")
    expect(page.get_by_label("联系电话（可不填）")).to_have_value("13800001111")
    expect(page.get_by_label("问题类型")).to_have_value("funds")
    page.get_by_role("button", name="换一张").click()
    expect(page.get_by_label("问题描述")).to_have_value("补助款被村干部代领，户主本人没有拿到。")
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")
    # A wrong answer with a photo chosen: everything typed stays, the photo must be chosen again.
    page.locator('input[type="file"]').set_input_files(
        {"name": "a.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_label("验证字符").fill("WRONG")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("report-error")).to_contain_text("验证字符不正确")
    expect(page.get_by_test_id("photos-again")).to_contain_text("请重新选择照片")
    expect(page.get_by_label("问题描述")).to_have_value("补助款被村干部代领，户主本人没有拿到。")
    expect(page.get_by_label("联系电话（可不填）")).to_have_value("13800001111")
    expect(page.get_by_test_id("chosen-place")).to_contain_text("西埔村")
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=SHOTS / "portal-report-kept-390.png", full_page=True)
    answer_question(page)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()


def test_a_district_publishes_its_hotline_and_list_from_its_own_page(page, live_server, residents):
    from tests.browser.test_journeys import log_in

    for size in (OFFICE, PHONE_390):
        page.set_viewport_size(size)
        page.context.clear_cookies()
        log_in(page, live_server, "carol")
        page.get_by_role("navigation", name="主菜单").locator("summary", has_text="管理").click()
        page.get_by_role("link", name="门户公开信息").click()
        expect(page.locator("main h1")).to_contain_text("门户公开信息")
        page.get_by_label("电话号码").fill("0597 752600")
        page.get_by_label("接听时间").fill("工作日 8:00-12:00")
        page.get_by_role("button", name="公布这个电话").click()
        expect(page.locator(".messages, [role=alert]").first).to_contain_text("区号")
        expect(page.get_by_label("接听时间")).to_have_value("工作日 8:00-12:00")
        page.get_by_label("电话号码").fill(f"0597-75260{size['width'] % 100:02d}")
        page.get_by_role("button", name="公布这个电话").click()
        expect(page.get_by_test_id("district-hotlines")).to_contain_text("工作日 8:00-12:00")
        page.get_by_label("责任事项").fill("危房改造补助资金拨付")
        page.get_by_label("责任单位").fill("漳平市财政局")
        page.get_by_role("button", name="加入清单").click()
        expect(page.get_by_test_id("district-duties")).to_contain_text("漳平市财政局")
        assert page.evaluate(OVERFLOWING) == [], size
        page.screenshot(path=SHOTS / f"portal-district-{size['width']}.png", full_page=True)
    page.goto(f"{live_server.url}/portal/hotlines/")
    expect(page.get_by_test_id("hotlines")).to_contain_text("0597-7526080")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 60)).save(out, "PNG")
    return out.getvalue()
