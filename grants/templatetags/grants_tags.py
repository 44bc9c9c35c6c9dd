from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def applicant_dashboard(context):
    """What the applicant dashboard panel shows: organisations, applications with plain status and next step, open rounds."""
    from applicants.selectors import current_organisation, organisations_for_user
    from grants import selectors

    request = context["request"]
    user = request.user
    applications = list(selectors.applications_for_user(user)[:50])
    organisations = list(organisations_for_user(user))
    return {
        "organisations": organisations,
        "current": current_organisation(request, organisations),
        "applications": [
            {"application": a, "status": selectors.plain_status(a), "next_step": selectors.next_step_for(a)}
            for a in applications
        ],
        "open_rounds": list(selectors.open_rounds()),
    }
