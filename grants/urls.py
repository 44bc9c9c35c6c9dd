from django.urls import path

from . import views

app_name = "grants"
urlpatterns = [
    path("apply/<slug:slug>/", views.round_eligibility, name="round_eligibility"),
    path("apply/<slug:slug>/start/", views.application_start, name="application_start"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/step/<int:step>/", views.application_step, name="application_step"),
    path("applications/<int:pk>/step/<int:step>/autosave/", views.application_autosave, name="application_autosave"),
    path("applications/<int:pk>/submit/", views.application_review, name="application_review"),
    path("applications/<int:pk>/pdf/", views.application_pdf_download, name="application_pdf"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/messages/", views.message_create, name="message_create"),
    path("applications/<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("applications/<int:pk>/files/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
