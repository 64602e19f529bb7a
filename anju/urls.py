from django.urls import include, path

from anju import views
from anju.accounts import views as account_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("accounts/otp/", account_views.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", account_views.otp_setup, name="otp_setup"),
    path("users/", include("anju.accounts.urls")),
    path("units/", include("anju.accounts.unit_urls")),
    path("regions/", include("anju.regions.urls")),
    path("audit/", include("anju.audit.urls")),
    path("reports/", include("anju.reporting.urls")),
    path("clues/", include("anju.oversight.urls")),
    path("households/", include("anju.households.urls")),
    path("crosscheck/", include("anju.crosscheck.urls")),
    path("portal/", include("anju.portal.urls")),
    path("overview/", include("anju.dashboard.urls")),
    path("assessment-tasks/", include("anju.assessments.urls")),
    path("cadres/", include("anju.cadres.urls")),
    path("spotchecks/", include("anju.spotchecks.urls")),
    path("campaigns/", include("anju.campaigns.urls")),
    path("workbench/", include("anju.workbench.urls")),
    path("guide/", include("anju.guide.urls")),
    path("notifications/", include("anju.notifications.urls")),
    path("api/v1/", include("anju.api.urls")),
    path("tokens/", include("anju.api.token_urls")),
]

handler403 = "anju.errors.forbidden"
handler404 = "anju.errors.not_found"
handler500 = "anju.errors.server_error"
