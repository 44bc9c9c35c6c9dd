import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from grants.awards import crypto
from grants.awards.models import BankDetails
from tests.factories.awards import give_bank_details

pytestmark = pytest.mark.django_db


def test_bank_details_survive_key_rotation(application, owner, finance_1, settings):
    from grants.awards.services import bank_details_reveal

    details = give_bank_details(application.organisation, owner, account="5550001234")
    old_key = settings.BANK_DETAILS_KEYS[0]
    new_key = Fernet.generate_key().decode()

    with override_settings(BANK_DETAILS_KEYS=[new_key, old_key]):
        call_command("rotate_bank_details_key")
    with override_settings(BANK_DETAILS_KEYS=[new_key]):
        details = BankDetails.objects.get(pk=details.pk)
        assert bank_details_reveal(details=details, by=finance_1, purpose="test")["account_number"] == "5550001234"


def test_without_keys_bank_details_cannot_be_stored():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(BANK_DETAILS_KEYS=[]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("123")


def test_staff_who_are_not_finance_cannot_decrypt(application, owner, staff):
    from django.core.exceptions import PermissionDenied

    from grants.awards.services import bank_details_reveal

    details = give_bank_details(application.organisation, owner)
    with pytest.raises(PermissionDenied):
        bank_details_reveal(details=details, by=staff, purpose="curiosity")
