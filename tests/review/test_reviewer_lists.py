"""The reviewer's list of work under blind review: redacted titles, and a query count that does not grow with rows."""

import pytest
from django.urls import reverse

from grants.review.models import Assignment, PanelMember
from portal import roles
from tests.factories.applicants import MembershipFactory, OrganisationFactory
from tests.factories.grants import ApplicationFactory

pytestmark = pytest.mark.django_db


def _assign(reviewer, review_round, count):
    member, _created = PanelMember.objects.get_or_create(
        panel=review_round.panel, user=reviewer, defaults={"kind": PanelMember.Kind.COMMUNITY}
    )
    for i in range(count):
        org = OrganisationFactory(legal_name=f"Riverside Harm Reduction {i}", email=f"team@riverside{i}.org")
        MembershipFactory(organisation=org)
        application = ApplicationFactory(
            round=review_round, organisation=org, status="in_review", title=f"Riverside Harm Reduction {i} van"
        )
        Assignment.objects.create(application=application, member=member)


@pytest.mark.parametrize("count", [3, 30])
def test_my_reviews_hides_the_applicant_with_a_fixed_number_of_queries(
    client, login, mfa_user_factory, review_round, count, django_assert_max_num_queries
):
    review_round.panel.blind_review = True
    review_round.panel.save()
    reviewer = mfa_user_factory(roles.REVIEWER)
    _assign(reviewer, review_round, count)
    login(reviewer)
    client.get(reverse("review:my_reviews"))

    with django_assert_max_num_queries(14):
        page = client.get(reverse("review:my_reviews")).content.decode()

    assert "Riverside Harm Reduction" not in page
    assert page.count(" van</a>") == count
