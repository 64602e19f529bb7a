from django.urls import path

from anju.workbench import views

app_name = "workbench"
urlpatterns = [
    path("seen/", views.seen, name="seen"),
]
