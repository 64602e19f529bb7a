from django.urls import path

from anju.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/observe/", views.observe, name="observe"),
    path("observations/", views.observations, name="observations"),
    path("observations/<int:pk>/", views.observation, name="observation"),
    path("observations/<int:pk>/item/", views.open_item, name="open_item"),
    path("observations/<int:pk>/close/", views.close, name="close"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assign, name="assign"),
    path("assignments/<int:pk>/delete/", views.unassign, name="unassign"),
]
