"""The directory of units (单位通讯录): every participating unit of the region with its leader in
charge and contacts, printable as the seed's contact table; each unit keeps its own entry."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju.accounts import services
from anju.accounts.access import (
    Perm,
    access_region,
    access_unit,
    has_perm,
    staff_view,
    unit_of,
    units_visible_to,
)
from anju.accounts.forms import UnitForm
from anju.accounts.models import Unit


class UnitEntryForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = list(services.UNIT_ENTRY_FIELDS)


@staff_view(Perm.VIEW_UNITS)
def directory(request):
    return _directory(request, UnitForm(initial={"region_code": request.user.region_id}))


def _directory(request, new_form, status=200):
    units = units_visible_to(request.user).select_related("region")
    own = unit_of(request.user) if has_perm(request.user, Perm.EDIT_OWN_UNIT) else None
    return render(
        request,
        "accounts/units.html",
        {
            "units": units,
            "own": own,
            "new_form": new_form if has_perm(request.user, Perm.MANAGE_UNITS) else None,
        },
        status=status,
    )


@require_POST
@staff_view(Perm.MANAGE_UNITS)
def unit_new(request):
    form = UnitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            region = access_region(request.user, data["region_code"].ljust(12, "0"))
            unit = services.unit_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                region=region,
                is_lead=data["is_lead"],
                duty=data["duty"],
            )
        except ValidationError as error:
            messages.error(request, "未登记：" + "；".join(error.messages))
        else:
            messages.success(request, f"已登记单位：{unit.name}。")
            return redirect("units:directory")
    else:
        errors = [f"{form[f].label}：{e}" for f, errs in form.errors.items() for e in errs]
        messages.error(request, "未登记：" + "；".join(errors))
    return _directory(request, form, status=400)


@staff_view(Perm.EDIT_OWN_UNIT)
def unit_edit(request, pk: int):
    unit = access_unit(request.user, pk, edit=True)
    form = UnitEntryForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_entry_update(actor=request.user, unit=unit, values=form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "未保存：" + "；".join(error.messages))
        else:
            messages.success(request, f"已更新{unit.name}的通讯录。")
            return redirect("units:directory")
    return render(request, "accounts/unit_edit.html", {"unit": unit, "form": form})
