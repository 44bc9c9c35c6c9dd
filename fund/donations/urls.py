from django.urls import path

from . import views

app_name = "donations"
urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("donate/thanks/", views.thanks, name="thanks"),
    path("donor/", views.donor_home, name="donor_home"),
    path("donor/receipts/<int:pk>/", views.donor_receipt, name="donor_receipt"),
    path("donor/statement/", views.donor_statement, name="donor_statement"),
    path("donor/address/", views.donor_address, name="donor_address"),
    path("donor/monthly/<int:pk>/manage/", views.donor_manage_recurring, name="donor_manage_recurring"),
]
