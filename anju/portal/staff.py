"""Staff side of portal reports, on the clue page: the photos, the public reply, and — for
discipline inspection only, every time audited — who the reporter is."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, has_perm, staff_view
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crypto import unseal
from anju.oversight import services as ledger
from anju.oversight.models import Exposure, TypicalCase
from anju.portal import services
from anju.portal.access import access_public_report, public_reports_visible_to
from anju.portal.models import Duty, ReportPhoto
from anju.regions.models import Level
from anju.reporting import services as contacts
from anju.reporting.models import Hotline


@require_POST
@staff_view(Perm.VIEW_REPORTERS)
def reporter(request, pk: int):
    item = access_public_report(request.user, pk, perm=Perm.VIEW_REPORTERS)
    audit(
        actor=request.user,
        action=Action.UNMASK,
        obj=item,
        region_code=item.region_id,
        note=f"查看公众举报人信息（线索 {item.clue.number}）",
    )
    response = render(
        request,
        "portal/_reporter.html",
        {
            "item": item,
            "name": unseal(item.reporter_name, "portal.reporter_name"),
            "phone": unseal(item.reporter_phone, "portal.reporter_phone"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_view(Perm.HANDLE_CLUES)
def reply(request, pk: int):
    item = access_public_report(request.user, pk, perm=Perm.HANDLE_CLUES)
    try:
        services.reply(actor=request.user, report=item, text=request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "答复已保存，举报人凭查询码可以看到。")
    return redirect("oversight:clue", pk=item.clue_id)


@staff_view(Perm.VIEW_CLUES)
def photo(request, pk: int):
    found = ReportPhoto.objects.filter(
        pk=pk, report__in=public_reports_visible_to(request.user)
    ).first()
    if found is None:
        raise Http404("没有找到该照片。")
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "no-store"
    return response


@staff_view(Perm.EDIT_PORTAL)
def page_edit(request):
    from anju.portal.models import PortalPage

    page = PortalPage.objects.filter(slug=services.RESPONSIBILITIES).first()
    if request.method == "POST":
        try:
            services.page_save(
                actor=request.user,
                slug=services.RESPONSIBILITIES,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "已发布到门户。")
            return redirect("portal:responsibilities")
    return render(request, "portal/page_edit.html", {"page": page})


def _district(request):
    """The county whose public information the user keeps: their own."""
    region = request.user.region
    if region is None or region.level != Level.COUNTY:
        raise Http404("门户公开信息由区县填报。")
    return region


@staff_view(Perm.EDIT_CONTACTS)
def district(request):
    """A district's public information on the portal, in plain forms: its hotlines (landline
    or mobile, with the hours they are answered), its 权力责任清单 line by line, and which of
    its typical cases and exposures are published on the 通报 page."""

    region = _district(request)
    kept: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        try:
            if action == "hotline_add":
                contacts.hotline_add(
                    actor=request.user,
                    region=region,
                    number=post.get("number", ""),
                    hours=post.get("hours", ""),
                    label=post.get("label", ""),
                )
                done = "举报电话已公布，本区县新印的安全牌印第一个电话。"
            elif action == "hotline_remove":
                hotline = get_object_or_404(Hotline, pk=post.get("pk") or 0, region=region)
                contacts.hotline_remove(actor=request.user, hotline=hotline)
                done = "举报电话已撤下。"
            elif action == "duty_add":
                services.duty_add(
                    actor=request.user,
                    region=region,
                    matter=post.get("matter", ""),
                    unit=post.get("unit", ""),
                    contact=post.get("contact", ""),
                )
                done = "清单事项已公布。"
            elif action == "duty_remove":
                duty = get_object_or_404(Duty, pk=post.get("pk") or 0, region=region)
                services.duty_remove(actor=request.user, duty=duty)
                done = "清单事项已删除。"
            elif action in ("typical", "exposure"):
                model = TypicalCase if action == "typical" else Exposure
                case = get_object_or_404(model, pk=post.get("pk") or 0, region=region)
                ledger.case_publish(actor=request.user, case=case, public=post.get("public") == "1")
                done = "已在门户公开。" if post.get("public") == "1" else "已撤回公开。"
            else:
                raise ValidationError("请选择要做的操作。")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            kept = {
                k: post.get(k, "")
                for k in ("number", "hours", "label", "matter", "unit", "contact")
            }
            kept["action"] = action
        else:
            messages.success(request, done)
            return redirect("portal:district")
    return render(
        request,
        "portal/district.html",
        {
            "region": region,
            "kept": kept,
            "hotlines": Hotline.objects.filter(region=region),
            "duties": Duty.objects.filter(region=region),
            "typical": TypicalCase.objects.filter(region=region)
            .select_related("clue")
            .order_by("-month", "-pk")[:36],
            "exposures": Exposure.objects.filter(region=region).order_by("-exposed_on", "-pk")[:36],
            "may_publish": has_perm(request.user, Perm.RECORD_ACCOUNTABILITY),
        },
        status=400 if kept else 200,
    )
