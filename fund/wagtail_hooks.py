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


@hooks.register("register_admin_urls")
def register_bank_reconciliation_urls():
    from . import bank_views as v

    urls = [
        path("", v.reconciliation, name="reconciliation"),
        path("import/", v.statement_import, name="statement_import"),
        path("lines/<int:pk>/match/", v.line_match, name="line_match"),
        path("lines/<int:pk>/unmatch/", v.line_unmatch, name="line_unmatch"),
        path("funds/<int:fund_pk>/close/", v.period_close, name="period_close"),
    ]
    return [path("bank/", include((urls, "fund_bank"), namespace="fund_bank"))]
