"""The marketplace world with payments: a fake provider, paying and refunding orders, and
webhooks applied as the endpoint applies them."""

from __future__ import annotations

from app.domain.auth.principal import Principal
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Order
from app.domain.payments import services, webhooks
from app.domain.payments.model import Payment, Refund
from app.domain.shared.money import Money
from app.ports.payment_gateway import EventKind
from tests.fakes.payments import FakePaymentsUoW, FakeProvider
from tests.unit.marketplace.market_world import BUYER, MarketWorld


class PaymentsWorld(MarketWorld):
    UOW = FakePaymentsUoW
    uow: FakePaymentsUoW

    def __init__(self) -> None:
        super().__init__()
        self.provider = FakeProvider(self.clock)

    def open_order(
        self,
        kg: int = 2_000,
        *,
        buyer: Principal = BUYER,
        organization_id: str | None = None,
        method: PaymentMethod = "card",
    ) -> Order:
        quote = self.quote(
            self.list(), kg, buyer=buyer, organization_id=organization_id, payment_method=method
        )
        return self.order(quote, buyer=buyer, organization_id=organization_id)

    def start(
        self,
        order: Order,
        card: str = "pm_card_visa",
        *,
        buyer: Principal = BUYER,
        key: str | None = None,
    ) -> Payment:
        return services.pay_order(
            buyer,
            order.id,
            method="card",
            token=card,
            idempotency_key=key,
            uow=self.uow,
            clock=self.clock,
            gateway=self.provider,
        )

    def webhook(
        self, kind: EventKind, reference: str, *, failure: str | None = None, event_id: str = ""
    ) -> str:
        body, headers = self.provider.event(kind, reference, failure=failure, event_id=event_id)
        return webhooks.receive_webhook(
            self.provider, body, headers, uow=self.uow, clock=self.clock
        )

    def refund(self, payment: Payment, amount: str, by: Principal) -> Refund:
        return services.refund_payment(
            by,
            payment.id,
            amount=Money.of(amount, "EUR"),
            reason="asked",
            uow=self.uow,
            clock=self.clock,
            gateways={self.provider.name: self.provider},
        )

    def payment_now(self, payment_id: str) -> Payment:
        found = self.uow.payments.get_payment(payment_id)
        assert found is not None
        return found
