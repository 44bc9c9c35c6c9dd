from django import forms
from django.forms import modelform_factory
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from portal.admin_policies import FinancePolicy

from .models import Fund

register_permission_policy(Fund, FinancePolicy(Fund), exact_class=True)


class FundForm(WagtailAdminModelForm):
    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        fund = self.instance
        if fund.pk and currency != Fund.objects.get(pk=fund.pk).currency and fund.transactions.exists():
            raise forms.ValidationError(_("The fund already has money on its ledger: its currency cannot change."))
        return currency


class FundViewSet(ModelViewSet):
    """Funds: their currency, legal identity (receipts, letters), and the bank account that pays grants. Created and
    edited by finance and administrators (each change in the history); never deleted, so the ledger stays whole."""

    model = Fund
    icon = "wallet"
    menu_label = _("Funds")
    menu_order = 900
    add_to_settings_menu = True
    form_fields = [
        "name",
        "slug",
        "currency",
        "description",
        "is_default",
        "jurisdiction",
        "legal_name",
        "charity_number",
        "address",
        "email",
        "website",
        "signatory_name",
        "signatory_title",
        "originator_name",
        "originator_id",
        "originating_bank_routing",
        "originating_account",
        "agreement_template",
        "award_offer_days",
    ]
    list_display = ["name", "currency", "jurisdiction", "is_default"]
    search_fields = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return modelform_factory(
            Fund, form=FundForm, formfield_callback=self.formfield_for_dbfield, fields=self.form_fields
        )


@hooks.register("register_admin_viewset")
def register_fund_viewset():
    return FundViewSet("funds")


@hooks.register("register_admin_urls")
def register_ledger_admin_urls():
    from . import admin_views

    urls = [
        path("", admin_views.ledger, name="ledger"),
        path("<int:pk>/", admin_views.transaction_detail, name="transaction_detail"),
        path("accounts/<int:pk>/", admin_views.account_detail, name="account"),
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
