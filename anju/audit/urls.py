from django.urls import path

from anju.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entries, name="list"),
    path("<int:pk>/", views.entry, name="entry"),
]
