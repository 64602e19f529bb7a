from django.urls import path

from anju.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("track/", views.track, name="track"),
    path("track/status/", views.status, name="status"),
    path("disclosure/", views.disclosure, name="disclosure"),
]
