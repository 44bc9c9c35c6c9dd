"""Demo: who applies and signs for each organisation. Shared by the grants, awards and impact demos."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from applicants.models import Membership
from portal import roles
from portal.demo import SET_UP, at

GRANTEE_CONTACTS = [
    ("Maria", "Alvarez"),
    ("Devon", "Brooks"),
    ("Aiyana", "Redcloud"),
    ("Luis", "Moreno"),
    ("Grace", "Okafor"),
    ("Tom", "Nguyen"),
    ("Beth", "Kaminski"),
    ("Andre", "Wallace"),
    ("Nina", "Patel"),
]


def organisation_owner(ctx, organisation):
    """The organisation's first owner; an organisation seeded without one gets a contact who applies and signs for
    it (unusable password: the demo logins are the applicant users)."""
    membership = organisation.memberships.filter(role="owner").select_related("user").order_by("pk").first()
    if membership:
        return membership.user
    first, last = GRANTEE_CONTACTS[sum(map(ord, organisation.slug)) % len(GRANTEE_CONTACTS)]
    with at(ctx, SET_UP):  # they registered with their organisation
        user, created = get_user_model().objects.get_or_create(
            email=f"grantee.{organisation.slug}@demo.millbrook-fund.example",
            defaults={"first_name": first, "last_name": last},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.OWNER})
    user.groups.add(Group.objects.get(name=roles.APPLICANT))
    ctx.note("grantee contacts", created)
    return user
