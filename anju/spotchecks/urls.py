from django.urls import path

from anju.spotchecks import views

app_name = "spotchecks"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("new/", views.plan_new, name="plan_new"),
    path("results/", views.results, name="results"),
    path("results/export/", views.results_export, name="results_export"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/draw/", views.plan_draw, name="plan_draw"),
    path("<int:pk>/verify/", views.plan_verify, name="plan_verify"),
    path("<int:pk>/assign/", views.plan_assign, name="plan_assign"),
    path("<int:pk>/close/", views.plan_close, name="plan_close"),
    path("houses/<int:pk>/", views.house, name="house"),
    path("houses/<int:pk>/record/", views.house_record, name="house_record"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("results/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]
