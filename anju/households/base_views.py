"""Revolutionary base villages (革命基点村, seed 003 (四)): the survey list of each base village,
every household with its house, latest grade, renovations, plate and last visit; printable, and
exported as a workbook."""

import io
from datetime import date

from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from anju.accounts.access import (
    Perm,
    requested_region,
    scope_to_region,
    staff_view,
)
from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.access import households_visible_to
from anju.households.choices import Method, Structure
from anju.households.models import Assessment, SafetyPlate
from anju.regions.queries import base_villages_within
from anju.reporting.layout import safe_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "行政村",
    "户主",
    "身份证号",
    "房屋结构",
    "最近鉴定",
    "改造年度",
    "改造方式",
    "安全状况牌",
    "最近回访",
    "待建档",
]


def _codes(text: str, labels: dict) -> str:
    return "、".join(labels.get(c, c) for c in text.strip(",").split(",") if c)


def survey_rows(user, region) -> list[tuple]:
    """One row per household of the base villages under `region`, in village and name order."""
    villages = {v.code: v.name for v in base_villages_within(region)}
    households = list(
        scope_to_region(households_visible_to(user), region)
        .filter(region_id__in=villages)
        .defer("head_id", "account_number")
        .annotate(last_visit=Max("visits__visited_on"))
        .prefetch_related("houses")
        .order_by("region_id", "head_name", "pk")
    )
    keys = [h.pk for h in households]
    latest: dict[int, tuple] = {}
    for hid, grade, on in (
        Assessment.objects.filter(house__household_id__in=keys)
        .order_by("assessed_on", "pk")
        .values_list("house__household_id", "grade", "assessed_on")
    ):
        latest[hid] = (grade, on)
    plates: dict[int, str] = {}
    for hid, installed, deadline in SafetyPlate.objects.filter(household_id__in=keys).values_list(
        "household_id", "installed_on", "deadline"
    ):
        plates[hid] = (
            f"已挂牌 {installed:%Y-%m-%d}" if installed else f"未挂牌（时限 {deadline:%Y-%m-%d}）"
        )
    structures = dict(Structure.choices)
    methods = dict(Method.choices)
    rows = []
    for h in households:
        house = next((o for o in h.houses.all() if not o.is_new), None)
        grade = latest.get(h.pk)
        rows.append(
            (
                villages[h.region_id],
                h,
                h.head_id_masked,
                structures.get(house.structure, "") if house else "",
                f"{grade[0]}级 {grade[1]:%Y-%m-%d}"
                if grade and grade[1]
                else (f"{grade[0]}级" if grade else "未鉴定"),
                h.renovation_years.strip(",").replace(",", "、"),
                _codes(h.renovation_methods, methods),
                plates.get(h.pk, "未制牌"),
                f"{h.last_visit:%Y-%m-%d}" if h.last_visit else "从未回访",
                "待建档" if h.pending else "",
            )
        )
    return rows


@staff_view(Perm.VIEW_HOUSEHOLDS)
def base_villages(request):
    region = requested_region(request)
    rows = survey_rows(request.user, region)
    if request.GET.get("format") == "xlsx":
        return _workbook(request, region, rows)
    villages = list(base_villages_within(region).values_list("code", "name"))
    return render(
        request,
        "households/base_villages.html",
        {"region": region, "rows": rows, "villages": villages, "today": timezone.localdate()},
    )


def _workbook(request, region, rows) -> HttpResponse:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("基点村排查清单")
    bold = book.add_format({"bold": True})
    sheet.write_string(
        0, 0, f"{region.name}革命基点村住房安全排查清单（{date.today():%Y-%m-%d}）", bold
    )
    sheet.write_row(2, 0, COLUMNS, bold)
    for i, row in enumerate(rows, 3):
        values = [row[0], row[1].head_name, *row[2:]]
        for j, value in enumerate(values):
            sheet.write_string(i, j, safe_text(str(value)))
    sheet.set_column(0, len(COLUMNS) - 1, 16)
    book.close()
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="households.household",
        region_code=region.code,
        note=f"导出革命基点村排查清单 {len(rows)} 户",
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="base-villages.xlsx"'
    return response
