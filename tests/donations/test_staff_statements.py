"""The staff annual statements screen: a year is checked before a run starts; the runs list has a query budget."""

import pytest
from django.utils import timezone

from fund.donations.models import StatementRun
from portal import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.mark.parametrize("year", ["-1", "0", "1999", "99999", "abc", "", "2024.5"])
def test_statement_run_with_an_impossible_year_is_refused_next_to_the_field(client, login, finance, year):
    login(finance)
    response = client.post("/admin/donations/statements/", {"year": year})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html  # the summary
    assert 'class="error-message"' in html  # and the message beside the field
    assert StatementRun.objects.count() == 0


def test_statement_run_for_a_future_year_names_the_allowed_range(client, login, finance):
    login(finance)
    next_year = timezone.localdate().year + 1
    response = client.post("/admin/donations/statements/", {"year": str(next_year)})
    assert response.status_code == 400
    assert f"between 2000 and {next_year - 1}" in response.content.decode()


def test_statement_run_for_last_year_starts(client, login, finance, django_capture_on_commit_callbacks):
    login(finance)
    year = timezone.localdate().year - 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/donations/statements/", {"year": str(year)})
    assert response.status_code == 302
    run = StatementRun.objects.get()
    assert (run.year, run.created_by) == (year, finance)


@pytest.mark.parametrize("rows", [2, 20])
def test_statement_runs_page_query_count_does_not_grow_with_rows(
    client, login, finance, django_assert_max_num_queries, rows
):
    for i in range(rows):
        StatementRun.objects.create(year=2000 + i, created_by=finance, total=10, done=i % 10)
    login(finance)
    with django_assert_max_num_queries(13):
        response = client.get("/admin/donations/statements/")
    assert response.status_code == 200
    assert str(2000 + rows - 1) in response.content.decode()
