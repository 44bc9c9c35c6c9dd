from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("", views.award_list, name="award_list"),
    path("<int:pk>/", views.award_detail, name="award_detail"),
    path("<int:pk>/agreement.pdf", views.award_agreement, name="award_agreement"),
    path("<int:pk>/accept/", views.award_accept, name="award_accept"),
    path("<int:pk>/decline/", views.award_decline, name="award_decline"),
    path("bank-details/<slug:slug>/", views.bank_details, name="bank_details"),
    path("bank-details/<slug:slug>/change/", views.bank_details_edit, name="bank_details_edit"),
]
