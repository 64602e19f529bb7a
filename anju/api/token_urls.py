from django.urls import path

from anju.api import staff

app_name = "tokens"
urlpatterns = [
    path("", staff.tokens, name="list"),
    path("new/", staff.token_new, name="create"),
    path("<int:pk>/revoke/", staff.token_revoke, name="revoke"),
]
