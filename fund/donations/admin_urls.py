from django.urls import path

from . import admin_money_views, admin_views

urlpatterns = [
    path("", admin_views.donation_list, name="list"),
    path("export/<str:fmt>/", admin_views.donation_export, name="export"),
    path("<int:pk>/", admin_views.donation_detail, name="detail"),
    path("<int:pk>/sale/", admin_views.offline_gift_sale, name="noncash_sale"),
    path("donors/<int:pk>/", admin_views.donor_detail, name="donor"),
    path("offline/", admin_views.offline_gift_create, name="offline"),
    path("pledges/", admin_views.pledge_list, name="pledges"),
    path("pledges/new/", admin_views.pledge_create, name="pledge_create"),
    path("pledges/instalments/<int:pk>/pay/", admin_views.instalment_pay, name="instalment_pay"),
    path("receipts/<int:pk>/reissue/", admin_views.receipt_reissue, name="receipt_reissue"),
    path("receipts/<int:pk>/resend/", admin_views.receipt_resend, name="receipt_resend"),
    path("receipts/<int:pk>/download/", admin_views.receipt_download, name="receipt_download"),
    path("events/", admin_views.event_list, name="events"),
    path("events/<int:pk>/replay/", admin_views.event_replay, name="event_replay"),
    path("statements/", admin_views.statement_runs, name="statements"),
    path("statements/progress.json", admin_views.statement_progress, name="statement_progress"),
    path("statements/<int:pk>/resume/", admin_views.statement_resume, name="statement_resume"),
    path("payouts/", admin_money_views.payout_list, name="payouts"),
    path("payouts/<int:pk>/", admin_money_views.payout_detail, name="payout_detail"),
    path("pledges/<int:pk>/cancel/", admin_money_views.pledge_cancel, name="pledge_cancel"),
    path("<int:pk>/void/", admin_money_views.offline_gift_void, name="void"),
    path("<int:pk>/refund/", admin_money_views.refund_create, name="refund"),
    path("refunds/", admin_money_views.refund_requests, name="refunds"),
    path("refunds/<int:pk>/<str:decision>/", admin_money_views.refund_decide, name="refund_decide"),
]
