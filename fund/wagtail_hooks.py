from django.urls import include, path
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_ledger_admin_urls():
    from . import admin_views

    urls = [
        path("", admin_views.ledger, name="ledger"),
        path("<int:pk>/", admin_views.transaction_detail, name="transaction_detail"),
        path("export/<int:fund_pk>.csv", admin_views.ledger_csv, name="ledger_csv"),
    ]
    return [path("ledger/", include((urls, "fund_admin"), namespace="fund_admin"))]
