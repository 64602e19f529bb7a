from django.urls import path

from anju.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.clues, name="clues"),
    path("export.xlsx", views.clues_export, name="clues_export"),
    path("new/", views.clue_new, name="clue_new"),
    path("send/", views.clue_send, name="clue_send"),
    path("supervision/", views.supervision, name="supervision"),
    path("definitions/", views.definitions, name="definitions"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/ack/", views.transfer_ack, name="transfer_ack"),
    path("transfers/<int:pk>/report/", views.transfer_report, name="transfer_report"),
    path("exposures/", views.exposures, name="exposures"),
    path("items/", views.items, name="items"),
    path("items/export.xlsx", views.items_export, name="items_export"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/done/", views.item_done, name="item_done"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("items/<int:pk>/review/", views.item_review, name="item_review"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/", views.clue, name="clue"),
    path("<int:pk>/act/", views.clue_act, name="clue_act"),
    path("<int:pk>/unmask/", views.clue_unmask, name="clue_unmask"),
    path("<int:pk>/edit/", views.clue_edit, name="clue_edit"),
    path("<int:pk>/merge/", views.clue_merge, name="clue_merge"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/transfer/", views.transfer_send, name="transfer_send"),
    path("<int:pk>/supervise/", views.supervise, name="supervise"),
    path("<int:pk>/sanctions/", views.sanction_add, name="sanction_add"),
    path("<int:pk>/typical/", views.typical_add, name="typical_add"),
]
