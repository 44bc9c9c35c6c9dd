"""Staff screens: who may reach them, the ranking (SQL aggregates, funding line, query budget), the register, set-up."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from grants.review import scoring, selectors
from grants.review.models import Assignment, PanelMember, Review
from grants.review.panels import panel_member_invite
from grants.review.services import conflict_declare, review_reopen, review_save
from portal import roles
from tests.factories.grants import ApplicationFactory
from tests.factories.review import PanelMemberFactory, bulk_reviewed_applications

pytestmark = pytest.mark.django_db


def _staff_urls(review_round, application):
    return [
        reverse("review_admin:index"),
        reverse("review_admin:panel", args=[review_round.pk]),
        reverse("review_admin:assignments", args=[review_round.pk]),
        reverse("review_admin:ranking", args=[review_round.pk]),
        reverse("review_admin:conflicts"),
        reverse("review_admin:application", args=[application.pk]),
        reverse("review_rubrics:index"),
    ]


@pytest.mark.parametrize("role", [roles.EDITOR, roles.FINANCE, roles.APPLICANT, roles.REVIEWER])
def test_only_program_staff_reach_the_review_screens(client, login, mfa_user_factory, review_round, role):
    application = ApplicationFactory(round=review_round, status="in_review")
    login(mfa_user_factory(role))
    for url in _staff_urls(review_round, application):
        response = client.get(url)
        # Denied: 403/404, or Wagtail's redirect to the admin home with "permission denied" for admin users.
        assert response.status_code in (302, 403, 404), url
        assert application.title not in response.content.decode()
    response = client.post(reverse("review_admin:decide", args=[application.pk]), {"outcome": "decline"})
    assert response.status_code in (302, 403, 404)
    application.refresh_from_db()
    assert application.status == "in_review"


def test_program_staff_see_every_review_screen(client, login, staff_user, review_round):
    application = ApplicationFactory(round=review_round, status="in_review")
    login(staff_user)
    for url in _staff_urls(review_round, application):
        assert client.get(url).status_code == 200, url


def test_staff_create_a_rubric_with_weighted_criteria_in_the_admin(client, login, staff_user):
    from tests.factories.grants import FundingRoundFactory

    funding_round = FundingRoundFactory()
    login(staff_user)
    url = reverse("review_rubrics:add")
    assert client.get(url).status_code == 200
    data = {
        "round": funding_round.pk,
        "title": "Scoring guide",
        "introduction": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-title": "Need",
        "criteria-0-guidance": "Evidence of need",
        "criteria-0-weight": "2.5",
        "criteria-0-scale_min": "1",
        "criteria-0-scale_max": "5",
        "criteria-0-labels_1": "Weak",
        "criteria-0-labels_5": "Excellent",
        "criteria-0-allow_na": "",
        "criteria-0-order": "1",
        "criteria-0-ORDER": "1",
        "criteria-0-id": "",
        "criteria-0-DELETE": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    criterion = funding_round.rubric.criteria.get()
    assert criterion.weight == Decimal("2.50") and criterion.label_for(5) == "Excellent"


def _members(review_round, n=6):
    kinds = [PanelMember.Kind.STAFF, PanelMember.Kind.COMMUNITY, PanelMember.Kind.EXTERNAL]
    return [PanelMemberFactory(panel=review_round.panel, kind=kinds[i % 3]) for i in range(n)]


def test_ranking_matches_the_scoring_maths(review_round):
    members = _members(review_round)
    apps = bulk_reviewed_applications(review_round, 12, members=members)
    stats = selectors.reviewer_stats_for_round(review_round)
    rows = {a.pk: a for a in selectors.ranking_slice(selectors.ranking(review_round, sort="normalised"), 0, 100)}
    for app in apps:
        _reviews, expected = selectors.application_results(app, stats=stats)
        got = selectors.ranking_rows([rows[app.pk]], threshold=Decimal("30"), remaining=Decimal("0"))[0]
        assert got.mean == expected.mean
        assert got.spread == expected.spread
        assert abs(got.normalised - expected.normalised) <= Decimal("0.001")
        assert sum(got.recommendations.values()) == 3
    ordered = [a.normalised_score for a in selectors.ranking(review_round, sort="normalised")]
    assert ordered == sorted(ordered, reverse=True)


def test_funding_line_counts_undecided_requests_against_the_remaining_budget(review_round):
    members = _members(review_round)
    review_round.budget = Decimal("60000.00")
    review_round.save()
    apps = bulk_reviewed_applications(review_round, 4, members=members)
    for app, amount in zip(apps, ["25000.00", "30000.00", "10000.00", "5000.00"]):
        app.requested_amount = Decimal(amount)
        app.save(update_fields=["requested_amount"])
    ranked = selectors.ranking_slice(selectors.ranking(review_round), 0, 10)
    rows = selectors.ranking_rows(ranked, threshold=Decimal("30"), remaining=Decimal("60000.00"))
    running = Decimal("0")
    for row in rows:
        running += row.application.requested_amount
        assert row.cumulative == running
        assert row.fundable == (running <= Decimal("60000.00"))
    assert [r.fundable for r in rows].count(False) >= 1


@pytest.mark.parametrize("count", [20, 2000])
def test_ranking_page_query_budget(client, login, staff_user, review_round, count, django_assert_max_num_queries):
    bulk_reviewed_applications(review_round, count, members=_members(review_round, 9))
    login(staff_user)
    url = reverse("review_admin:ranking", args=[review_round.pk])
    client.get(url)  # warm Wagtail's per-process caches
    with django_assert_max_num_queries(15):
        response = client.get(url + "?sort=normalised&page=1")
    assert response.status_code == 200
    assert response.content.decode().count('name="applications"') == min(count, 25)


def test_ranking_csv_export(client, login, staff_user, review_round):
    bulk_reviewed_applications(review_round, 30, members=_members(review_round))
    login(staff_user)
    response = client.get(reverse("review_admin:ranking", args=[review_round.pk]) + "?export=csv")
    assert response["Content-Disposition"].startswith("attachment")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("rank,reference") and len(lines) == 31


def test_conflict_register_lists_and_exports_declarations(client, login, staff_user, review_round):
    member = PanelMemberFactory(panel=review_round.panel)
    assignment = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"), member=member
    )
    conflict_declare(assignment=assignment, has_conflict=True, reason="=Treasurer of this group", by=member.user)
    login(staff_user)
    page = client.get(reverse("review_admin:conflicts")).content.decode()
    assert "Treasurer of this group" in page
    csv_text = client.get(reverse("review_admin:conflicts") + "?export=csv").content.decode()
    assert "'=Treasurer of this group" in csv_text  # formula injection neutralised
    assert member.user.email in csv_text


def test_inviting_a_new_reviewer_creates_an_account_and_emails_a_set_password_link(
    staff_user, review_round, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    with django_capture_on_commit_callbacks(execute=True):
        member = panel_member_invite(
            panel=review_round.panel,
            email="New.Reviewer@Example.org",
            kind="community",
            first_name="Ada",
            by=staff_user,
        )
    user = member.user
    assert user.email == "new.reviewer@example.org"
    assert not user.has_usable_password()
    assert roles.is_reviewer(user)
    assert EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_staff_reopen_unlocks_a_submitted_review(staff_user, review_round, django_capture_on_commit_callbacks):
    member = PanelMemberFactory(panel=review_round.panel)
    assignment = Assignment.objects.create(
        application=ApplicationFactory(round=review_round, status="in_review"), member=member
    )
    conflict_declare(assignment=assignment, has_conflict=False, by=member.user)
    review = review_save(
        assignment=assignment,
        by=member.user,
        recommendation="fund",
        submit=True,
        scores={c.pk: {"score": 4} for c in review_round.rubric.criteria.all()},
    )
    assert review.weighted_score == Decimal("75.00")
    with django_capture_on_commit_callbacks(execute=True):
        review_reopen(review=review, by=staff_user, reason="Please add comments")
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT and review.weighted_score is None
    assert len(mail.outbox) == 1
    from wagtail.models import ModelLogEntry

    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"review.review.submit", "review.review.reopen", "review.conflict.declare"} <= actions


def test_scoring_stats_in_sql_match_python(review_round):
    members = _members(review_round, 3)
    bulk_reviewed_applications(review_round, 10, members=members)
    stats = selectors.reviewer_stats_for_round(review_round)
    for member in members:
        scores = Review.objects.filter(member=member).values_list("weighted_score", flat=True)
        direct = scoring.reviewer_stats(scores)
        assert stats[member.pk].count == direct.count
        assert abs(stats[member.pk].mean - direct.mean) < Decimal("0.0001")
        assert abs(stats[member.pk].std - direct.std) < Decimal("0.0001")
