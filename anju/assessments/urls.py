from django.urls import path

from anju.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("export/", views.export, name="export"),
    path("escalate/", views.escalate, name="escalate"),
]
