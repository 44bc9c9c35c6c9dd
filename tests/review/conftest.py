from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from portal import roles
from tests.factories.grants import FundingRoundFactory
from tests.factories.review import CriterionFactory, PanelFactory, RubricFactory


@pytest.fixture
def staff_user(mfa_user_factory):
    return mfa_user_factory(roles.PROGRAM_STAFF)


@pytest.fixture
def review_round(db):
    """A round in review with a panel and a three-criterion rubric (weights 3, 2, 1; the last allows n/a)."""
    rnd = FundingRoundFactory(status="review", reviews_per_application=3, budget=Decimal("100000.00"))
    PanelFactory(round=rnd, name="2026 panel")
    rubric = RubricFactory(round=rnd)
    CriterionFactory(rubric=rubric, title="Impact", weight=Decimal("3"), order=1)
    CriterionFactory(rubric=rubric, title="Community leadership", weight=Decimal("2"), order=2)
    CriterionFactory(rubric=rubric, title="Budget", weight=Decimal("1"), allow_na=True, order=3)
    return rnd


def add_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    user._portal_group_names = None
    return user
