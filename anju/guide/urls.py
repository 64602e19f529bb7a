from django.urls import path

from anju.guide import views

app_name = "guide"
urlpatterns = [
    path("", views.index, name="index"),
    path("figures/", views.figures, name="figures"),
    path("<slug:role>/", views.role, name="role"),
]
