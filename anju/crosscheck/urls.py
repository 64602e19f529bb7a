from django.urls import path

from anju.crosscheck import views

app_name = "crosscheck"
urlpatterns = [
    path("", views.findings, name="findings"),
    path("export.xlsx", views.export, name="export"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("findings/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("runs/", views.runs, name="runs"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("lists/", views.lists, name="lists"),
    path("lists/template/<str:kind>.xlsx", views.list_template, name="list_template"),
]
