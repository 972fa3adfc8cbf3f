"""The listing feed: in process, and through Redis pub/sub, where a subscriber reading
one connection sees what another process's feed published."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from app.adapters.market.feed import LocalFeed, RedisFeed, decode, encode
from app.domain.shared.money import Money
from app.ports.market_feed import ListingUpdate
from tests.conftest import REDIS_URL, require

UPDATE = ListingUpdate("l1", Money.of("12.34", "EUR"), 99_500, "active", datetime.now(UTC))


def _first_update(feed, published: threading.Event) -> ListingUpdate | None:
    for update in feed.subscribe(timeout=0.1):
        published.set()  # subscribed: the publisher may go
        if update is not None:
            return update
    return None


def _received(subscriber, publisher) -> ListingUpdate | None:
    ready, got = threading.Event(), []
    reader = threading.Thread(target=lambda: got.append(_first_update(subscriber, ready)))
    reader.start()
    assert ready.wait(5)
    publisher.publish(UPDATE)
    reader.join(5)
    return got[0] if got else None


def test_an_update_reaches_every_local_subscriber():
    feed = LocalFeed()
    assert _received(feed, feed) == UPDATE


def test_an_update_encodes_exactly():
    assert decode(encode(UPDATE)) == UPDATE


def test_a_redis_feed_carries_updates_between_processes():
    url = require("redis", REDIS_URL)
    assert _received(RedisFeed(url), RedisFeed(url)) == UPDATE
