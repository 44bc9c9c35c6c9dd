"""The signed-in pages people use most stay within issue 18's budget (at most 12 queries), with exact counts that do
not grow with what the pages list: the same with 2 and with 20 applications, awards, reports, gifts and assignments.
Each count includes the session, the user and their groups. A page that gains a query fails here: find it with
CaptureQueriesContext, then lower the budget when you remove one."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories.cms import make_site
from tests.factories.signed_in import signed_in_scenario

pytestmark = pytest.mark.django_db

ISSUE_18_LIMIT = 12
QUERY_BUDGET = {
    "applicant dashboard": 11,
    "application": 10,
    "application edit": 7,
    "organisation": 9,
    "awards list": 5,
    "reports list": 6,  # the user's organisation ids, read once, instead of a membership join PostgreSQL plans slowly
    "preferences": 3,
    "donor dashboard": 6,
    "donor portal": 11,
    "reviewer dashboard": 8,
    "reviewer list": 6,
    "scoring page": 10,
}


def test_every_budget_is_within_issue_18():
    assert max(QUERY_BUDGET.values()) <= ISSUE_18_LIMIT


@pytest.mark.parametrize("rows", [2, 20])
def test_signed_in_pages_make_the_same_few_queries_whatever_they_list(rows):
    make_site()
    scenario = signed_in_scenario(rows)
    clients = {}
    counts = {}
    for name, (user, path) in scenario.pages().items():
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        client.get(path)  # the first visit may link records (a donor to the user) or warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    assert counts == QUERY_BUDGET
