"""Money lists stay flat as the fund grows (issue 18): keyset pages (?after= / ?before=) on the staff donations list,
its search, the ledger, an account's postings, Stripe payouts and grant payments. Next/Previous visit every row once, in
order, with the filters kept; the queries a page costs do not depend on how many rows there are."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund import admin_views as ledger_views
from fund.donations import admin_money_views, selectors
from fund.donations import admin_views as donation_views
from fund.donations.models import Donation, StripeBalanceTransaction, StripePayout
from fund.ledger import Line, ledger_post
from fund.models import Account, LedgerTransaction
from grants.awards import admin_views as award_views
from grants.awards.models import Disbursement, Tranche
from portal import roles
from portal.keyset import Key, KeysetPaginator, decode_cursor, encode_cursor
from tests.factories.awards import fund_with_money, make_award
from tests.factories.donations import DonationFactory, DonorFactory
from tests.factories.fund import FundFactory
from tests.factories.portal import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="\?([^"]*)" rel="(next|prev)"')


@pytest.fixture
def finance(mfa_user_factory):
    return mfa_user_factory(roles.FINANCE)


@pytest.fixture
def small_pages(monkeypatch):
    """Three rows a page, so a handful of rows makes several pages."""
    for module in (donation_views, admin_money_views, ledger_views, award_views):
        monkeypatch.setattr(module, "PAGE_SIZE", 3)


def links(response):
    return {rel: html.unescape(query) for query, rel in LINK.findall(response.content.decode())}


def walk(client, url, query="", *, key="page_obj"):
    """Follow Next from the first page to the last, then Previous back to the first: the pks seen each way, and every
    query string the links used."""
    forward, queries = [], []
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    pages = [response]
    while True:
        forward += [obj.pk for obj in response.context[key]]
        nxt = links(response).get("next")
        if not nxt:
            break
        queries.append(nxt)
        response = client.get(f"{url}?{nxt}")
        pages.append(response)
    backward = [[obj.pk for obj in response.context[key]]]
    while True:
        prev = links(response).get("prev")
        if not prev:
            break
        queries.append(prev)
        response = client.get(f"{url}?{prev}")
        backward.insert(0, [obj.pk for obj in response.context[key]])
    return forward, [pk for page in backward for pk in page], queries


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def deep_query(response):
    """The query string of the page after the first (a deep page's cursor)."""
    return links(response)["next"]


# --- The paginator itself ------------------------------------------------------------------------------------------------


def test_cursor_round_trips_a_datetime_with_its_time_zone_and_the_pk():
    donation = DonationFactory()
    keys = [Key("created_at", descending=True), Key("pk", descending=True)]
    cursor = encode_cursor([donation.created_at, donation.pk])
    assert decode_cursor(Donation, keys, cursor) == [donation.created_at, donation.pk]
    assert decode_cursor(Donation, keys, "not-a-cursor,1") is None
    assert decode_cursor(Donation, keys, encode_cursor([donation.created_at])) is None


def test_keyset_pages_visit_every_row_once_with_ties_on_the_sort_key():
    same_time = timezone.now() - timedelta(days=3)
    donations = [DonationFactory() for _ in range(8)]
    # Five gifts entered at the very same instant: the pk decides their order, and no page loses or repeats one.
    Donation.objects.filter(pk__in=[d.pk for d in donations[1:6]]).update(created_at=same_time)
    expected = list(Donation.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    paginator = KeysetPaginator(Donation.objects.all(), ordering=("-created_at", "-pk"), per_page=3)
    from django.http import QueryDict

    seen, params = [], QueryDict(mutable=True)
    while True:
        page = paginator.page(params)
        seen += [d.pk for d in page]
        if not page.has_next:
            break
        params = QueryDict(page.next_url.lstrip("?"))
    assert seen == expected
    # Back from the last page: each Previous page is full and in order.
    back = []
    while page.has_previous:
        page = paginator.page(QueryDict(page.previous_url.lstrip("?")))
        back = [d.pk for d in page] + back
        assert len(page) == 3
    assert back == expected[: len(back)] and back[:3] == expected[:3]


# --- Staff donations list -------------------------------------------------------------------------------------------------


def test_donations_next_and_previous_visit_every_row_once_in_order_with_filters_kept(
    client, login, finance, small_pages
):
    fund = FundFactory()
    for i in range(8):
        DonationFactory(fund=fund, status="failed" if i % 3 == 0 else "succeeded")
    login(finance)
    forward, backward, queries = walk(client, "/admin/donations/", "status=succeeded")
    expected = list(
        Donation.objects.filter(status="succeeded").order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert forward == expected and backward == expected
    assert queries and all("status=succeeded" in q for q in queries)
    html_page = client.get("/admin/donations/?status=succeeded").content.decode()
    assert '<nav aria-label="Pages"><ul class="pagination">' in html_page


def test_donations_list_queries_do_not_grow_with_rows(client, login, finance, small_pages):
    fund = FundFactory()
    login(finance)

    def costs():
        first = client.get("/admin/donations/")
        return (
            count_queries(client, "/admin/donations/"),
            count_queries(client, f"/admin/donations/?{deep_query(first)}"),
            count_queries(client, "/admin/donations/?q=Searchable"),
        )

    for _ in range(4):
        DonationFactory(fund=fund, donor=DonorFactory(name="Searchable Donor"))
    small = costs()
    for _ in range(30):
        DonationFactory(fund=fund, donor=DonorFactory(name="Searchable Donor"))
    assert costs() == small


def test_search_finds_gifts_by_donor_name_email_and_reference_whichever_way_the_donors_are_matched(
    client, login, finance, monkeypatch
):
    fund = FundFactory()
    by_name = DonationFactory(fund=fund, donor=DonorFactory(name="Marguerite Okafor"))
    by_email = DonationFactory(fund=fund, donor=DonorFactory(email="okafor.family@example.org"))
    by_reference = DonationFactory(fund=fund, reference="CHQ-OKAFOR-7")
    DonationFactory(fund=fund, donor=DonorFactory(name="Someone Else"))
    expected = {by_name.pk, by_email.pk, by_reference.pk}
    login(finance)
    found = {d.pk for d in client.get("/admin/donations/?q=okafor").context["page_obj"]}
    assert found == expected
    # More matching donors than the id list takes: the same gifts, through a subquery.
    monkeypatch.setattr(selectors, "DONOR_MATCH_LIMIT", 1)
    assert {d.pk for d in selectors.staff_donations(q="OKAFOR")} == expected


def test_a_cursor_that_does_not_parse_shows_the_first_page(client, login, finance):
    DonationFactory()
    login(finance)
    response = client.get("/admin/donations/?after=yesterday,abc")
    assert response.status_code == 200 and len(response.context["page_obj"]) == 1


# --- Ledger and account pages ---------------------------------------------------------------------------------------------


def _post_gifts(fund, n, *, start=0):
    for i in range(start, start + n):
        amount = Decimal("10.01") + i
        ledger_post(
            fund=fund,
            kind="offline_gift" if i % 2 else "donation",
            memo=f"Gift {i}",
            lines=[Line("cash", amount), Line("donations_revenue", -amount)],
        )


def test_ledger_next_and_previous_visit_every_transaction_once_with_fund_and_kind_kept(
    client, login, finance, small_pages
):
    fund, other = FundFactory(name="A fund"), FundFactory(name="B fund")
    _post_gifts(fund, 9)
    _post_gifts(other, 2)
    login(finance)
    forward, backward, queries = walk(client, "/admin/ledger/", f"fund={fund.pk}&kind=offline_gift", key="page")
    expected = list(
        LedgerTransaction.objects.filter(fund=fund, kind="offline_gift")
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 4 and forward == expected and backward == expected
    assert all(f"fund={fund.pk}" in q and "kind=offline_gift" in q for q in queries)


def test_account_page_lists_each_posting_once_and_its_balance_to_the_cent(client, login, finance, small_pages):
    fund = FundFactory()
    _post_gifts(fund, 7)
    cash = Account.objects.get(fund=fund, kind="cash", campaign=None)
    login(finance)
    forward, backward, _queries = walk(client, f"/admin/ledger/accounts/{cash.pk}/", key="page")
    expected = list(cash.entries.order_by("-transaction_id", "-pk").values_list("pk", flat=True))
    assert len(expected) == 7 and forward == expected and backward == expected
    response = client.get(f"/admin/ledger/accounts/{cash.pk}/")
    # 10.01 + 11.01 + ... + 16.01
    assert response.context["balance"] == Decimal("91.07")
    assert "$91.07" in response.content.decode()


def test_ledger_and_account_pages_queries_do_not_grow_with_rows(client, login, finance, small_pages):
    fund = FundFactory()
    login(finance)
    _post_gifts(fund, 4)
    cash = Account.objects.get(fund=fund, kind="cash", campaign=None)

    def costs():
        ledger_url = f"/admin/ledger/?fund={fund.pk}"
        account_url = f"/admin/ledger/accounts/{cash.pk}/"
        return (
            count_queries(client, ledger_url),
            count_queries(client, f"/admin/ledger/?{deep_query(client.get(ledger_url))}"),
            count_queries(client, account_url),
            count_queries(client, f"{account_url}?{deep_query(client.get(account_url))}"),
        )

    small = costs()
    _post_gifts(fund, 30, start=4)
    assert costs() == small


# --- Stripe payouts --------------------------------------------------------------------------------------------------------


def _payouts(n, *, start=0):
    today = timezone.localdate()
    now = timezone.now()
    for i in range(start, start + n):
        payout = StripePayout.objects.create(
            stripe_id=f"po_{i}",
            amount=Decimal("95.00"),
            currency="usd",
            status="paid",
            arrival_date=today - timedelta(days=i // 3),  # three a day: ties on the date
            created=now,
        )
        StripeBalanceTransaction.objects.create(
            stripe_id=f"txn_{i}",
            type="charge",
            amount=Decimal("100.00"),
            fee=Decimal("5.00"),
            net=Decimal("95.00"),
            currency="usd",
            created=now,
            payout=payout,
        )


def test_payouts_next_and_previous_visit_every_payout_once(client, login, finance, small_pages):
    _payouts(8)
    login(finance)
    forward, backward, _queries = walk(client, "/admin/donations/payouts/")
    expected = list(StripePayout.objects.order_by("-arrival_date", "-pk").values_list("pk", flat=True))
    assert forward == expected and backward == expected


def test_payouts_list_queries_do_not_grow_with_rows(client, login, finance, small_pages):
    login(finance)
    _payouts(4)
    url = "/admin/donations/payouts/"
    small = (count_queries(client, url), count_queries(client, f"{url}?{deep_query(client.get(url))}"))
    _payouts(30, start=4)
    assert (count_queries(client, url), count_queries(client, f"{url}?{deep_query(client.get(url))}")) == small


# --- Grant payments ---------------------------------------------------------------------------------------------------------


def _disbursements(award, preparer, n, *, start=0, status="paid"):
    for i in range(start, start + n):
        tranche = Tranche.objects.create(
            award=award, sequence=100 + i, amount=Decimal("10.00"), due_date=timezone.localdate()
        )
        Disbursement.objects.create(
            tranche=tranche,
            amount=Decimal("10.00"),
            currency="USD",
            idempotency_key=f"bench-{award.pk}-{i}",
            status=status if i % 4 else "cancelled",
            prepared_by=preparer,
        )


@pytest.fixture
def award(db):
    fund = fund_with_money(FundFactory(), "100000.00")
    from tests.factories.awards import ApprovedApplicationFactory

    return make_award(application=ApprovedApplicationFactory(round__fund=fund), amount="1000.00")


def test_payments_next_and_previous_visit_every_payment_once_with_the_status_kept(
    client, login, finance, small_pages, award
):
    _disbursements(award, UserFactory(), 10)
    login(finance)
    forward, backward, queries = walk(client, "/admin/money/payments/", "status=paid", key="page")
    expected = list(
        Disbursement.objects.filter(status="paid").order_by("-prepared_at", "-pk").values_list("pk", flat=True)
    )
    assert len(expected) == 7 and forward == expected and backward == expected
    assert all("status=paid" in q for q in queries)


def test_payments_list_queries_do_not_grow_with_rows(client, login, finance, small_pages, award):
    preparer = UserFactory()
    login(finance)
    _disbursements(award, preparer, 7)  # five paid: two pages
    url = "/admin/money/payments/?status=paid"

    def costs():
        return count_queries(client, url), count_queries(
            client, f"/admin/money/payments/?{deep_query(client.get(url))}"
        )

    small = costs()
    _disbursements(award, preparer, 30, start=7)
    assert costs() == small
