"""The public portal (no login): report a problem, follow it with the code, see who was approved."""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from anju.accounts.access import public_view
from anju.households.choices import Category
from anju.households.models import CategoryRecord, Renovation, SafetyPlate
from anju.households.plates import HOTLINE, STATUS_TEXT
from anju.identity import mask_name
from anju.oversight.choices import ProblemKind
from anju.oversight.models import Exposure, TypicalCase
from anju.portal import guard, services
from anju.portal.models import PublicReport
from anju.regions.models import Level, Region
from anju.reporting.models import Contact, Hotline


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _place(request) -> dict:
    """County → township → village, chosen one at a time (plain GET: works without JavaScript)."""
    g = request.GET if request.method == "GET" else request.POST
    counties = list(Region.objects.filter(level=Level.COUNTY).order_by("code"))
    chosen = {"county": None, "township": None, "village": None}
    townships, villages = [], []
    county = next((c for c in counties if c.code == g.get("county")), None)
    if county:
        chosen["county"] = county
        townships = list(county.children.order_by("code"))
        township = next((t for t in townships if t.code == g.get("township")), None)
        if township:
            chosen["township"] = township
            villages = list(township.children.order_by("code"))
            chosen["village"] = next((v for v in villages if v.code == g.get("village")), None)
    region = chosen["village"] or chosen["township"] or chosen["county"]
    return {
        "counties": counties,
        "townships": townships,
        "villages": villages,
        "chosen": chosen,
        "region": region,
    }


