"""The ledger world with credits minted to the seller organization, and the marketplace
around it: the fakes of its ports (rates, feed) and the loop that takes a paid
order to the chain and back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.marketplace import jobs, order_payments, orders, quotes, services
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.fx import RateUnavailable
from app.domain.marketplace.model import Listing, Order, Quote
from app.domain.shared.ids import new_id
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity
from app.ports.market_feed import ListingUpdate
from tests.unit.builders import PID
from tests.unit.ledger_world import ISSUER, LedgerWorld

BUYER_ORG = "org-buyer"
BUYER = Principal("u-buyer", "user", frozenset({Role.RETAIL}))
BUYER_FINANCE = Principal(
    "u-buyer-finance", "user", frozenset({Role.ENTERPRISE}), {BUYER_ORG: OrgRole.FINANCE}
)
BUYER_ADMIN = Principal(
    "u-buyer-admin", "user", frozenset({Role.ENTERPRISE}), {BUYER_ORG: OrgRole.ADMIN}
)


class FakeRates:
    """EUR per unit: USD 0.9, GBP 1.15."""

    as_of = date(2026, 11, 30)
    _eur = {"EUR": Decimal(1), "USD": Decimal("0.9"), "GBP": Decimal("1.15")}

    def rate(self, base: str, quote: str) -> Decimal:
        if base not in self._eur or quote not in self._eur:
            raise RateUnavailable(f"no rate from {base} to {quote}")
        return self._eur[base] / self._eur[quote]


class FakeFeed:
    def __init__(self) -> None:
        self.updates: list[ListingUpdate] = []

    def publish(self, update: ListingUpdate) -> None:
        self.updates.append(update)

    def subscribe(self, timeout: float) -> Iterator[ListingUpdate | None]:
        yield from self.updates


class MarketWorld(LedgerWorld):
    """Credits minted to the seller organization (50 t of vintage 2024), a base price."""

    def __init__(self) -> None:
        self.feed = FakeFeed()
        self.market = services.MarketSettings(rates=FakeRates(), feed=self.feed)
        super().__init__()
        self.minted(kg=50_000)

    # --- use cases ----------------------------------------------------------------------

    def list(self, kg: int = 10_000, *, base: str = "12.00", floor: str | None = None) -> Listing:
        return services.create_listing(
            ISSUER,
            project_id=PID,
            vintage=2024,
            quantity=Quantity(kg),
            base_price=Money.of(base, "EUR"),
            floor_price=None if floor is None else Money.of(floor, "EUR"),
            organization_id=None,
            uow=self.uow,
            clock=self.clock,
            custody=self.custody,
            market=self.market,
        )

    def quote(
        self,
        listing: Listing,
        kg: int,
        *,
        buyer: Principal = BUYER,
        currency: str = "EUR",
        organization_id: str | None = None,
        payment_method: PaymentMethod = "card",
    ) -> Quote:
        return quotes.create_quote(
            buyer,
            listing_id=listing.id,
            quantity=Quantity(kg),
            currency=currency,
            payment_method=payment_method,
            organization_id=organization_id,
            uow=self.uow,
            clock=self.clock,
            market=self.market,
        )

    def order(
        self,
        quote: Quote,
        *,
        buyer: Principal = BUYER,
        organization_id: str | None = None,
        retire: orders.RetireOnDelivery | None = None,
        deliver_to: str | None = None,
    ) -> Order:
        return orders.create_order(
            buyer,
            quote_id=quote.id,
            organization_id=organization_id,
            retire=retire,
            uow=self.uow,
            clock=self.clock,
            custody=self.custody,
            market=self.market,
            deliver_to=deliver_to,
        )

    def pay(self, order: Order, *, buyer: Principal = BUYER) -> Order:
        """What a succeeded card payment does to the order (the payments module's
        webhook): checked payable, then settled."""
        with self.uow:
            order_payments.payable_order(
                buyer, order.id, method="card", uow=self.uow, clock=self.clock
            )
            order_payments.settle_payment(
                order.id, f"pay_{new_id()}", uow=self.uow, clock=self.clock
            )
            self.uow.commit()
        return self.order_now(order.id)

    def run_jobs(self) -> list[str]:
        ran = super().run_jobs()
        for job in list(self.uow.outbox.jobs.values()):
            if job.done_at is not None:
                continue
            if job.name == "market.fulfil":
                jobs.deliver_order(
                    str(job.payload["order_id"]), uow=self.uow, chain=self.chain_writes
                )
            elif job.name == "market.retire":
                jobs.retire_delivered_order(
                    str(job.payload["order_id"]), uow=self.uow, clock=self.clock
                )
            else:
                continue
            job.done_at = self.clock.now()
            ran.append(job.name)
        return ran

    def listing(self, listing_id: str) -> Listing:
        found = self.uow.market.get_listing(listing_id)
        assert found is not None
        return found

    def order_now(self, order_id: str) -> Order:
        found = self.uow.market.get_order(order_id)
        assert found is not None
        return found
