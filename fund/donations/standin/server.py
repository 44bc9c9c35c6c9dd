"""The Stripe test-mode stand-in: a small fake of Stripe's HTTP API, so giving works end to end with no Stripe account
and no network (`make run` starts it with `manage.py run_stripe_standin` when no Stripe keys are set; production
settings refuse it). The tests, the browser tests, the chaos drill and the benchmarks use the same class.

The real `stripe` library talks to it (settings.STRIPE_API_BASE = fake.url). It serves Checkout Sessions (create,
retrieve, list), events (list), billing portal sessions, and the money side shaped like the pinned API version:
charges (each with its balance transaction and Stripe's fee), refunds (create), disputes (a withdrawal with the dispute
fee when opened, a reinstatement when won), balance transactions (list by payout or by date, `expand[]=data.source`)
and payouts (list, retrieve), which sweep the available balance to the bank; records every request (method, path, headers incl.
Idempotency-Key, decoded params), honours idempotency keys, and hosts a pretend Checkout page that completes the
session, fires the signed webhook (signed exactly as Stripe signs: t=<ts>,v1=<hmac-sha256 of "<t>.<payload>">) and
redirects to the success URL.
"""

import hashlib
import hmac
import html
import itertools
import json
import re
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .money import StripeMoneyMixin


