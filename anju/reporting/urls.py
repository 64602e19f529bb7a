from django.urls import path

from anju.reporting import duty_views, report_views, unit_report_views, views

app_name = "reporting"
urlpatterns = [
    path("", report_views.reports, name="reports"),
    path("prepare/", report_views.prepare, name="prepare"),
    path("board/", report_views.board, name="board"),
    path("summary/<str:kind>.xlsx", report_views.city_summary, name="summary"),
    path("upload/", report_views.upload, name="upload"),
    path("upload/<int:pk>/", report_views.upload_review, name="upload_review"),
    path("upload/<int:pk>/accept/", report_views.upload_accept, name="upload_accept"),
    path("<int:pk>/", report_views.report, name="report"),
    path("<int:pk>/sign-off/", report_views.sign_off, name="sign_off"),
    path("<int:pk>/submit/", report_views.submit, name="submit"),
    path("<int:pk>/return/", report_views.send_back, name="return"),
    path("<int:pk>/correct/", report_views.correct, name="correct"),
    path("<int:pk>/acknowledge/", report_views.acknowledge, name="acknowledge"),
    path("<int:pk>/scan/", report_views.scan, name="scan"),
    path("<int:pk>/file.xlsx", report_views.download, name="download"),
    path("<int:pk>/report.docx", report_views.document, name="document"),
    path("duties/", duty_views.duties, name="duties"),
    path("units/", unit_report_views.unit_reports_page, name="unit_reports"),
    path("units/file/", unit_report_views.unit_report_file, name="unit_report_file"),
    path("units/<int:pk>/", unit_report_views.unit_report, name="unit_report"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/save/", views.contact_save, name="contact_save"),
    path("contacts/annex3.xlsx", views.annex3_export, name="annex3"),
]
