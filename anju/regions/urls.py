from django.urls import path

from anju.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("switch/", views.switch, name="switch"),
    path("tree/", views.tree, name="tree"),
    path("<str:code>/", views.detail, name="detail"),
]
