"""The staff page where a user creates and revokes their own API tokens (a signed-in session)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, staff_view
from anju.api import tokens as services
from anju.api.access import access_api_token, api_tokens_visible_to


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60)
    days = forms.TypedChoiceField(
        label="有效期",
        coerce=int,
        choices=[(d, f"{d} 天") for d in services.LIFETIMES],
        initial=90,
    )


def _page(request, form, raw=None, status=200):
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": api_tokens_visible_to(request.user), "raw": raw},
        status=status,
    )


@staff_view(Perm.USE_API)
def tokens(request):
    return _page(request, TokenForm())


@require_POST
@staff_view(Perm.USE_API)
def token_new(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            # Shown once, on this response only (no-store); only its hash is kept.
            return _page(request, TokenForm(), raw=raw)
    return _page(request, form, status=400)


@require_POST
@staff_view(Perm.USE_API)
def token_revoke(request, pk: int):
    token = access_api_token(request.user, pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"令牌 {token.prefix}… 已吊销。")
    return redirect("tokens:list")
