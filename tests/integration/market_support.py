"""HTTP helpers of the marketplace tests: minted credits listed by their issuer, buyers,
quotes and orders, and indexing the embedded chain until something is true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.auth import organizations as org_service
from app.domain.auth.permissions import OrgRole
from tests.integration.identity import Caller, signed_in, wait_for
from tests.integration.test_credits_flow import _index_until, _minted

SELLER_ORG = "org-issuer"  # the issuer's organization in the PoAI flow
BUYER_ORG = "org-buyer"


OPEN_STATUSES = {"processing", "requires_action", "pending"}


@dataclass(frozen=True)
class Settled:
    """A payment's answer as it stands once the provider's webhook arrived."""

    status_code: int
    body: dict

    def get_json(self) -> dict:
        return self.body


@dataclass
class Market:
    app: Any
    client: Any
    issuer: Caller
    admin: Caller
    project_id: str

    @property
    def platform(self) -> Any:
        return self.app.extensions["platform"]

    def buyer(self, email: str = "buyer@example.org") -> Caller:
        return signed_in(self.app, self.client, email)

    def listing(self, quantity: str = "10", base: str = "12.00", currency: str = "EUR") -> dict:
        body = {
            "project_id": self.project_id,
            "vintage": 2024,
            "quantity": quantity,
            "base_price": {"amount": base, "currency": currency},
        }
        created = self.issuer.post("/api/v1/market/listings", json=body)
        assert created.status_code == 201, created.get_json()
        return dict(created.get_json())

    def quote(self, buyer: Caller, listing_id: str, quantity: str, **extra: Any) -> dict:
        body = {
            "listing_id": listing_id,
            "quantity": quantity,
            "currency": "EUR",
            "payment_method": "card",
            **extra,
        }
        quoted = buyer.post("/api/v1/market/quotes", json=body)
        assert quoted.status_code == 201, quoted.get_json()
        return dict(quoted.get_json())

    def order(self, buyer: Caller, quote_id: str, **extra: Any) -> dict:
        ordered = buyer.post("/api/v1/orders", json={"quote_id": quote_id, **extra})
        assert ordered.status_code == 201, ordered.get_json()
        return dict(ordered.get_json())

    def pay(self, buyer: Caller, order_id: str, card: str = "pm_card_visa", **headers: str) -> Any:
        """Pay with a sandbox card (`pm_card_chargeDeclined` is declined) and wait until
        the sandbox's webhook told its outcome (`settled`); a refusal is returned as is."""
        posted = buyer.client.post(
            f"/api/v1/orders/{order_id}/payments",
            json={"method": "card", "payment_method": card},
            headers={**buyer.headers, **headers},
        )
        if posted.status_code != 201 or posted.get_json()["status"] == "requires_action":
            return posted
        return Settled(posted.status_code, self.settled(buyer, posted.get_json()["id"]))

    def settled(self, caller: Caller, payment_id: str, timeout: float = 30.0) -> dict:
        """The payment once its outcome arrived by webhook (the worker delivers it)."""

        def outcome() -> dict | None:
            payment = caller.get(f"/api/v1/payments/{payment_id}").get_json()
            return None if payment["status"] in OPEN_STATUSES else payment

        return dict(wait_for(outcome, timeout=timeout, interval=0.05))

    def available(self, listing_id: str) -> str:
        return str(self.client.get(f"/api/v1/market/listings/{listing_id}").get_json()["available"])

    def index_until(self, predicate: Any, timeout: float = 60.0) -> Any:
        return _index_until(self.app, predicate, timeout=timeout)

    def retired_by(self, buyer: Caller, order_id: str) -> dict:
        """The retirement of a buy-and-retire order once confirmed (indexing until then)."""

        def retired() -> dict | None:
            now = buyer.get(f"/api/v1/orders/{order_id}").get_json()
            if now["retirement_id"] is None:
                return None
            retirement = buyer.get(f"/api/v1/retirements/{now['retirement_id']}").get_json()
            return retirement if retirement["status"] == "confirmed" else None

        return dict(self.index_until(retired))


def minted_market(app: Any, client: Any, quantity: str = "50") -> Market:
    """An approved project with `quantity` t of vintage 2024 minted and indexed."""
    issuer, admin, pid, _ = _minted(app, client, quantity)
    return Market(app, client, issuer, admin, pid)


def organization(app: Any, members: list[tuple[Caller, OrgRole]], org_id: str = BUYER_ORG) -> str:
    platform = app.extensions["platform"]
    org_service.ensure_organization(
        org_id,
        "Buyer Co",
        {caller.user_id: role for caller, role in members},
        uow=platform.uow(),
        clock=platform.clock,
    )
    return org_id
