"""The tests use the product's own Stripe stand-in (fund/donations/standin/), under the name they always used."""

from fund.donations.standin.server import FakeStripe, decode_form, sign_payload

__all__ = ["FakeStripe", "decode_form", "sign_payload"]
