from django.urls import path

from anju.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.users, name="users"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user"),
    path("<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("<int:pk>/active/", views.user_active, name="user_active"),
    path("<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("<int:pk>/reset-otp/", views.user_reset_otp, name="user_reset_otp"),
    path("<int:pk>/enrol-code/", views.user_enrol_code, name="user_enrol_code"),
]
