"""`GET /market/stream`: listings' price and availability as server-sent events.

Every change is an event `price` whose data is one JSON object (`PRICE_EVENT`). With
`listing_id`, the stream opens with that listing as it stands, then follows it alone. A
comment line (`: keep-alive`) goes out when nothing happened for a heartbeat (at most
`HEARTBEAT_SECONDS`): it keeps proxies from closing an idle stream, and writing it is how
a server notices a client that went away. The stream ends after `max_seconds` (within a
heartbeat), and its first line (`retry:`) tells an `EventSource` how soon to reconnect:
no stream holds a worker forever."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Generator, Iterator
from typing import Any

from flask import Response, stream_with_context

from app.domain.marketplace import services
from app.domain.shared.quantity import Quantity
from app.http.common.auth import public
from app.http.common.blueprint import View
from app.http.common.deps import platform, uow
from app.http.marketplace import schemas as s
from app.http.marketplace.blueprint import blp
from app.http.marketplace.money import amount_text
from app.ports.market_feed import ListingUpdate, MarketFeed

EVENT_STREAM = "text/event-stream"
HEARTBEAT_SECONDS = 15
RETRY_MILLISECONDS = 3000

PRICE_DATA: dict[str, Any] = {
    "type": "object",
    "required": ["listing_id", "unit_price", "currency", "available", "status", "at"],
    "properties": {
        "listing_id": {"type": "string"},
        "unit_price": {"type": "string", "description": "per tonne, decimal string"},
        "currency": {"type": "string"},
        "available": {"type": "string", "description": "decimal tonnes"},
        "status": {"type": "string", "enum": ["active", "sold_out", "withdrawn"]},
        "at": {"type": "string", "format": "date-time"},
    },
}
# One event of the stream (OpenAPI 3.1 documents `text/event-stream` event by event).
PRICE_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["price"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": PRICE_DATA,
        },
    },
}


def price_event(update: ListingUpdate) -> str:
    data = {
        "listing_id": update.listing_id,
        "unit_price": amount_text(update.unit_price),
        "currency": update.unit_price.currency,
        "available": Quantity(max(update.available_kg, 0)).tonnes_str(),
        "status": update.status,
        "at": update.at.isoformat(),
    }
    return f"event: price\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def heartbeat(max_seconds: int) -> float:
    """The longest silence: at most `HEARTBEAT_SECONDS`, and a whole fraction of
    `max_seconds`, so an idle stream ends on time."""
    return max_seconds / math.ceil(max_seconds / HEARTBEAT_SECONDS)


def events(
    feed: MarketFeed, listing_id: str | None, first: ListingUpdate | None, max_seconds: int
) -> Iterator[str]:
    deadline = time.monotonic() + max_seconds
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    if first is not None:
        yield price_event(first)
    updates = feed.subscribe(heartbeat(max_seconds))
    try:
        for update in updates:
            if update is None:
                yield ": keep-alive\n\n"
            elif listing_id is None or update.listing_id == listing_id:
                yield price_event(update)
            if time.monotonic() >= deadline:
                return
    finally:
        if isinstance(updates, Generator):
            updates.close()


def _documented_as_event_stream(view: View) -> View:
    """Document the 200 response as `text/event-stream`, event by event (what
    `ApiBlueprint.response` cannot say: its schemas are marshmallow's, and an event's
    `data` is JSON inside a string, `contentMediaType` and `contentSchema`)."""
    doc = getattr(view, "_apidoc", {})
    manual = doc.get("manual_doc", {})
    response = {
        "description": "Server-sent events: `price` on every change of a listing's price or"
        " availability, `: keep-alive` comments between them",
        "content": {EVENT_STREAM: {"schema": PRICE_EVENT}},
    }
    responses = {**manual.get("responses", {}), "200": response}
    vars(view)["_apidoc"] = {**doc, "manual_doc": {**manual, "responses": responses}}
    return view


@blp.route("/market/stream", methods=["GET"])
@public
@_documented_as_event_stream
@blp.arguments(s.StreamArgs, location="query")
@blp.alt_response(404, description="No such listing")
def stream(args: dict[str, Any]) -> Response:
    """Live prices and availability of listings (or of one, `listing_id`) as server-sent
    events, for `max_seconds` (reconnect to go on)."""
    listing_id = args.get("listing_id")
    first = None
    if listing_id is not None:
        listing = services.get_listing(listing_id, uow=uow())
        first = services.update_of(listing, platform().clock.now())
    body = events(platform().market.feed, listing_id, first, args["max_seconds"])
    return Response(
        stream_with_context(body),
        mimetype=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
