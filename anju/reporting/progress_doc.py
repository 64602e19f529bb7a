"""The monthly progress report (seed 003: 本月整治工作进展情况和突出问题处理情况) as a Word
document in the official-document layout, written from the numbers the report holds (never
recounted), so that what is printed is what was submitted."""

from anju.reporting.models import Report
from anju.reporting.official import OfficialDocument


def progress_docx(report: Report, *, number: str = "") -> bytes:
    values = report.values
    period = report.period
    doc = OfficialDocument(
        title=f"{report.reporter_name}{period.year}年{period.month}月"
        "贫困户住房安全专项整治工作进展情况",
        issuer=report.reporter_name,
        number=number,
    )
    doc.paragraph(f"{report.recipient}：")
    doc.paragraph(
        f"现将{report.reporter_name}{period.year}年{period.month}月专项整治工作进展情况和"
        "突出问题处理情况报告如下。"
    )
    doc.heading("一、本月整治工作进展情况")
    columns, rows = values.get("columns") or [], values.get("rows") or []
    if columns and rows:
        doc.table(list(columns), [[str(v) for v in row] for row in rows])
    doc.heading("二、突出问题处理情况")
    narrative = (values.get("narrative") or report.narrative or "").strip()
    doc.paragraph(narrative or "本月无突出问题。")
    handled = values.get("handled") or []
    if handled:
        doc.table(
            ["乡镇（街道）或单位", "问题", "处理情况", "责任人", "完成日期"],
            [[str(v) for v in line] for line in handled],
        )
    if report.remarks.strip():
        doc.heading("三、其他情况说明")
        doc.paragraph(report.remarks.strip())
    footer = report.footer or {}
    if footer:
        doc.paragraph("")
        doc.paragraph(
            f"填表人：{footer.get('填表人', '')}　联系电话：{footer.get('联系电话', '')}　"
            f"单位分管负责人：{footer.get('单位分管负责人', '')}"
        )
        doc.signature(report.reporter_name, footer.get("填报时间", ""))
    return doc.save()
