"""Erasing a donor (portal.erasure): the donor record is pseudonymised; a gift keeps the name and address it was
receipted under only when tax law needs them (an issued receipt, a Gift Aid declaration). Stripe is asked to delete
the donor's customer record (their email, name and saved cards there) once the erasure has committed."""

from django.db.models import Q
from django_tasks import task

from portal.tasks import enqueue_on_commit, retry_later

from . import stripe_client
from .models import Donation, Donor, Receipt

STRIPE_DELETE_ATTEMPTS = 8


@task()
def stripe_customer_delete_task(customer_id: str, attempt: int = 1):
    try:
        stripe_client.customer_delete(customer_id)
    except Exception as exc:
        if retry_later(
            stripe_customer_delete_task,
            attempt=attempt,
            max_attempts=STRIPE_DELETE_ATTEMPTS,
            error=exc,
            args=(customer_id,),
        ):
            return "retrying"
        raise
    return "deleted"


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
        if donor.stripe_customer_id:
            enqueue_on_commit(stripe_customer_delete_task, donor.stripe_customer_id)
        Donor.objects.filter(pk=donor.pk).update(
            stripe_customer_id=None,
            name=person.pseudonym,
            email=person.pseudonym_email if len(donors) == 1 else f"{donor.pk}-{person.pseudonym_email}",
            address_line1="",
            address_line2="",
            city="",
            region="",
            postal_code="",
            user=None,
        )
