"""What review holds about a reviewer: the reviews and scores they wrote and their conflict declarations (data rights)."""

from django.db.models import Prefetch

from portal.personal_data import when

from .models import ConflictDeclaration, Review, ReviewScore


def collect_reviews(user):
    reviews = (
        Review.objects.filter(member__user=user)
        .select_related("application")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion").order_by("pk")))
        .order_by("created_at", "pk")
    )
    return [
        {
            "application": str(review.application),
            "status": review.get_status_display(),
            "recommendation": review.get_recommendation_display(),
            "comment_to_staff": review.comment_to_staff,
            "feedback_to_applicant": review.feedback_to_applicant,
            "weighted_score": review.weighted_score,
            "submitted": when(review.submitted_at),
            "draft_scores": review.draft_scores,
            "scores": [
                {
                    "criterion": score.criterion.title,
                    "score": score.score,
                    "not_applicable": score.not_applicable,
                    "comment": score.comment,
                }
                for score in review.scores.all()
            ],
        }
        for review in reviews
    ]


def collect_conflict_declarations(user):
    declarations = (
        ConflictDeclaration.objects.filter(member__user=user)
        .select_related("assignment__application", "organisation")
        .order_by("declared_at", "pk")
    )
    return [
        {
            "application": str(d.assignment.application),
            "organisation": d.organisation.operating_name or d.organisation.legal_name,
            "has_conflict": d.has_conflict,
            "reason": d.reason,
            "declared": when(d.declared_at),
        }
        for d in declarations
    ]
