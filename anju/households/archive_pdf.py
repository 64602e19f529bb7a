"""一户一档: the printable archive of one household (reportlab, the embedded Chinese font)."""

import io

from reportlab.lib.units import mm

from anju.households.queries import timeline
from anju.identity import mask_account, mask_id
from anju.pdffont import chinese_font

# Each section of the archive: its heading (None for the household's own line), the header row,
# the rows and the column widths.
Section = tuple[str | None, list[str], list[list], list[float]]


def household_pdf(household, *, unmasked: bool, printed_by: str, printed_at: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = chinese_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=24, alignment=1)
    head = ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13)
    story = [Paragraph("农村危房改造农户档案（一户一档）", title), Spacer(1, 4 * mm)]
    for heading, header, rows, widths in sections(household, unmasked):
        if heading:
            story.append(Paragraph(heading, head))
        story.append(_table([header, *rows], widths, body))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(f"打印人：{printed_by}　打印时间：{printed_at}　仅限工作使用", body),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"一户一档 {household.head_name}",
    ).build(story)
    return out.getvalue()


def _table(rows, widths, style):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    table = Table(
        [[Paragraph(str(c), style) for c in r] for r in rows], colWidths=widths, repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    return table


def sections(household, unmasked: bool) -> list[Section]:
    """The archive's sections in print order: the household, its people, categories, houses and
    assessments, renovations and payments, plates and visits, the timeline."""
    return [
        _household(household, unmasked),
        _people(household, unmasked),
        (
            "类别",
            ["类别", "认定部门", "认定日期", "退出日期"],
            [
                [c.get_category_display(), c.department, c.start or "", c.end or ""]
                for c in household.categories.all()
            ],
            [50 * mm, 35 * mm, 30 * mm, 30 * mm],
        ),
        _houses(household),
        _renovations(household),
        _plates_and_visits(household),
        (
            "时间线",
            ["日期", "事项", "内容"],
            [[d or "日期不详", k, t] for d, k, t in timeline(household)],
            [30 * mm, 20 * mm, 125 * mm],
        ),
    ]


def _household(household, unmasked: bool) -> Section:
    number = household.head_id if unmasked else mask_id(household.head_id)
    account = household.account_number if unmasked else mask_account(household.account_number)
    return (
        None,
        ["户主", "身份证号", "行政村", "家庭人口", "一卡通账号"],
        [
            [
                household.head_name,
                number,
                household.region.name,
                household.size or "",
                f"{account} {household.account_holder}",
            ]
        ],
        [25 * mm, 42 * mm, 35 * mm, 18 * mm, 55 * mm],
    )


def _people(household, unmasked: bool) -> Section:
    return (
        "家庭成员",
        ["姓名", "关系", "身份证号", "状态"],
        [
            [
                p.name,
                p.relation,
                p.id_number if unmasked else mask_id(p.id_number),
                f"已故 {p.deceased_on}" if p.deceased_on else "在世",
            ]
            for p in household.people.all()
        ],
        [30 * mm, 25 * mm, 50 * mm, 40 * mm],
    )


def _houses(household) -> Section:
    return (
        "房屋与鉴定",
        ["房屋", "结构", "鉴定"],
        [
            [
                "新房" if h.is_new else "原房",
                h.get_structure_display(),
                "；".join(f"{a.grade}级 {a.assessed_on or ''}" for a in h.assessments.all())
                or "未鉴定",
            ]
            for h in household.houses.all()
        ],
        [25 * mm, 30 * mm, 120 * mm],
    )


def _renovations(household) -> Section:
    return (
        "改造记录与补助发放",
        ["年度", "方式", "审批", "竣工", "验收", "补助（元）", "发放"],
        [
            [
                r.year,
                r.get_method_display(),
                r.approved_on or "",
                r.completed_on or "",
                r.accepted_on or "",
                f"{r.subsidy_fen / 100:,.2f}",
                "；".join(f"{p.paid_on} {p.amount_fen / 100:,.2f}" for p in r.payments.all())
                or "—",
            ]
            for r in household.renovations.all()
        ],
        [14 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm, 25 * mm, 48 * mm],
    )


def _plates_and_visits(household) -> Section:
    plates = [
        [
            "安全状况牌",
            p.issued_on,
            f"{p.number}，{p.grade}级，"
            + (f"{p.installed_on} 挂牌" if p.installed_on else "未挂牌")
            + (f"（{p.installed_by}）" if p.installed_by else "")
            + (f"；挂牌照片：{p.photo_facts}" if p.photo_type else ""),
        ]
        for p in household.plates.defer("photo")
    ]
    visits = [
        ["回访", v.visited_on, "、".join(v.finding_labels()) or "未发现问题"]
        for v in household.visits.all()
    ]
    return (
        "安全状况牌与跟踪回访",
        ["事项", "日期", "内容"],
        plates + visits,
        [30 * mm, 30 * mm, 115 * mm],
    )
