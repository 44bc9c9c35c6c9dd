from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def impact_reports_due(context, limit=5):
    """The signed-in member's reports that need action, soonest due first."""
    from grants.impact.selectors import reports_needing_action

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(reports_needing_action(request.user)[:limit])
