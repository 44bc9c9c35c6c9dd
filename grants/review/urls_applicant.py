"""Applicant-facing decision URLs, under /applications/ next to grants.urls."""

from django.urls import path

from . import applicant_views

app_name = "decisions"
urlpatterns = [
    path("<int:pk>/decision-letter.pdf", applicant_views.decision_letter, name="letter"),
]
