from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.my_reviews, name="my_reviews"),
    path("<int:pk>/conflict/", views.declare, name="declare"),
    path("<int:pk>/", views.score, name="score"),
    path("<int:pk>/recuse/", views.recuse, name="recuse"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
