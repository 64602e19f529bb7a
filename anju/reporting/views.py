from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, access_region, active_region, has_perm, staff_view
from anju.audit.models import Action
from anju.audit.services import audit
from anju.reporting import services
from anju.reporting.access import contacts_visible_to
from anju.reporting.annexes import Signature
from anju.reporting.forms import ContactForm
from anju.reporting.layout import write_annex3
from anju.reporting.queries import annex3_rows, contact_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(Perm.VIEW_CONTACTS)
def contacts(request):
    region = active_region(request)
    table = contact_table(region, contacts_visible_to(request.user))
    return render(
        request,
        "reporting/contacts.html",
        {
            "region": region,
            "table": table,
            "can_edit": has_perm(request.user, Perm.EDIT_CONTACTS),
            "form": ContactForm(),
        },
    )


@require_POST
@staff_view(Perm.EDIT_CONTACTS)
def contact_save(request):
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        region = access_region(request.user, data["region_code"])
        try:
            services.contact_set(
                actor=request.user,
                region=region,
                role=data["role"],
                name=data["name"],
                unit_post=data["unit_post"],
                mobile=data["mobile"],
                published=data["published"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "联络人已保存。")
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "未保存：" + " ".join(errors))
    return redirect("reporting:contacts")


@staff_view(Perm.VIEW_CONTACTS)
def annex3_export(request):
    region = active_region(request)
    rows = annex3_rows(region, contacts_visible_to(request.user))
    today = timezone.localdate()
    sig = Signature(unit=region.name, filled_on=f"{today.year}年{today.month}月{today.day}日")
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="reporting.annex3",
        region_code=region.code,
        note=f"附件3 联络人名单，{len(rows)} 人",
    )
    response = HttpResponse(write_annex3(rows, sig), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''annex3.xlsx"
    return response
