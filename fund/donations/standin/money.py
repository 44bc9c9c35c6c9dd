"""The money side of the fake Stripe (tests/fakes/stripe_server.py), shaped like the pinned API version: charges with
their balance transactions and Stripe's fee, refunds, disputes (a withdrawal with the dispute fee when opened, a
reinstatement when won) and payouts that sweep the available balance to the bank. Mixed into FakeStripe, whose lock,
ids and event list it uses."""

import json
import time


class StripeMoneyMixin:
    # --- money: charges, fees, refunds, disputes, payouts (call with self.lock held) -----------------------------------
    def _new_bt(self, *, amount, fee, type_, category, source, currency, created=None):
        created = created or int(time.time())
        bt = {
            "id": self.new_id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "fee": fee,
            "net": amount - fee,
            "currency": currency,
            "created": created,
            "available_on": created,
            "description": None,
            "fee_details": [
                {"amount": fee, "currency": currency, "description": "Stripe processing fees", "type": "stripe_fee"}
            ]
            if fee
            else [],
            "reporting_category": category,
            "source": source,
            "status": "available",
            "type": type_,
            "payout": None,  # the fake's own bookkeeping: which payout swept it (not in Stripe's shape, never served)
        }
        self.balance_transactions[bt["id"]] = bt
        return bt

    def _new_charge(self, payment_intent, amount, currency, metadata, *, invoice=None, fee=None):
        charge_id = self.new_id("ch")
        if fee is None:
            fee = int(round(amount * self.fee_percent)) + self.fee_fixed
        bt = self._new_bt(
            amount=amount, fee=fee, type_="charge", category="charge", source=charge_id, currency=currency
        )
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "balance_transaction": bt["id"],
            "created": bt["created"],
            "currency": currency,
            "disputed": False,
            "metadata": metadata or {},
            "paid": True,
            "payment_intent": payment_intent,
            "refunded": False,
            "status": "succeeded",
            "livemode": False,
        }
        if invoice:
            charge["invoice"] = invoice
        self.charges[charge_id] = charge
        return charge

    def charge_of(self, payment_intent: str) -> dict:
        with self.lock:
            return dict(next(c for c in self.charges.values() if c["payment_intent"] == payment_intent))

    def set_fee(self, payment_intent: str, fee: int):
        """Stripe's actual fee for one charge differs from the standard rate (e.g. an international card)."""
        with self.lock:
            charge = next(c for c in self.charges.values() if c["payment_intent"] == payment_intent)
            bt = self.balance_transactions[charge["balance_transaction"]]
            bt["fee"], bt["net"] = fee, bt["amount"] - fee
            bt["fee_details"][0]["amount"] = fee

    def _refund(self, charge, amount):
        refund_id = self.new_id("re")
        bt = self._new_bt(
            amount=-amount, fee=0, type_="refund", category="refund", source=refund_id, currency=charge["currency"]
        )
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": bt["id"],
            "charge": charge["id"],
            "created": bt["created"],
            "currency": charge["currency"],
            "payment_intent": charge["payment_intent"],
            "status": "succeeded",
        }
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return refund

    def refund(self, payment_intent: str, amount: int | None = None) -> dict:
        """Refund (part of) a charge as the Dashboard would; Stripe keeps its fee. Records charge.refunded."""
        with self.lock:
            charge = next(c for c in self.charges.values() if c["payment_intent"] == payment_intent)
            refund = self._refund(charge, amount or charge["amount"] - charge["amount_refunded"])
            charge_now = dict(charge)
        self.event("charge.refunded", charge_now)
        return refund

    def open_dispute(self, payment_intent: str, *, amount: int | None = None) -> dict:
        """A cardholder disputes a charge: Stripe withdraws the amount and its dispute fee at once."""
        with self.lock:
            charge = next(c for c in self.charges.values() if c["payment_intent"] == payment_intent)
            dispute_id = self.new_id("dp")
            amount = amount or charge["amount"]
            bt = self._new_bt(
                amount=-amount,
                fee=self.dispute_fee,
                type_="adjustment",
                category="dispute",
                source=dispute_id,
                currency=charge["currency"],
            )
            dispute = {
                "id": dispute_id,
                "object": "dispute",
                "amount": amount,
                "balance_transactions": [self._served(bt)],
                "charge": charge["id"],
                "created": bt["created"],
                "currency": charge["currency"],
                "is_charge_refundable": False,
                "payment_intent": charge["payment_intent"],
                "reason": "fraudulent",
                "status": "needs_response",
                "livemode": False,
            }
            charge["disputed"] = True
            self.disputes[dispute_id] = dispute
            snapshot = json.loads(json.dumps(dispute))
        self.event("charge.dispute.created", snapshot)
        self.event("charge.dispute.funds_withdrawn", snapshot)
        return snapshot

    def close_dispute(self, dispute_id: str, *, won: bool, fee_returned: bool = False) -> dict:
        """The card network decides: won reinstates the amount (and the fee, if `fee_returned`); lost keeps both."""
        with self.lock:
            dispute = self.disputes[dispute_id]
            dispute["status"] = "won" if won else "lost"
            if won:
                bt = self._new_bt(
                    amount=dispute["amount"],
                    fee=-self.dispute_fee if fee_returned else 0,
                    type_="adjustment",
                    category="dispute_reversal",
                    source=dispute_id,
                    currency=dispute["currency"],
                )
                dispute["balance_transactions"].append(self._served(bt))
            snapshot = json.loads(json.dumps(dispute))
        if won:
            self.event("charge.dispute.funds_reinstated", snapshot)
        self.event("charge.dispute.closed", snapshot)
        return snapshot

    def payout(self, *, status: str = "paid", arrival_date: int | None = None) -> dict:
        """Sweep every available balance transaction not yet paid out to the bank, as an automatic payout does."""
        with self.lock:
            swept = [bt for bt in self.balance_transactions.values() if bt["payout"] is None and bt["type"] != "payout"]
            amount = sum(bt["net"] for bt in swept)
            payout_id = self.new_id("po")
            currency = swept[0]["currency"] if swept else "usd"
            own = self._new_bt(
                amount=-amount, fee=0, type_="payout", category="payout", source=payout_id, currency=currency
            )
            now = int(time.time())
            payout = {
                "id": payout_id,
                "object": "payout",
                "amount": amount,
                "arrival_date": arrival_date or now,
                "automatic": True,
                "balance_transaction": own["id"],
                "created": now,
                "currency": currency,
                "description": "STRIPE PAYOUT",
                "method": "standard",
                "status": status,
                "type": "bank_account",
                "livemode": False,
            }
            for bt in [*swept, own]:
                bt["payout"] = payout_id
            self.payouts[payout_id] = payout
            snapshot = dict(payout)
        self.event(f"payout.{status}" if status in ("paid", "failed") else "payout.created", snapshot)
        return snapshot

    def _served(self, bt, expand_source=False):
        served = {k: v for k, v in bt.items() if k != "payout"}
        if expand_source:
            source = bt["source"]
            for store in (self.charges, self.refunds, self.disputes, self.payouts):
                if source in store:
                    served["source"] = json.loads(json.dumps(store[source]))
        return served
