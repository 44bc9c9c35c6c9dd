"""Grant-side staff lists stay flat as the fund grows (issue 18): keyset pages walk every row once, in order, both
ways; the application list, its search and its deep pages, and the review ranking cost the same number of queries
at 3 rows as at 30."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applicants.models import Organisation
from grants import selectors
from grants.models import Application
from grants.review import selectors as review_selectors
from portal import keyset
from portal.roles import PROGRAM_STAFF
from tests.factories.grants import FundingRoundFactory
from tests.factories.review import PanelFactory, PanelMemberFactory, bulk_reviewed_applications

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(mfa_user_factory):
    return mfa_user_factory(PROGRAM_STAFF)


def _applications(n, *, funding_round=None, ties=True):
    """n submitted applications; with `ties`, submission times and amounts repeat and some are missing, so the
    keyset must break ties by id and place NULLs where the database sorts them."""
    funding_round = funding_round or FundingRoundFactory()
    now = timezone.now()
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"Keyset group {i}", slug=f"keyset-{funding_round.pk}-{i}", org_type="nonprofit_corporation"
            )
            for i in range(n)
        ]
    )
    return Application.objects.bulk_create(
        [
            Application(
                round=funding_round,
                organisation=org,
                reference=f"KS-{funding_round.pk}-{i:04d}",
                title=f"Project {i}",
                requested_amount=None if ties and i % 5 == 0 else Decimal(1000 + (i % 4 if ties else i) * 250),
                status=Application.Status.SUBMITTED,
                submitted_at=None if ties and i % 7 == 3 else now - timedelta(minutes=(i // 3 if ties else i)),
            )
            for i, org in enumerate(orgs)
        ]
    )


def _walk(queryset, keys, per_page):
    """Every page from the first by its Next cursor, then back from the last by Previous: the rows as seen."""
    forward, params = [], QueryDict()
    while True:
        page = keyset.paginate(queryset, keys, params, per_page=per_page)
        forward.extend(page.object_list)
        if not page.next_url:
            break
        params = QueryDict(page.next_url[1:])
    backward, params = [], QueryDict("last=1")
    while True:
        page = keyset.paginate(queryset, keys, params, per_page=per_page)
        backward = list(page.object_list) + backward
        if not page.previous_url:
            break
        params = QueryDict(page.previous_url[1:])
    return forward, backward


@pytest.mark.parametrize(
    "order", ["-submitted_at", "submitted_at", "-requested_amount", "requested_amount", "reference", "status"]
)
def test_keyset_walks_every_row_once_in_order_both_ways(order):
    _applications(23)
    queryset = selectors.staff_applications(order=order)
    expected = list(queryset.values_list("pk", flat=True))  # the database's own ORDER BY, OFFSET-free
    forward, backward = _walk(queryset, selectors.staff_application_keys(order), per_page=5)
    assert [a.pk for a in forward] == expected
    assert len(set(expected)) == 23
    # From the last page backwards: the same rows, same order (the last page is full, so pages differ from forward).
    assert [a.pk for a in backward] == expected


def test_keyset_ignores_a_forged_cursor_and_keeps_old_page_numbers():
    _applications(12, ties=False)
    queryset = selectors.staff_applications()
    keys = selectors.staff_application_keys()
    expected = list(queryset.values_list("pk", flat=True))
    for forged in ["not-base64!", keyset.encode_cursor(["yesterday", 1]), keyset.encode_cursor([1, 2, 3])]:
        page = keyset.paginate(queryset, keys, QueryDict(f"after={forged}"), per_page=5)
        assert [a.pk for a in page.object_list] == expected[:5]
    page = keyset.paginate(queryset, keys, QueryDict("page=2"), per_page=5)  # a bookmark from before keysets
    assert [a.pk for a in page.object_list] == expected[5:10]
    assert page.has_previous and page.has_next


def test_application_list_links_walk_every_row_and_keep_the_filters(client, staff):
    funding_round = FundingRoundFactory()
    _applications(45, funding_round=funding_round)
    _applications(4)  # another round: filtered out
    client.force_login(staff)
    url = reverse("grants_admin:application_list")
    query = f"?round={funding_round.pk}&order=-requested_amount"
    seen = []
    while query:
        response = client.get(url + query)
        html = response.content.decode()
        seen += re.findall(r">(KS-\d+-\d{4})</a>", html)
        assert '<nav aria-label="Pages">' in html
        match = re.search(r'href="([^"]*)" rel="next"', html)
        query = unescape(match.group(1)) if match else None
        if query:
            assert f"round={funding_round.pk}" in query and "order=-requested_amount" in query
    assert len(seen) == 45 == len(set(seen))
    assert seen == list(
        selectors.staff_applications(round_id=funding_round.pk, order="-requested_amount").values_list(
            "reference", flat=True
        )
    )


def _queries(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def _list_urls(client, reference, organisation_name):
    url = reverse("grants_admin:application_list")
    _q, html = _queries(client, url)
    last = unescape(re.search(r'href="([^"]*)" rel="last"', html).group(1))
    _q, html = _queries(client, url + last)
    previous = unescape(re.search(r'href="([^"]*)" rel="prev"', html).group(1))
    return {
        "page 1": url,
        "last page": url + last,
        "deep page (by cursor)": url + previous,
        "search by reference": f"{url}?q={reference}",
        "search by organisation": f"{url}?q={organisation_name.replace(' ', '+')}",
    }


def test_application_list_queries_do_not_grow_with_rows(client, staff):
    client.force_login(staff)
    counts = []
    for n in (3 * 20 + 3, 30 * 20 + 3):  # 63 and 603 rows: enough for a first, a deep and a last page
        Application.objects.all().delete()
        apps = _applications(n)
        middle = apps[n // 2]
        urls = _list_urls(client, middle.reference, middle.organisation.legal_name)
        counts.append({name: _queries(client, u)[0] for name, u in urls.items()})
        _q, html = _queries(client, urls["search by organisation"])
        assert middle.reference in html
    assert counts[0] == counts[1]
    assert max(counts[1].values()) <= 16  # a search reads its matching ids first (one query)


def _ranked_round(n):
    funding_round = FundingRoundFactory(status="review", reviews_per_application=3, budget=Decimal("100000.00"))
    panel = PanelFactory(round=funding_round)
    members = [PanelMemberFactory(panel=panel) for _ in range(6)]
    apps = bulk_reviewed_applications(funding_round, n, members=members)
    for i, app in enumerate(apps):  # some decided: outside the running total of undecided requests
        if i % 4 == 1:
            app.status = Application.Status.APPROVED
            app.save(update_fields=["status"])
    return funding_round


@pytest.mark.parametrize("sort", ["raw", "normalised"])
def test_ranking_pages_walk_every_row_with_its_rank_and_running_total(sort):
    funding_round = _ranked_round(23)
    # The reference: the whole ranking in one read, its running total by window function.
    expected = review_selectors.ranking_slice(review_selectors.ranking(funding_round, sort=sort), 0, 100)
    seen, params = [], QueryDict(f"sort={sort}")
    while True:
        page, first_rank = review_selectors.ranking_page(funding_round, sort=sort, params=params, per_page=5)
        assert first_rank == len(seen) + 1
        seen += page.object_list
        if not page.next_url:
            break
        params = QueryDict(page.next_url[1:])
    assert [a.pk for a in seen] == [a.pk for a in expected]
    assert [a.cumulative_requested for a in seen] == [a.cumulative_requested for a in expected]
    # Backwards from the last page (ranks and running totals from the round's totals minus the rows after the page).
    seen, params = [], QueryDict(f"sort={sort}&last=1")
    while True:
        page, first_rank = review_selectors.ranking_page(funding_round, sort=sort, params=params, per_page=5)
        assert page.from_end or not page.previous_url
        assert first_rank == 23 - len(seen) - len(page.object_list) + 1
        seen = list(page.object_list) + seen
        if not page.previous_url:
            break
        params = QueryDict(page.previous_url[1:])
    assert [a.pk for a in seen] == [a.pk for a in expected]
    assert [a.cumulative_requested for a in seen] == [a.cumulative_requested for a in expected]


def test_ranking_last_pages_count_from_the_round_totals_not_the_rows_before():
    """The last page's rank and running total are the round's totals minus the rows after the page: shifting the
    totals shifts them (a page that counted every row before it would not move)."""
    from grants.review.models import RankingTotals

    funding_round = _ranked_round(23)
    last = QueryDict("sort=raw&last=1")
    page, first_rank = review_selectors.ranking_page(funding_round, sort="raw", params=last, per_page=5)
    assert first_rank == 19
    running = [a.cumulative_requested for a in page.object_list]
    RankingTotals.objects.filter(round=funding_round).update(
        applications=F("applications") + 100, undecided_amount=F("undecided_amount") + 1000
    )
    page, first_rank = review_selectors.ranking_page(funding_round, sort="raw", params=last, per_page=5)
    assert first_rank == 119
    assert [a.cumulative_requested for a in page.object_list] == [r + 1000 for r in running]
    # Page 1 and pages reached forwards never read the totals.
    page, first_rank = review_selectors.ranking_page(
        funding_round, sort="raw", params=QueryDict("sort=raw"), per_page=5
    )
    assert first_rank == 1


def test_ranking_queries_do_not_grow_with_rows(client, staff):
    client.force_login(staff)
    counts = []
    for n in (3 * 25 + 2, 30 * 25 + 2):
        funding_round = _ranked_round(n)
        url = reverse("review_admin:ranking", args=[funding_round.pk])
        first, html = _queries(client, url + "?sort=raw")
        last_link = unescape(re.search(r'href="([^"]*)" rel="last"', html).group(1))
        last, html = _queries(client, url + last_link)
        assert f"<td>{n}</td>" in html  # the last rank shown on the last page
        previous = unescape(re.search(r'href="([^"]*)" rel="prev"', html).group(1))
        deep, _html = _queries(client, url + previous)
        counts.append((first, last, deep))
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 15
