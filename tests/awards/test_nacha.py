"""The payment file is parsed back and validated the way a bank's ACH software would."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.awards.models import Tranche
from grants.awards.payments import (
    PaymentError,
    disbursement_approve,
    disbursement_prepare,
    payment_batch_create,
    payment_batch_nacha,
)
from tests.factories.awards import (
    ApprovedApplicationFactory,
    accepted_award,
    give_bank_details,
    grantee_owner,
    two_tranches,
)

pytestmark = pytest.mark.django_db


def parse_nacha(content):
    lines = content.split("\n")
    assert lines[-1] == ""
    return lines[:-1]


@pytest.fixture
def batch(fund, funding_round, staff, finance_1, finance_2):
    fund.originating_bank_routing = "031000503"
    fund.originator_id = "1123456789"
    fund.originator_name = "MILLBROOK COMM FDN"
    fund.save()
    amounts = ["10000.00", "7333.33", "2500.05"]
    routings = ["011000015", "021000021", "122105278"]
    for amount, routing in zip(amounts, routings):
        application = ApprovedApplicationFactory(round=funding_round)
        owner = grantee_owner(application.organisation, first_name="Ana", last_name="Ruiz")
        award = accepted_award(
            application=application, staff=staff, owner=owner, amount=amount, tranches=two_tranches(amount)
        )
        give_bank_details(
            application.organisation,
            owner,
            routing=routing,
            account="98765432" + routing[-2:],
            account_type="savings" if routing.startswith("12") else "checking",
        )
        Tranche.objects.filter(award=award).update(due_date=timezone.localdate() - timedelta(days=1))
        for tranche in award.tranches.all():
            disbursement_approve(disbursement=disbursement_prepare(tranche=tranche, by=finance_1), by=finance_2)
    return payment_batch_create(fund=fund, by=finance_1)


def test_nacha_file_is_valid_ccd_credit_file(batch, finance_2):
    lines = parse_nacha(payment_batch_nacha(batch=batch, by=finance_2))

    assert all(len(line) == 94 for line in lines)
    assert len(lines) % 10 == 0
    types = [line[0] for line in lines]
    assert types[:2] == ["1", "5"]
    entries = [line for line in lines if line[0] == "6"]
    assert len(entries) == 6
    batch_control = next(line for line in lines if line[0] == "8")
    file_control_index = types.index("9")
    file_control = lines[file_control_index]
    assert all(line == "9" * 94 for line in lines[file_control_index + 1 :])

    header = lines[0]
    assert header[1:3] == "01" and header[3:13] == " 031000503" and header[34:37] == "094" and header[37:39] == "10"
    batch_header = lines[1]
    assert batch_header[1:4] == "220" and batch_header[50:53] == "CCD" and batch_header[79:87] == "03100050"

    # Entry detail: transaction code, receiving bank, check digit, amount in cents, trace numbers in order.
    amounts = [int(e[29:39]) for e in entries]
    assert sum(amounts) == 1983338
    assert {e[1:3] for e in entries} == {"22", "32"}
    for entry in entries:
        routing = entry[3:12]
        digits = [int(c) for c in routing]
        assert (
            3 * (digits[0] + digits[3] + digits[6]) + 7 * (digits[1] + digits[4] + digits[7]) + sum(digits[2::3])
        ) % 10 == 0
    assert [e[79:94] for e in entries] == [f"03100050{i:07d}" for i in range(1, 7)]
    expected_hash = sum(int(e[3:11]) for e in entries) % 10**10

    assert int(batch_control[4:10]) == 6
    assert int(batch_control[10:20]) == expected_hash
    assert int(batch_control[20:32]) == 0 and int(batch_control[32:44]) == sum(amounts)
    assert int(file_control[1:7]) == 1
    assert int(file_control[7:13]) == len(lines) // 10
    assert int(file_control[13:21]) == 6
    assert int(file_control[21:31]) == expected_hash
    assert int(file_control[43:55]) == sum(amounts)
    assert batch.total == Decimal("19833.38")


def test_the_same_batch_downloads_the_same_file(batch, finance_2, finance_1):
    assert payment_batch_nacha(batch=batch, by=finance_2) == payment_batch_nacha(batch=batch, by=finance_1)


def test_nacha_is_refused_for_non_us_funds(batch, finance_1):
    batch.fund.currency = "CAD"
    batch.fund.jurisdiction = "CA"
    batch.fund.save()
    with pytest.raises(PaymentError):
        payment_batch_nacha(batch=batch, by=finance_1)
