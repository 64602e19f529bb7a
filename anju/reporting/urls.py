from django.urls import path

from anju.reporting import views

app_name = "reporting"
urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/save/", views.contact_save, name="contact_save"),
    path("contacts/annex3.xlsx", views.annex3_export, name="annex3"),
]
