from django.urls import path

from . import i18n_views, views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csrf/", views.csrf_token, name="csrf_token"),
    path("signed-in/", views.signed_in_again, name="signed_in_again"),
    path("my-data/", views.my_data, name="my_data"),
    path("preferences/", i18n_views.preferences, name="preferences"),
    path("my-data/download.json", views.my_data_json, name="my_data_json"),
    path("my-data/download.pdf", views.my_data_pdf, name="my_data_pdf"),
]