@public_view
def home(request):
    return render(request, "portal/home.html")


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="问题类型", choices=ProblemKind.choices)
    description = forms.CharField(
        label="问题描述",
        max_length=services.DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    accused = forms.CharField(label="被反映人（可不填）", max_length=50, required=False)
    name = forms.CharField(label="您的姓名（可不填，匿名反映）", max_length=50, required=False)
    phone = forms.CharField(label="联系电话（可不填）", max_length=20, required=False)
    answer = forms.CharField(label="验证字符", max_length=12)


# The whole request: three photos of 5 MB and the text. Checked before the body is read.
MAX_REQUEST = 16 * 1024 * 1024


@public_view
def report(request):
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST:
        return _no_store(render(request, "portal/too_large.html", status=413))
    place = _place(request)
    initial = {"description": request.GET.get("about", "")[:200]}
    # Choosing the place (or a new picture) posts the whole form back: what was typed stays.
    stepping = request.method == "POST" and request.POST.get("step") in ("place", "picture")
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if stepping:
            data["answer"] = ""  # a new picture is drawn below: the old answer is void
    form = ReportForm(data, initial=initial)
    error = ""
    # A browser never sends a chosen file back: say so whenever the page comes back with photos.
    photos_dropped = bool(request.FILES.getlist("photos"))
    if stepping:
        pass
    elif request.method == "POST" and form.is_valid():
        if not guard.allowed(request, "report"):
            error = "提交过于频繁，请稍后再试。"
        elif not guard.answered(request, form.cleaned_data["answer"]):
            error = "验证字符不正确，请看图重新输入（已换一张图）。"
        elif place["region"] is None:
            error = "请选择问题发生的地方（至少到县、市、区）。"
        else:
            data = form.cleaned_data
            try:
                done = services.submit_report(
                    region=place["region"],
                    kind=data["kind"],
                    description=data["description"],
                    name=data["name"],
                    phone=data["phone"],
                    accused=data["accused"],
                    photos=[f.read() for f in request.FILES.getlist("photos")[:10]],
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                return _no_store(
                    render(
                        request, "portal/reported.html", {"code": done.code, "report": done.report}
                    )
                )
    guard.new_question(request)
    return _no_store(
        render(
            request,
            "portal/report.html",
            {
                "form": form,
                "error": error,
                "stepping": stepping,
                "about": (request.POST if request.method == "POST" else request.GET).get(
                    "about", ""
                )[:200],
                "photos_dropped": photos_dropped,
                "nonce": secrets.token_hex(4),
                **place,
            },
        )
    )


@public_view
def challenge(request):
    """The picture of the report form's verification characters (this session's only)."""
    data = guard.challenge_png(request)
    if data is None:  # no form shown in this session yet (or its challenge was used): a new one
        guard.new_question(request)
        data = guard.challenge_png(request)
    return _no_store(HttpResponse(data, content_type="image/png"))


@public_view
def track(request):
    """Enter the tracking code; nothing is said about whether other codes exist."""
    error = ""
    if request.method == "POST":
        if not guard.allowed(request, "track"):
            error = "查询过于频繁，请稍后再试。"
        else:
            found = services.find_report(request.POST.get("code", ""))
            if found is None:
                error = "没有找到与该查询码对应的反映，请核对后重新输入。"
            else:
                request.session["portal_report"] = found.pk
                return redirect("portal:status")
    return _no_store(render(request, "portal/track.html", {"error": error}))


@public_view
def status(request):
    pk = request.session.get("portal_report")
    item = PublicReport.objects.filter(pk=pk).select_related("clue", "region").first()
    if item is None:
        return redirect("portal:track")
    error = ""
    if request.method == "POST":
        if not guard.allowed(request, "add"):
            error = "提交过于频繁，请稍后再试。"
        else:
            try:
                services.add_information(item, request.POST.get("text", ""))
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                return redirect("portal:status")
    return _no_store(
        render(
            request,
            "portal/status.html",
            {
                "item": item,
                "status": services.public_status(item),
                "additions": item.additions.all(),
                "error": error,
            },
        )
    )


@public_view
def disclosure(request):
    """Per village and year: the approved beneficiaries whose public notice has begun, masked."""
    place = _place(request)
    village = place["chosen"]["village"]
    years = list(range(timezone.localdate().year, 2011, -1))
    year = request.GET.get("year", "")
    rows = []
    if village and year.isdigit():
        if not guard.allowed(request, "disclosure"):
            limit = guard.LIMITS["disclosure"][0]
            return render(
                request,
                "portal/disclosure.html",
                {**place, "years": years, "year": year, "rows": [], "too_many": limit},
                status=429,
            )
        today = timezone.localdate()
        renovations = (
            Renovation.objects.filter(
                household__region=village,
                year=int(year),
                approved_on__isnull=False,
                notice_start__isnull=False,
                notice_start__lte=today,
            )
            .select_related("household")
            .order_by("household__head_name", "pk")
        )
        labels = dict(Category.choices)
        categories: dict[int, list[str]] = {}
        for household_id, category in CategoryRecord.objects.filter(
            household__in=[r.household_id for r in renovations]
        ).values_list("household_id", "category"):
            categories.setdefault(household_id, []).append(labels.get(category, category))
        rows = [
            {
                "name": mask_name(r.household.head_name),
                "id": r.household.head_id_masked,
                "categories": "、".join(categories.get(r.household_id, [])),
                "method": r.get_method_display(),
                "subsidy": r.subsidy_fen // 100,
                "notice_start": r.notice_start,
                "notice_end": r.notice_end,
                "year": r.year,
            }
            for r in renovations
        ]
    return render(
        request,
        "portal/disclosure.html",
        {**place, "years": years, "year": year, "rows": rows},
    )


@public_view
def plate(request, token: str):
    """What the QR code on a safety plate opens: the plate's status and its village, and nothing
    about the family."""
    found = (
        SafetyPlate.objects.filter(public_token=token)
        .select_related("household__region")
        .defer("photo")
        .first()
    )
    if found is None:
        raise Http404("没有找到该安全状况牌。")
    return render(
        request,
        "portal/plate.html",
        {
            "plate": found,
            "village": found.household.region,
            "status": STATUS_TEXT.get(found.grade, ""),
        },
    )


@public_view
def responsibilities(request):
    """The city's page (its own introduction, if written) and each district's list, line by
    line as the district keeps it."""
    from anju.portal.models import Duty, PortalPage

    page = PortalPage.objects.filter(slug=services.RESPONSIBILITIES).first()
    by_district: dict = {}
    for duty in Duty.objects.select_related("region").order_by("region_id", "position", "pk"):
        by_district.setdefault(duty.region, []).append(duty)
    return render(
        request,
        "portal/responsibilities.html",
        {"page": page, "districts": list(by_district.items())},
    )


@public_view
def hotlines(request):
    """Each district's hotlines (landline or mobile, with the hours they are answered), and the
    Annex 3 numbers it chose to publish. The first is the one on that district's plates."""

    by_district: dict = {}
    for hotline in Hotline.objects.select_related("region").order_by("region_id", "position"):
        by_district.setdefault(hotline.region, {"hotlines": [], "contacts": []})
        by_district[hotline.region]["hotlines"].append(hotline)
    contacts = (
        Contact.objects.filter(published=True)
        .select_related("region")
        .order_by("region_id", "role")
    )
    for contact in contacts:
        by_district.setdefault(contact.region, {"hotlines": [], "contacts": []})
        by_district[contact.region]["contacts"].append(contact)
    districts = sorted(by_district.items(), key=lambda pair: pair[0].code)
    return render(
        request,
        "portal/hotlines.html",
        {"districts": districts, "city_hotline": HOTLINE},
    )


@public_view
def cases(request):
    """查处通报: the typical cases and exposures the districts published, newest first, the
    persons they name masked as the city decides."""

    typical = (
        TypicalCase.objects.filter(published_at__isnull=False)
        .select_related("region", "clue")
        .prefetch_related("clue__persons")
        .order_by("-month", "-pk")[:100]
    )
    shown = [
        {
            "region": c.region,
            "month": c.month,
            "text": services.public_names(c.text, [p.name for p in c.clue.persons.all()]),
        }
        for c in typical
    ]
    # An exposure is shown by its facts only (date, channel, counts): the clues' summaries were
    # not written for the public.
    exposures = (
        Exposure.objects.filter(published_at__isnull=False)
        .select_related("region")
        .order_by("-exposed_on", "-pk")[:100]
    )
    return render(request, "portal/cases.html", {"typical": shown, "exposures": exposures})
