"""The embedded sandbox payment provider: behaves like Stripe in test mode, takes no money.

Test tokens (`payment_method`): `pm_card_visa` succeeds, `pm_card_chargeDeclined` fails
with `card_declined`, `pm_card_insufficientFunds` with `insufficient_funds`, and
`pm_card_threeDSecureRequired` needs the payer to authenticate on the sandbox's own page
(`next_action: {type: redirect_to_url, url}`), whose approve or deny decides it. Any
other token fails with `invalid_payment_method`.

Like a real provider, it answers an intent at once (`processing`, or `requires_action`)
and reports the outcome later as a signed event posted to the platform's webhook
endpoint: each event is stored with the exact bytes signed, and a background job
(`payments.sandbox_deliver`, retried with backoff while the endpoint does not answer
2xx) signs and delivers it. Intents, refunds and events live in the database (through
`SandboxUoW`), so a restart loses nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from app.domain.payments import signature
from app.domain.payments.errors import InvalidEvent, PaymentStateConflict
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.domain.shared.json import JSON
from app.ports.clock import Clock
from app.ports.payment_gateway import (
    EventKind,
    Intent,
    IntentRequest,
    IntentState,
    ProviderEvent,
    ProviderRefund,
    RefundRequest,
)
from app.ports.repositories.payments import (
    SandboxEvent,
    SandboxIntent,
    SandboxRefund,
    SandboxUoW,
)

NAME = "sandbox"
DELIVER_JOB = "payments.sandbox_deliver"
WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"
SUCCEEDS = "pm_card_visa"
THREE_D_SECURE = "pm_card_threeDSecureRequired"
DECLINES = {
    "pm_card_chargeDeclined": "card_declined",
    "pm_card_insufficientFunds": "insufficient_funds",
}
AUTHENTICATION_FAILED = "payment_intent_authentication_failure"
EVENT_KINDS: dict[str, EventKind] = {
    "payment_intent.succeeded": "payment_succeeded",
    "payment_intent.payment_failed": "payment_failed",
    "refund.succeeded": "refund_succeeded",
    "refund.failed": "refund_failed",
}


class WebhookTransport(Protocol):
    def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        """Post a webhook to the platform; returns the HTTP status."""
        ...


class DeliveryFailed(Exception):
    """The webhook endpoint did not take the event: the job is retried."""


class SandboxGateway:
    name = NAME

    def __init__(
        self,
        uow: Callable[[], SandboxUoW],
        *,
        secrets: Sequence[str],
        public_base_url: str,
        clock: Clock,
        transport: Callable[[], WebhookTransport],
    ) -> None:
        if not secrets:
            raise ValueError("the sandbox needs a webhook secret")
        self._uow = uow
        self._secrets = list(secrets)
        self._base = public_base_url.rstrip("/")
        self._clock = clock
        self._transport = transport

    def authenticate_url(self, intent_id: str) -> str:
        return f"{self._base}/sandbox/payments/{intent_id}/authenticate"

    # --- the gateway port ---------------------------------------------------------------

    def create_intent(self, request: IntentRequest) -> Intent:
        with self._uow() as uow:
            store = uow.sandbox_payments
            known = store.intent_by_key(request.idempotency_key)
            if known is not None:
                return self._intent(known)
            intent = SandboxIntent(
                id=f"pi_{new_id()}",
                reference=request.reference,
                amount=request.amount,
                token=request.token,
                idempotency_key=request.idempotency_key,
                status="processing",
                created_at=self._clock.now(),
            )
            if request.token == THREE_D_SECURE:
                intent.status = "requires_action"
            elif request.token == SUCCEEDS:
                self._outcome(uow, intent, None)
            else:
                failure = DECLINES.get(request.token or "", "invalid_payment_method")
                self._outcome(uow, intent, failure)
            store.add_intent(intent)
            uow.commit()
        return self._intent(intent)

    def confirm(self, intent_id: str) -> Intent:
        with self._uow() as uow:
            intent = uow.sandbox_payments.intent_for_update(intent_id)
            if intent is None:
                raise InvalidEvent(f"no sandbox intent {intent_id}")
            return self._intent(intent)

    def refund(self, request: RefundRequest) -> ProviderRefund:
        with self._uow() as uow:
            store = uow.sandbox_payments
            known = store.refund_by_key(request.idempotency_key)
            if known is not None:
                return ProviderRefund(known.id, "pending")
            intent = store.intent_for_update(request.intent_id)
            if intent is None or intent.status != "succeeded":
                raise PaymentStateConflict("the sandbox intent did not succeed: no refund")
            already = store.refunded_of(intent.id)
            left = intent.amount if already is None else intent.amount - already
            refund = SandboxRefund(
                id=f"re_{new_id()}",
                reference=request.reference,
                intent_id=intent.id,
                amount=request.amount,
                idempotency_key=request.idempotency_key,
                created_at=self._clock.now(),
            )
            store.add_refund(refund)
            succeeded = request.amount <= left
            self._emit(
                uow,
                "refund.succeeded" if succeeded else "refund.failed",
                {
                    "id": refund.id,
                    "object": "refund",
                    "payment_intent": intent.id,
                    "amount": str(request.amount.amount),
                    "currency": request.amount.currency,
                    "metadata": {"reference": request.reference},
                    "failure_reason": None if succeeded else "amount_exceeds_remaining",
                },
            )
            uow.commit()
        return ProviderRefund(refund.id, "pending")

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        now = int(self._clock.now().timestamp())
        signature.verify(body, headers.get(signature.HEADER), self._secrets, now)
        try:
            event = json.loads(body)
            kind_of = str(event["type"])
            obj = event["data"]["object"]
            reference = obj.get("metadata", {}).get("reference")
            error = obj.get("last_payment_error") or {}
            failure = error.get("code") or obj.get("failure_reason")
            return ProviderEvent(
                event_id=str(event["id"]),
                type=kind_of,
                kind=EVENT_KINDS.get(kind_of, "ignored"),
                intent_id=obj.get("payment_intent") or obj.get("id"),
                reference=None if reference is None else str(reference),
                failure_code=None if failure is None else str(failure),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidEvent("the webhook body is not a sandbox event") from exc

    # --- the sandbox's own page and deliveries --------------------------------------------

    def pending_authentication(self, intent_id: str) -> SandboxIntent | None:
        """The intent waiting for the payer on the authentication page, if it is one."""
        with self._uow() as uow:
            intent = uow.sandbox_payments.intent_for_update(intent_id)
        return intent if intent is not None and intent.status == "requires_action" else None

    def authenticate(self, intent_id: str, *, approve: bool) -> str | None:
        """The payer approved or denied 3-D Secure; returns the intent's status, None for
        an unknown intent. Deciding twice changes nothing."""
        with self._uow() as uow:
            intent = uow.sandbox_payments.intent_for_update(intent_id)
            if intent is None:
                return None
            if intent.status == "requires_action":
                self._outcome(uow, intent, None if approve else AUTHENTICATION_FAILED)
                uow.sandbox_payments.save_intent(intent)
                uow.commit()
            return intent.status

    def deliver(self, event_id: str) -> None:
        """Sign the stored event now and post it; raises `DeliveryFailed` unless 2xx."""
        with self._uow() as uow:
            event = uow.sandbox_payments.get_event(event_id)
        if event is None or event.delivered_at is not None:
            return
        timestamp = int(self._clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            signature.HEADER: signature.sign(event.body, self._secrets[0], timestamp),
        }
        status = self._transport().post(event.body, headers)
        if not 200 <= status < 300:
            raise DeliveryFailed(f"the webhook endpoint answered {status} to {event_id}")
        with self._uow() as uow:
            uow.sandbox_payments.mark_delivered(event_id, self._clock.now())
            uow.commit()

    # --- internals ----------------------------------------------------------------------

    def _intent(self, intent: SandboxIntent) -> Intent:
        next_action: dict[str, JSON] | None = None
        if intent.status == "requires_action":
            next_action = {"type": "redirect_to_url", "url": self.authenticate_url(intent.id)}
        # The outcome is told by the webhook only, as a card provider's would be.
        state: IntentState = "requires_action" if next_action else "processing"
        return Intent(intent.id, state, next_action)

    def _outcome(self, uow: SandboxUoW, intent: SandboxIntent, failure: str | None) -> None:
        intent.status = "failed" if failure else "succeeded"
        intent.failure_code = failure
        self._emit(
            uow,
            "payment_intent.payment_failed" if failure else "payment_intent.succeeded",
            {
                "id": intent.id,
                "object": "payment_intent",
                "amount": str(intent.amount.amount),
                "currency": intent.amount.currency,
                "status": intent.status,
                "metadata": {"reference": intent.reference},
                "last_payment_error": {"code": failure} if failure else None,
            },
        )

    def _emit(self, uow: SandboxUoW, kind: str, obj: dict[str, JSON]) -> None:
        now = self._clock.now()
        event_id = f"evt_{new_id()}"
        body = json.dumps(
            {
                "id": event_id,
                "type": kind,
                "created": int(now.timestamp()),
                "data": {"object": obj},
            },
            separators=(",", ":"),
        ).encode()
        uow.sandbox_payments.add_event(SandboxEvent(event_id, kind, body, now))
        uow.enqueue(Job(DELIVER_JOB, {"event_id": event_id}))
