"""The directory of units (单位通讯录): every participating unit of the region with its leader in
charge and contacts, printable as the seed's contact table; each unit keeps its own entry."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from anju.accounts import services
from anju.accounts.access import Perm, access_unit, staff_view, unit_of, units_visible_to
from anju.accounts.models import Unit


class UnitEntryForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = list(services.UNIT_ENTRY_FIELDS)


@staff_view(Perm.VIEW_UNITS)
def directory(request):
    units = units_visible_to(request.user).select_related("region")
    own = unit_of(request.user)
    return render(
        request,
        "accounts/units.html",
        {
            "units": units,
            "own": own,
            "form": UnitEntryForm(instance=own) if own is not None else None,
        },
    )


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
