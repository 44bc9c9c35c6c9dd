from django import template

from grants.review.decision_selectors import decision_for_applicant

register = template.Library()


@register.inclusion_tag("review/includes/decision_card.html")
def application_decision(application):
    """The decision card of the application page: outcome, letter, feedback for a decline, what happens next."""
    return {"application": application, "shown": decision_for_applicant(application)}
