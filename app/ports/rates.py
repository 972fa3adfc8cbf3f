"""Exchange rates: how a quote in another currency than its listing's is converted, and
what a chain's native coin (ETH) is worth, for payments in it.

The domain converts with `app.domain.marketplace.fx`; an implementation of this port only
says what the rates are, and as of when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from app.domain.marketplace.fx import RateUnavailable

__all__ = ["ExchangeRates", "MarketRates", "NativeRates", "RateUnavailable"]


class ExchangeRates(Protocol):
    def rate(self, base: str, quote: str) -> Decimal:
        """Units of `quote` one unit of `base` buys (ISO 4217 codes), a positive Decimal;
        exactly 1 when `base == quote`. Raises `RateUnavailable` (code `rate_unavailable`)
        when there is no rate between the two."""
        ...

    @property
    def as_of(self) -> date:
        """The day the rates are for."""
        ...


class NativeRates(Protocol):
    def native_rate(self, native: str, currency: str) -> Decimal:
        """Units of `currency` (ISO 4217) one unit of the chain's native coin `native`
        (e.g. `ETH`) buys, a positive Decimal. Raises `RateUnavailable` when unknown."""
        ...

    @property
    def as_of(self) -> date: ...


class MarketRates(ExchangeRates, NativeRates, Protocol):
    """Both: what the platform's rate source gives."""
