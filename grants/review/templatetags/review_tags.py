from django import template
from django.db.models import Count, Min, Q

register = template.Library()


@register.simple_tag
def reviewer_summary(user):
    """Counts for the reviewer's dashboard panel, in one query."""
    from grants.review.models import Assignment

    row = (
        Assignment.objects.filter(member__user=user)
        .exclude(status=Assignment.Status.RECUSED)
        .aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Assignment.Status.COMPLETED)),
            next_due=Min("due_at", filter=Q(status=Assignment.Status.ASSIGNED)),
        )
    )
    row["percent"] = int(row["done"] * 100 / row["total"]) if row["total"] else 0
    return row


@register.filter
def score_label(value):
    """A weighted score out of 100 for display ("72.50 / 100"), or an en dash."""
    if value is None:
        return "–"
    return f"{value} / 100"
