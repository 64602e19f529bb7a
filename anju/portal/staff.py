"""Staff side of portal reports, on the clue page: the photos, the public reply, and — for
discipline inspection only, every time audited — who the reporter is."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, staff_view
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crypto import unseal
from anju.portal import services
from anju.portal.access import access_public_report, public_reports_visible_to
from anju.portal.models import ReportPhoto


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
