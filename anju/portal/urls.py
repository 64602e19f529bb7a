from django.urls import path

from anju.portal import staff, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/challenge.png", views.challenge, name="challenge"),
    path("track/", views.track, name="track"),
    path("track/status/", views.status, name="status"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("plate/<str:token>/", views.plate, name="plate"),
    path("responsibilities/", views.responsibilities, name="responsibilities"),
    path("hotlines/", views.hotlines, name="hotlines"),
    path("cases/", views.cases, name="cases"),
    path("staff/district/", staff.district, name="district"),
    path("staff/responsibilities/", staff.page_edit, name="page_edit"),
    path("staff/reports/<int:pk>/reporter/", staff.reporter, name="staff_reporter"),
    path("staff/reports/<int:pk>/reply/", staff.reply, name="staff_reply"),
    path("staff/photos/<int:pk>/", staff.photo, name="staff_photo"),
]
