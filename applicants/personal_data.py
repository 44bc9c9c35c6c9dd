"""What the applicants app holds about a person: their memberships and the organisations' profiles (data rights)."""

from .models import Membership


def collect_memberships(user):
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("created_at", "pk")
    return [
        {
            "organisation": m.organisation.operating_name or m.organisation.legal_name,
            "legal_name": m.organisation.legal_name,
            "role": m.get_role_display(),
            "decision_emails": m.decision_emails,
            "since": m.created_at.isoformat(),
            "organisation_email": m.organisation.email,
            "organisation_phone": m.organisation.phone,
            "organisation_address": ", ".join(
                part
                for part in (
                    m.organisation.address_line1,
                    m.organisation.address_line2,
                    m.organisation.city,
                    m.organisation.region,
                    m.organisation.postal_code,
                )
                if part
            ),
        }
        for m in memberships
    ]
