"""A payment provider, as payments need it (Stripe's PaymentIntents shape it; the embedded
sandbox implements it).

`create_intent` asks the provider to take an amount and returns what it knows at once:
its intent id, a state and what the payer must do next (a 3-D Secure redirect). The
outcome of a card payment is never taken from that answer: it arrives as a signed webhook
event, which `parse_event` verifies and reads. A provider that is down or slower than the
timeout raises `ProviderUnavailable`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from app.domain.payments.model import Method
from app.domain.shared.json import JSON
from app.domain.shared.money import Money

IntentState = Literal["requires_action", "processing", "succeeded", "failed"]
EventKind = Literal[
    "payment_succeeded", "payment_failed", "refund_succeeded", "refund_failed", "ignored"
]


@dataclass(frozen=True)
class IntentRequest:
    reference: str  # the platform's payment id, sent back in every event of the intent
    order_id: str
    amount: Money
    method: Method
    token: str | None
    idempotency_key: str


@dataclass(frozen=True)
class Intent:
    intent_id: str
    state: IntentState
    next_action: dict[str, JSON] | None = None


@dataclass(frozen=True)
class RefundRequest:
    reference: str  # the platform's refund id
    intent_id: str
    amount: Money
    idempotency_key: str


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    state: Literal["pending", "succeeded", "failed"]


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event: `reference` is the platform's payment id (payment events) or
    refund id (refund events) the intent or refund was created with."""

    event_id: str
    type: str
    kind: EventKind
    intent_id: str | None = None
    reference: str | None = None
    failure_code: str | None = None


class PaymentGateway(Protocol):
    @property
    def name(self) -> str:
        """The provider's name in webhook paths (`/payments/webhooks/<name>`)."""
        ...

    def create_intent(self, request: IntentRequest) -> Intent: ...

    def confirm(self, intent_id: str) -> Intent:
        """Confirm an intent again after its next action (the provider's state now)."""
        ...

    def refund(self, request: RefundRequest) -> ProviderRefund: ...

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """The event in a webhook's raw body, once its signature is checked; raises
        `InvalidSignature` (bad or stale) or `InvalidEvent` (not an event)."""
        ...


class SandboxPages(Protocol):
    """The embedded sandbox's own 3-D Secure page: what it shows and what it decides."""

    def pending_authentication(self, intent_id: str) -> SandboxPayment | None:
        """The intent waiting for the payer, None if there is none to decide."""
        ...

    def authenticate(self, intent_id: str, *, approve: bool) -> str | None:
        """Approve or deny; the intent's status after, None for an unknown intent."""
        ...


class SandboxPayment(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def amount(self) -> Money: ...


class SandboxDeliveries(Protocol):
    def deliver(self, event_id: str) -> None:
        """Sign and post one stored event to the webhook endpoint; raises unless 2xx."""
        ...
