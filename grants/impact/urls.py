from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/stories/", views.story_create, name="story_create"),
    path("<int:pk>/stories/<int:story_pk>/photo/", views.story_photo_member, name="story_photo_member"),
    path("<int:pk>/files/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/files/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("stories/<int:story_pk>/photo/", views.story_photo, name="story_photo"),
]
