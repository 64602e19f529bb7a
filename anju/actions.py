"""The shape every POST view shares: check the form, call one service, say how it went in
Chinese, go back. Services raise ValidationError with the message the user should read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def form_errors(request, form) -> None:
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, "未保存：" + " ".join(errors))


def run(request, call, success: str, back):
    """Call the service; its refusal becomes an error message, its success a success one."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(back)


def run_form(request, form, call, success: str, back):
    """As `run`, with the form's cleaned data, once the form is valid."""
    if not form.is_valid():
        form_errors(request, form)
        return redirect(back)
    return run(request, lambda: call(form.cleaned_data), success, back)


def export_reason(request) -> str | None:
    """The reason given for an export of personal data (?reason=…, kept in the audit log and
    on the watermark), or None when the user has not given one yet."""
    reason = " ".join(request.GET.get("reason", "").split())[:100]
    return reason or None


def ask_export_reason(request, title: str):
    """The small form that asks why, keeping the list's filters."""
    from django.shortcuts import render

    kept = [(k, v) for k, values in request.GET.lists() if k != "reason" for v in values]
    return render(request, "includes/export_reason.html", {"title": title, "kept": kept})
