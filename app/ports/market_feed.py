"""Live price and availability changes of listings, for the server-sent events stream."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.domain.shared.money import Money


@dataclass(frozen=True)
class ListingUpdate:
    listing_id: str
    unit_price: Money
    available_kg: int
    status: str
    at: datetime


class MarketFeed(Protocol):
    def publish(self, update: ListingUpdate) -> None:
        """Tell every subscriber, in this process and in the others (best effort: a
        subscriber that reconnects reads the listing again)."""
        ...

    def subscribe(self, timeout: float) -> Iterator[ListingUpdate | None]:
        """Updates as they come; None after `timeout` seconds without one (a heartbeat).
        The iterator ends when closed."""
        ...
