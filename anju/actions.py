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
    """The reason given for an export of personal data (kept in the audit log and on the
    watermark), or None when the user has not given one yet. Only from a POST: an export writes
    an audit entry and may carry full numbers, so it is never done by following a link (a
    cross-site link could otherwise make a reviewer export, with the linker's words as reason);
    the POST carries Django's CSRF token."""
    if request.method != "POST":
        return None
    reason = " ".join(request.POST.get("reason", "").split())[:100]
    return reason or None


def export_full(request) -> bool:
    """Whether the export was asked with full numbers (the form's box; POST only). The caller
    still checks the user's right to unmask."""
    return request.method == "POST" and request.POST.get("full") == "1"


def ask_export_reason(request, title: str, *, can_unmask: bool = False):
    """The small form that asks why (posted, with the CSRF token), keeping the list's filters in
    its address; with a box for full numbers if the user may unmask."""
    from django.shortcuts import render

    kept = request.GET.copy()
    for name in ("reason", "full"):
        kept.pop(name, None)
    context = {"title": title, "query": kept.urlencode(), "can_unmask": can_unmask}
    return render(request, "includes/export_reason.html", context)
