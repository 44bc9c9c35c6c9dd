"""Erasing a donor (portal.erasure): the donor record is pseudonymised; a gift keeps the name and address it was
receipted under only when tax law needs them (an issued receipt, a Gift Aid declaration)."""

from django.db.models import Q

from .models import Donation, Donor, Receipt


def donor_erase(person):
    match = Q(email__iexact=person.email)
    if person.user is not None:
        match |= Q(user=person.user)
    donors = list(Donor.objects.filter(match))
    for donor in donors:
        person.add_name(donor.name)
        person.add_email(donor.email)
        person.add_address_line(donor.address_line1)
        person.add_address_line(donor.address_line2)
        receipted = set(
            Receipt.objects.filter(donation__donor=donor, status=Receipt.Status.ISSUED).values_list(
                "donation_id", flat=True
            )
        )
        kept = set(receipted) | set(Donation.objects.filter(donor=donor, gift_aid=True).values_list("pk", flat=True))
        for pk in kept:
            person.keep[(Donation, pk)] = ("donor_name", "donor_address")
        Donation.objects.filter(donor=donor).exclude(pk__in=kept).update(donor_name=person.pseudonym, donor_address="")
        Donor.objects.filter(pk=donor.pk).update(
            name=person.pseudonym,
            email=person.pseudonym_email if len(donors) == 1 else f"{donor.pk}-{person.pseudonym_email}",
            address_line1="",
            address_line2="",
            city="",
            region="",
            postal_code="",
            user=None,
        )