def sign_payload(payload: str, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def decode_form(body: str) -> dict:
    """Stripe's form encoding (a[b][0][c]=v) back to nested dicts/lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_listify(node[k]) for k in sorted(node, key=int)]
        return {k: _listify(v) for k, v in node.items()}
    return node


class FakeStripe(StripeMoneyMixin):
    def __init__(self, *, api_key="sk_test_fake", webhook_secret="whsec_test_secret", webhook_url=None):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.events: list[dict] = []
        self.portal_sessions: list[dict] = []
        self.deleted_customers: set[str] = set()
        self.invoices: dict[str, dict] = {}
        self.invoice_payments: list[dict] = []
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._ids = itertools.count(1)
        self.fail_next = 0  # answer this many API calls with a 500
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.disputes: dict[str, dict] = {}
        self.balance_transactions: dict[str, dict] = {}
        self.payouts: dict[str, dict] = {}
        # Stripe's standard card pricing; a test may set another rate for one charge (e.g. an international card).
        self.fee_percent = 0.029
        self.fee_fixed = 30
        self.dispute_fee = 1500
        self.server = None

    # --- lifecycle -----------------------------------------------------------------------------------------------
    def start(self, port: int = 0):
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def new_id(self, prefix):
        return f"{prefix}_test_{next(self._ids):06d}"

    # --- behaviour -----------------------------------------------------------------------------------------------
    def create_session(self, params: dict) -> dict:
        amount = sum(
            int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
            for item in params.get("line_items", [])
        )
        currency = params["line_items"][0]["price_data"]["currency"] if params.get("line_items") else "usd"
        sid = self.new_id("cs")
        session = {
            "id": sid,
            "object": "checkout.session",
            "created": int(time.time()),
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "submit_type": params.get("submit_type"),
            "locale": params.get("locale"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "url": f"{self.url}/checkout/{sid}",
            "livemode": False,
        }
        self.sessions[sid] = session
        return session

    def complete_session(self, session_id: str, *, paid: bool = True, amount_total: int | None = None) -> dict:
        """The donor paid (or, with paid=False, chose a delayed payment method)."""
        with self.lock:
            s = self.sessions[session_id]
            s["status"] = "complete"
            s["payment_status"] = "paid" if paid else "unpaid"
            s["customer"] = s["customer"] or self.new_id("cus")
            if amount_total is not None:
                s["amount_total"] = amount_total
            if s["mode"] == "subscription":
                s["subscription"] = s["subscription"] or self.new_id("sub")
                if not s["invoice"]:
                    first = self._new_invoice(
                        s["subscription"], s["amount_total"], s["currency"], "subscription_create"
                    )
                    s["invoice"] = first["id"]
            else:
                if not s["payment_intent"]:
                    s["payment_intent"] = self.new_id("pi")
                    if paid:
                        self._new_charge(s["payment_intent"], s["amount_total"], s["currency"], s["metadata"])
            return dict(s)

    def _new_invoice(self, subscription_id, amount, currency, billing_reason, *, paid=True):
        """An invoice as the pinned API version (basil and later) shapes it: the subscription under
        parent.subscription_details, and no payment_intent or charge field; its payment is an InvoicePayment."""
        invoice = {
            "id": self.new_id("in"),
            "object": "invoice",
            "created": int(time.time()),
            "billing_reason": billing_reason,
            "currency": currency,
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "status": "paid" if paid else "open",
            "livemode": False,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription_id}},
        }
        self.invoices[invoice["id"]] = invoice
        if paid:
            intent = self.new_id("pi")
            self._new_charge(intent, amount, currency, {}, invoice=invoice["id"])
            self.invoice_payments.append(
                {
                    "id": self.new_id("inpay"),
                    "object": "invoice_payment",
                    "created": invoice["created"],
                    "invoice": invoice["id"],
                    "amount_paid": amount,
                    "currency": currency,
                    "status": "paid",
                    "is_default": True,
                    "payment": {"type": "payment_intent", "payment_intent": intent},
                }
            )
        return invoice

    def renew(self, subscription_id: str, amount: int, currency: str = "usd", *, paid: bool = True) -> dict:
        """The next month of a subscription: a new invoice (paid, or open after a failed payment)."""
        with self.lock:
            return dict(self._new_invoice(subscription_id, amount, currency, "subscription_cycle", paid=paid))

    def invoice(self, invoice_id: str) -> dict:
        with self.lock:
            return dict(self.invoices[invoice_id])

    def payment_intent_of(self, invoice_id: str) -> str:
        with self.lock:
            return next(p["payment"]["payment_intent"] for p in self.invoice_payments if p["invoice"] == invoice_id)

    def async_paid(self, session_id: str) -> dict:
        with self.lock:
            self.sessions[session_id]["payment_status"] = "paid"
            return dict(self.sessions[session_id])

    def event(self, type_: str, obj: dict, *, event_id: str | None = None) -> dict:
        event = {
            "id": event_id or self.new_id("evt"),
            "object": "event",
            "type": type_,
            "created": int(time.time()),
            "api_version": "2025-10-29.clover",
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": obj},
            "request": {"id": None, "idempotency_key": None},
        }
        with self.lock:
            self.events.append(event)
        return event

    def sign(self, payload: str, *, timestamp: int | None = None, secret: str | None = None) -> str:
        return sign_payload(payload, secret or self.webhook_secret, timestamp)

    def deliver(self, event: dict, url: str | None = None) -> int:
        payload = json.dumps(event)
        req = urllib.request.Request(
            url or self.webhook_url,
            data=payload.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": self.sign(payload)},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def captured(self, method=None, path_prefix=""):
        return [
            r for r in self.requests if (method is None or r["method"] == method) and r["path"].startswith(path_prefix)
        ]


def _page(items, query):
    items = sorted(items, key=lambda o: (o.get("created", 0), o["id"]), reverse=True)
    gte = query.get("created", {}).get("gte") if isinstance(query.get("created"), dict) else None
    if gte:
        items = [o for o in items if o.get("created", 0) >= int(gte)]
    if query.get("starting_after"):
        ids = [o["id"] for o in items]
        if query["starting_after"] in ids:
            items = items[ids.index(query["starting_after"]) + 1 :]
    limit = int(query.get("limit", 10))
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Small JSON answers: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, message, type_="invalid_request_error"):
        self._send(status, {"error": {"type": type_, "message": message}})

    def _handle(self, method):
        fake = self.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = decode_form(body if method == "POST" else parts.query)
        path = parts.path
        if path.startswith("/checkout/"):
            return self._checkout_page(method, path)
        with fake.lock:
            fake.requests.append(
                {"method": method, "path": path, "headers": dict(self.headers.items()), "params": params}
            )
            if fake.fail_next:
                fake.fail_next -= 1
                return self._error(500, "Fake Stripe outage", "api_error")
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._error(401, "Invalid API Key provided", "authentication_error")
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        if key and key in fake._idempotent:
            status, cached = fake._idempotent[key]
            return self._send(status, cached, headers={"Idempotent-Replayed": "true"})
        status, result = self._route(method, path, params)
        if key and status < 500:
            fake._idempotent[key] = (status, result)
        return self._send(status, result)

    def _route(self, method, path, params):
        fake = self.fake
        if path == "/v1/checkout/sessions" and method == "POST":
            with fake.lock:
                return 200, fake.create_session(params)
        if path == "/v1/checkout/sessions" and method == "GET":
            with fake.lock:
                return 200, {**_page(list(fake.sessions.values()), params), "url": path}
        m = re.fullmatch(r"/v1/checkout/sessions/([\w]+)", path)
        if m and method == "GET":
            with fake.lock:
                session = fake.sessions.get(m.group(1))
            if session is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "No such checkout.session"}}
            return 200, dict(session)
        if path == "/v1/invoice_payments" and method == "GET":
            payment = params.get("payment") or {}
            with fake.lock:
                found = [
                    p
                    for p in fake.invoice_payments
                    if (not params.get("invoice") or p["invoice"] == params["invoice"])
                    and (
                        not payment.get("payment_intent") or p["payment"]["payment_intent"] == payment["payment_intent"]
                    )
                    and (not params.get("status") or p["status"] == params["status"])
                ]
                return 200, {**_page(found, params), "url": path}
        if path == "/v1/balance_transactions" and method == "GET":
            expand = "data.source" in (params.get("expand") or [])
            with fake.lock:
                found = [
                    bt
                    for bt in fake.balance_transactions.values()
                    if not params.get("payout") or bt["payout"] == params["payout"]
                ]
                page = _page(found, params)
                page["data"] = [fake._served(bt, expand) for bt in page["data"]]
                return 200, {**page, "url": path}
        if path == "/v1/payouts" and method == "GET":
            with fake.lock:
                return 200, {**_page([dict(p) for p in fake.payouts.values()], params), "url": path}
        m = re.fullmatch(r"/v1/(payouts|charges|disputes)/([\w]+)", path)
        if m and method == "GET":
            store = {"payouts": fake.payouts, "charges": fake.charges, "disputes": fake.disputes}[m.group(1)]
            with fake.lock:
                found = store.get(m.group(2))
            if found is None:
                return 404, {"error": {"type": "invalid_request_error", "message": f"No such {m.group(1)[:-1]}"}}
            return 200, json.loads(json.dumps(found))
        if path == "/v1/refunds" and method == "POST":
            with fake.lock:
                charge = next(
                    (
                        c
                        for c in fake.charges.values()
                        if c["payment_intent"] == params.get("payment_intent") or c["id"] == params.get("charge")
                    ),
                    None,
                )
                if charge is None:
                    return 404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
                left = charge["amount"] - charge["amount_refunded"]
                amount = int(params.get("amount") or left)
                if amount > left:
                    return 400, {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "charge_already_refunded",
                            "message": "Refund exceeds the charge",
                        }
                    }
                refund = fake._refund(charge, amount)
                charge_now = dict(charge)
            fake.event("charge.refunded", charge_now)
            return 200, refund
        if path == "/v1/events" and method == "GET":
            with fake.lock:
                return 200, {**_page(list(fake.events), params), "url": path}
        customer = re.fullmatch(r"/v1/customers/(cus_\w+)", path)
        if customer and method == "DELETE":
            # Stripe answers a deleted customer with this stub (and 404 resource_missing if it is already gone).
            with fake.lock:
                gone = customer.group(1) in fake.deleted_customers
                fake.deleted_customers.add(customer.group(1))
            if gone:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            return 200, {"id": customer.group(1), "object": "customer", "deleted": True}
        if path == "/v1/billing_portal/sessions" and method == "POST":
            portal = {
                "id": fake.new_id("bps"),
                "object": "billing_portal.session",
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
                "url": f"{fake.url}/portal/{params.get('customer')}",
            }
            fake.portal_sessions.append(portal)
            return 200, portal
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({method}: {path})"}
        }

    def _checkout_page(self, method, path):
        """The pretend hosted Checkout: GET shows a Pay button; POST pays, fires the webhook, redirects to success_url."""
        fake = self.fake
        m = re.fullmatch(r"/checkout/([\w]+)(/pay)?", path)
        session = fake.sessions.get(m.group(1)) if m else None
        if session is None:
            return self._send(404, "<h1>Not found</h1>", "text/html")
        if method == "GET":
            amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            every = " every month" if session["mode"] == "subscription" else ""
            back = html.escape(session.get("cancel_url") or "", quote=True)
            page = (
                "<!doctype html><html lang=en><head><meta charset=utf-8>"
                '<meta name=viewport content="width=device-width, initial-scale=1">'
                "<title>Test checkout (no real money)</title></head><body><main>"
                "<p role=note><strong>Test mode, no real money.</strong> This is the portal's Stripe stand-in: "
                "no card is asked for and nothing is charged.</p>"
                f"<h1>Test checkout</h1><p>Pay {amount}{every}</p>"
                f"<form method=post action=/checkout/{session['id']}/pay><button type=submit>Pay</button></form>"
                + (f'<p><a href="{back}">Cancel and go back</a></p>' if back else "")
                + "</main></body></html>"
            )
            return self._send(200, page, "text/html; charset=utf-8")
        completed = fake.complete_session(session["id"])
        if fake.webhook_url:
            fake.deliver(fake.event("checkout.session.completed", completed))
        location = completed["success_url"].replace("{CHECKOUT_SESSION_ID}", completed["id"])
        return self._send(303, b"", "text/html", headers={"Location": location})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")
