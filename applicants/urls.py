from django.urls import path

from . import views

app_name = "applicants"
urlpatterns = [
    path("new/", views.organisation_create, name="organisation_create"),
    path("switch/", views.organisation_switch, name="organisation_switch"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<slug:slug>/my-emails/", views.membership_preferences, name="membership_preferences"),
    path("<slug:slug>/invite/", views.invitation_create, name="invitation_create"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path(
        "<slug:slug>/invitations/<int:pk>/confirm-owner/",
        views.invitation_confirm_owner,
        name="invitation_confirm_owner",
    ),
    path("<slug:slug>/members/<int:pk>/role/", views.member_change_role, name="member_change_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
