from django.urls import path

from anju.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("<int:pk>/phases/", views.phase_add, name="phase_add"),
    path("<int:pk>/targets/", views.target_add, name="target_add"),
    path("<int:pk>/summary.docx", views.summary, name="summary"),
    path("<int:pk>/targets/<int:target>/households/", views.figure_households, name="figure"),
]
