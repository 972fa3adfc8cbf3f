"""Helpers of the payments HTTP tests: an order ready to pay, webhooks signed as the
sandbox signs them, and the sandbox's stored events."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from app.adapters.sql.tables_payments import sandbox_events
from app.domain.payments import signature
from app.domain.payments.signature import parse_secrets
from tests.integration.identity import Caller
from tests.integration.market_support import Market

WEBHOOK = "/api/v1/payments/webhooks/sandbox"


def open_order(market: Market, buyer: Caller, tonnes: str = "2") -> dict:
    listing = market.listing("10")
    return market.order(buyer, market.quote(buyer, listing["id"], tonnes)["id"])


def start_payment(buyer: Caller, order_id: str, card: str, key: str | None = None) -> Any:
    headers = {**buyer.headers, **({"Idempotency-Key": key} if key else {})}
    return buyer.client.post(
        f"/api/v1/orders/{order_id}/payments",
        json={"method": "card", "payment_method": card},
        headers=headers,
    )


def secret(app: Any) -> str:
    return parse_secrets(app.extensions["platform"].settings.payments_sandbox_webhook_secret)[0]


def event_body(kind: str, reference: str, *, event_id: str, intent_id: str = "pi_x") -> bytes:
    obj = {"id": intent_id, "object": "payment_intent", "metadata": {"reference": reference}}
    return json.dumps({"id": event_id, "type": kind, "data": {"object": obj}}).encode()


def post_signed(
    client: Any, body: bytes, key: str, *, at: int | None = None, header: str | None = None
) -> Any:
    stamp = int(time.time()) if at is None else at
    signed = header or signature.sign(body, key, stamp)
    return client.post(
        WEBHOOK,
        data=body,
        headers={"Content-Type": "application/json", signature.HEADER: signed},
    )


def delivered_events(app: Any) -> list[tuple[str, bytes]]:
    """The sandbox's events already delivered, oldest first: (type, body)."""
    with app.extensions["platform"].db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(sandbox_events.c.type, sandbox_events.c.body)
            .where(sandbox_events.c.delivered_at.is_not(None))
            .order_by(sandbox_events.c.created_at)
        ).all()
    return [(row.type, bytes(row.body)) for row in rows]


def order_status(caller: Caller, order_id: str) -> str:
    return str(caller.get(f"/api/v1/orders/{order_id}").get_json()["status"])
