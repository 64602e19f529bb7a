from django.urls import path

from anju.accounts import unit_views

app_name = "units"
urlpatterns = [
    path("", unit_views.directory, name="directory"),
    path("new/", unit_views.unit_new, name="new"),
    path("<int:pk>/edit/", unit_views.unit_edit, name="edit"),
]
