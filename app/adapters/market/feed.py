"""The listing feed behind `GET /market/stream`.

`LocalFeed` fans updates out to the subscribers of this process (the embedded default);
`RedisFeed` publishes on a Redis channel and every process's subscribers read it, so a
stream served by one gunicorn worker sees the orders taken by another."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import redis

from app.domain.shared.money import Money
from app.ports.market_feed import ListingUpdate

CHANNEL = "market:listings"


def encode(update: ListingUpdate) -> str:
    return json.dumps(
        {
            "listing_id": update.listing_id,
            "amount": str(update.unit_price.amount),
            "currency": update.unit_price.currency,
            "available_kg": update.available_kg,
            "status": update.status,
            "at": update.at.isoformat(),
        }
    )


def decode(text: str | bytes) -> ListingUpdate:
    data = json.loads(text)
    return ListingUpdate(
        listing_id=str(data["listing_id"]),
        unit_price=Money(Decimal(data["amount"]), str(data["currency"])),
        available_kg=int(data["available_kg"]),
        status=str(data["status"]),
        at=datetime.fromisoformat(data["at"]),
    )


class LocalFeed:
    """Subscribers of this process, each with its own bounded queue (a slow reader loses
    its oldest updates, never blocks a publisher)."""

    def __init__(self, backlog: int = 1000) -> None:
        self._lock = threading.Lock()
        self._queues: set[queue.Queue[ListingUpdate]] = set()
        self._backlog = backlog

    def publish(self, update: ListingUpdate) -> None:
        with self._lock:
            targets = list(self._queues)
        for target in targets:
            while True:
                try:
                    target.put_nowait(update)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        target.get_nowait()

    def subscribe(self, timeout: float) -> Iterator[ListingUpdate | None]:
        inbox: queue.Queue[ListingUpdate] = queue.Queue(self._backlog)
        with self._lock:
            self._queues.add(inbox)
        try:
            while True:
                try:
                    yield inbox.get(timeout=timeout)
                except queue.Empty:
                    yield None
        finally:
            with self._lock:
                self._queues.discard(inbox)


class RedisFeed:
    """Updates published on `CHANNEL`; each subscription is its own pub/sub connection."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)

    def publish(self, update: ListingUpdate) -> None:
        # Best effort: a reader that reconnects reads the listing again.
        with contextlib.suppress(redis.RedisError):
            self._client.publish(CHANNEL, encode(update))

    def subscribe(self, timeout: float) -> Iterator[ListingUpdate | None]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        try:
            while True:
                message = pubsub.get_message(timeout=timeout)
                if message is None or message.get("type") != "message":
                    yield None
                    continue
                yield decode(message["data"])
        finally:
            pubsub.close()
