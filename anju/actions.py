"""The shape every POST view shares: check the form, call one service, say how it went in
Chinese, go back. Services raise ValidationError with the message the user should read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


def named_errors(form) -> list[str]:
    """Each of the form's errors with the label of its field in front (“追缴资金（万元）：请输入
    数字”): Django's own messages do not say which field they are about."""
    named = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        named += [f"{label}：{e}" if label else str(e) for e in errors]
    return named


def errors_onto(form, error: ValidationError) -> None:
    """A service's refusal onto the form: each message under the field it names (a
    ValidationError with a dict), the rest on top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, ValidationError(errors).messages)
    else:
        form.add_error(None, error.messages)


def form_errors(request, form) -> None:
    messages.error(request, "未保存：" + " ".join(named_errors(form)))
    keep(request, form)


def keep(request, form, back=None) -> None:
    """Keep what was typed into `form` for the page the user is sent back to (`back`, else the
    page the form was posted from): `kept` binds that page's next form of the same class to it
    (once), so no value is lost to a refusal."""
    from urllib.parse import urlsplit

    from django.shortcuts import resolve_url

    if not hasattr(request, "session"):
        return
    page = resolve_url(back) if back is not None else request.headers.get("Referer", "")
    data = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    request.session["kept_form"] = {
        "form": type(form).__name__,
        "page": urlsplit(str(page)).path,
        "data": data,
    }


def kept(request, form_class, **kwargs):
    """A new `form_class` form, bound to what the user typed into the last one of its class
    that was refused (its errors shown again), or unbound with `kwargs` (initial=...)."""
    from django.http import QueryDict

    stash = getattr(request, "session", {}).get("kept_form")
    if stash and stash["form"] == form_class.__name__ and stash["page"] == request.path:
        del request.session["kept_form"]
        data = QueryDict(mutable=True)
        for key, values in stash["data"].items():
            data.setlist(key, values)
        form = form_class(data, **{k: v for k, v in kwargs.items() if k != "initial"})
        form.is_valid()
        return form
    return form_class(**kwargs)


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
    """As `run`, with the form's cleaned data, once the form is valid. Refused (by the form or
    by the service), what was typed is kept for the page it goes back to (`kept`)."""
    if not form.is_valid():
        messages.error(request, "未保存：" + " ".join(named_errors(form)))
        keep(request, form, back)
        return redirect(back)
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(named_messages(form, error)))
        keep(request, form, back)
    else:
        messages.success(request, success)
    return redirect(back)


def named_messages(form, error: ValidationError) -> list[str]:
    """A service's refusal, each message under the label of the field it names, if any."""
    if not hasattr(error, "error_dict"):
        return error.messages
    named = []
    for name, errors in error.error_dict.items():
        field = form.fields.get(name)
        for message in ValidationError(errors).messages:
            named.append(f"{field.label}：{message}" if field is not None else message)
    return named


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
    context = {
        "title": title,
        "query": kept.urlencode(),
        "can_unmask": can_unmask,
        # Posted without a reason: say so on the field (the box for full numbers kept).
        "missing": request.method == "POST",
        "full": export_full(request),
    }
    return render(request, "includes/export_reason.html", context)
