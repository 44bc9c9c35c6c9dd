from django.urls import path

from . import i18n_views, views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-data/", views.my_data, name="my_data"),
    path("preferences/", i18n_views.preferences, name="preferences"),
    path("my-data/download.json", views.my_data_json, name="my_data_json"),
    path("my-data/download.pdf", views.my_data_pdf, name="my_data_pdf"),
]
