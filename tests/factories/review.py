from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from grants.review.models import Assignment, ConflictDeclaration, Criterion, Panel, PanelMember, Review, Rubric
from portal import roles

from .grants import ApplicationFactory, FundingRoundFactory
from .portal import UserFactory


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    round = factory.SubFactory(FundingRoundFactory)
    title = factory.Sequence(lambda n: f"Rubric {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    guidance = "What good looks like."
    weight = Decimal("1")
    scale_min = 1
    scale_max = 5
    labels = {"1": "Weak", "2": "Fair", "3": "Good", "4": "Strong", "5": "Excellent"}
    order = factory.Sequence(lambda n: n)


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        django_get_or_create = ("round",)

    round = factory.SubFactory(FundingRoundFactory)
    name = factory.Sequence(lambda n: f"Panel {n}")


class ReviewerFactory(UserFactory):
    """A user holding the Reviewer role (no MFA: use mfa_user_factory for logging in through the middleware)."""

    @factory.post_generation
    def _role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=roles.REVIEWER))


class PanelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanelMember

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(ReviewerFactory)
    kind = PanelMember.Kind.COMMUNITY


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    member = factory.SubFactory(PanelMemberFactory)
    application = factory.SubFactory(
        ApplicationFactory, round=factory.SelfAttribute("..member.panel.round"), status="in_review"
    )


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    assignment = factory.SubFactory(AssignmentFactory)
    member = factory.SelfAttribute("assignment.member")
    organisation = factory.SelfAttribute("assignment.application.organisation")
    has_conflict = False


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)
    application = factory.SelfAttribute("assignment.application")
    member = factory.SelfAttribute("assignment.member")


def bulk_reviewed_applications(funding_round, count, *, members, per_application=3, seed=7, status="in_review"):
    """`count` applications in `funding_round`, each with `per_application` submitted reviews from `members`
    (round-robin), made with bulk_create so tests and bench/ can build thousands quickly. Returns the applications."""
    import random

    from django.utils import timezone

    from applicants.models import Organisation
    from grants.models import Application

    rng = random.Random(seed)
    now = timezone.now()
    prefix = f"B{funding_round.pk}"
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Bulk group {prefix}-{i}",
                slug=f"bulk-{prefix.lower()}-{i}",
                org_type="nonprofit_corporation",
            )
            for i in range(count)
        ]
    )
    apps = Application.objects.bulk_create(
        [
            Application(
                round=funding_round,
                organisation=org,
                reference=f"{prefix}-{i:06d}",
                title=f"Project {i}",
                requested_amount=Decimal(rng.randrange(5, 50) * 1000),
                status=status,
                submitted_at=now,
            )
            for i, org in enumerate(orgs)
        ]
    )
    assignments = []
    for i, app in enumerate(apps):
        for k in range(per_application):
            member = members[(i + k) % len(members)]
            assignments.append(Assignment(application=app, member=member, status=Assignment.Status.COMPLETED))
    assignments = Assignment.objects.bulk_create(assignments)
    recommendations = [Review.Recommendation.FUND, Review.Recommendation.MAYBE, Review.Recommendation.DO_NOT_FUND]
    Review.objects.bulk_create(
        [
            Review(
                assignment=a,
                application_id=a.application_id,
                member_id=a.member_id,
                status=Review.Status.SUBMITTED,
                weighted_score=Decimal(rng.randrange(0, 10001)) / 100,
                recommendation=rng.choice(recommendations),
                submitted_at=now,
            )
            for a in assignments
        ]
    )
    from grants.review.results import scores_refresh

    scores_refresh(round=funding_round, everything=True)
    return apps
