"""Donors: one per email, and the details they keep up to date."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from portal.audit import audit

from ..models import Donor

ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "region", "postal_code", "country"]


def donor_get_or_create(*, email: str, name: str, address: dict | None = None, user=None, language: str = "") -> Donor:
    """One donor per email. A stranger giving with someone's email never overwrites that donor's saved address, nor
    the language a donor's receipts are printed in (`language` is recorded for a new donor, or one with none)."""
    email = email.strip().lower()
    address = {k: v for k, v in (address or {}).items() if k in ADDRESS_FIELDS and v}
    language = language if language in {code for code, _name in settings.LANGUAGES} else ""
    try:
        with transaction.atomic():
            donor, created = Donor.objects.get_or_create(
                email=email, defaults={"name": name, "user": user, "language": language, **address}
            )
    except IntegrityError:
        donor, created = Donor.objects.get(email=email), False
    if not created and language and not donor.language:
        donor.language = language
        donor.save(update_fields=["language"])
    if not created and address and not donor.address_line1:
        for key, value in address.items():
            setattr(donor, key, value)
        donor.save(update_fields=list(address))
    return donor


def donor_update_address(*, donor: Donor, by, name: str, address: dict) -> Donor:
    with transaction.atomic():
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        donor.name = name
        for key in ADDRESS_FIELDS:
            setattr(donor, key, address.get(key, ""))
        donor.full_clean()
        donor.save(update_fields=["name", *ADDRESS_FIELDS])
        audit(donor, "donations.donor.update", user=by)
    return donor


def donor_link_user(*, donor: Donor, user) -> Donor:
    """Attach a signed-in user (whose verified email is the donor's) to the donor record."""
    with transaction.atomic():
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        if donor.user_id is None:
            donor.user = user
            donor.save(update_fields=["user"])
    return donor


def donor_account_for_code_login(*, email: str):
    """A donor who gave without an account asks for a sign-in code: give them an account (no password; the emailed
    code proves the address, and allauth marks it verified on sign-in) linked to their donor record, so their gifts
    are there. None when the email is no donor's, or the donor already has an account."""
    User = get_user_model()
    email = email.strip().lower()
    with transaction.atomic():
        donor = Donor.objects.select_for_update().filter(email=email, user__isnull=True).first()
        if donor is None or User.objects.filter(email__iexact=email).exists():
            return None
        first, _, last = (donor.name or "").partition(" ")
        user = User(email=email, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        donor.user = user
        donor.save(update_fields=["user"])
        audit(donor, "donations.donor.account_by_code", user=user)
    return user
