from django.urls import path

from anju.households import base_views, case_views, review_views, views

app_name = "households"
urlpatterns = [
    path("", views.households, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("template.xlsx", views.template, name="template"),
    path("import/", views.import_page, name="import"),
    path("new/", views.household_new, name="new"),
    path("<int:pk>/people/", views.person_add, name="person_add"),
    path("<int:pk>/assessments/", views.assessment_add, name="assessment_add"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("<int:pk>/", views.household, name="household"),
    path("<int:pk>/unmask/", views.unmask, name="unmask"),
    path("<int:pk>/archive.pdf", views.archive_pdf, name="archive_pdf"),
    path("<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("visits/", views.visits_due, name="visits"),
    path("changes/", views.change_list, name="changes"),
    path("plates/", views.plates_missing, name="plates"),
    path("plates/<int:pk>.pdf", views.plate_pdf, name="plate_pdf"),
    path("plates/<int:pk>/installed/", views.plate_installed, name="plate_installed"),
    path("<int:pk>/plates/", views.plate_issue, name="plate_issue"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("<int:pk>/changes/", views.change_propose, name="change_propose"),
    path("renovations/<int:pk>/step/", views.renovation_step, name="renovation_step"),
    path("renovations/<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("cases/", case_views.case_list, name="cases"),
    path("<int:pk>/cases/", case_views.case_open, name="case_open"),
    path("<int:pk>/cases/<int:case>/relocation/", case_views.relocation_step, name="relocation"),
    path("<int:pk>/renovations/", case_views.renovation_open, name="renovation_open"),
    path(
        "<int:pk>/visits/<int:visit>/renovation/",
        case_views.renovation_from_visit,
        name="renovation_from_visit",
    ),
    path("<int:pk>/complete/", case_views.household_complete, name="complete"),
    path("<int:pk>/place/", case_views.household_place, name="place"),
    path("<int:pk>/reviews/", review_views.review_add, name="review_add"),
    path("reviews/", review_views.village_reviews, name="reviews"),
    path("base-villages/", base_views.base_villages, name="base_villages"),
]
