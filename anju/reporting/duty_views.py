"""报送要求: which units owe which report to whom, read by everyone who reports, set by the
receiving office (the city, or a county's housing bureau) for its own region."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from anju.accounts.access import Perm, has_perm, staff_view
from anju.regions.models import Level
from anju.reporting.deadlines import due_day
from anju.reporting.duties import Duty, duty_for, report_duty_set, reporters_of
from anju.reporting.models import ReportDuty, Reporters, ReportKind


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label="报表", choices=ReportKind.choices)
    reporters = forms.ChoiceField(label="报送单位", choices=Reporters.choices)
    recipient = forms.CharField(
        label="报送对象", max_length=50, help_text="报表上写的收报单位，例如“漳平市住建局”。"
    )


@staff_view(Perm.VIEW_REPORTS)
def duties(request):
    region = request.user.region
    can_set = has_perm(request.user, Perm.SET_REPORT_DUTIES) and region.level in (
        Level.PROVINCE,
        Level.CITY,
        Level.COUNTY,
    )
    form = DutyForm(request.POST or None)
    if can_set and region.level == Level.COUNTY:
        form.fields["reporters"].choices = [
            c for c in Reporters.choices if c[0] != Reporters.DISTRICTS
        ]
    if request.method == "POST":
        if not can_set:
            messages.error(request, "您的角色无权设置报送要求。")
            return redirect("reporting:duties")
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_duty_set(actor=request.user, region=region, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已设置「{ReportKind(data['kind']).label}」的报送要求。")
                return redirect("reporting:duties")
    rows = []
    set_here = {d.kind: d for d in ReportDuty.objects.filter(region=region)}
    for kind in ReportKind:
        here = set_here.get(kind)
        if here is not None:
            duty = Duty(kind, here.reporters, here.recipient, region.code, True)
        else:
            duty = duty_for(kind, region)
        owing = [r for r in reporters_of(kind, region) if r.receiving == region.code]
        if here is not None:
            source = "本级设置"
        elif duty.configured:
            source = "上级设置"
        else:
            source = "默认（按文件要求）"
        rows.append(
            {
                "kind": kind,
                "duty": duty,
                "due_day": due_day(kind),
                "source": source,
                "owing": owing,
            }
        )
    return render(
        request,
        "reporting/duties.html",
        {"rows": rows, "form": form, "can_set": can_set, "region": region},
        status=400 if form.errors else 200,
    )
