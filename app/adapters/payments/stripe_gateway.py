"""`PAYMENTS_BACKEND=stripe`: the payment gateway on Stripe, through the official `stripe`
library (a `StripeClient` of its own, never the module's global settings).

- **Intents:** a PaymentIntent per payment, created and confirmed in one call with the
  payer's payment method token, the platform's payment id in `metadata.reference`, and an
  idempotency key (a retry after a timeout never charges twice). A declined card is a
  402 `CardError` carrying the intent: the intent is returned as failed; the outcome the
  platform acts on still arrives by webhook. 3-D Secure: the intent's `redirect_to_url`
  becomes the payment's `next_action`.
- **Refunds:** `POST /v1/refunds` with the amount in minor units, the platform's refund id
  in `metadata.reference`; done when its `refund.*` event says so.
- **Webhooks:** `stripe.Webhook.construct_event` checks `Stripe-Signature` on the raw
  body (300 s tolerance), against each of `STRIPE_WEBHOOK_SECRETS` in turn (rotation).
- **Failures:** no connection, a timeout, 429 or a 5xx from Stripe raise
  `ProviderUnavailable` (503); a request Stripe refuses raises `ProviderRefused` (502).

`STRIPE_API_BASE` points the client at another address than Stripe's (a local peer in
the integration tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import stripe
from stripe import RequestOptions
from stripe.params import PaymentIntentCreateParams, RefundCreateParams

from app.domain.payments.errors import (
    InvalidEvent,
    InvalidSignature,
    ProviderRefused,
    ProviderUnavailable,
)
from app.domain.shared.errors import DomainError
from app.domain.shared.json import JSON
from app.ports.payment_gateway import (
    EventKind,
    Intent,
    IntentRequest,
    IntentState,
    ProviderEvent,
    ProviderRefund,
    RefundRequest,
)

TOLERANCE_SECONDS = 300

EVENT_KINDS: dict[str, EventKind] = {
    "payment_intent.succeeded": "payment_succeeded",
    "payment_intent.payment_failed": "payment_failed",
}
REFUND_KINDS: dict[str, EventKind] = {"succeeded": "refund_succeeded", "failed": "refund_failed"}
INTENT_STATES: dict[str, IntentState] = {
    "succeeded": "succeeded",
    "processing": "processing",
    "requires_action": "requires_action",
    "requires_confirmation": "processing",
    "requires_capture": "processing",
    "requires_payment_method": "failed",
    "canceled": "failed",
}


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secrets: Sequence[str],
        return_url: str,
        api_base: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        if not api_key or not [s for s in webhook_secrets if s]:
            raise ValueError("the stripe gateway needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRETS")
        self._secrets = [s for s in webhook_secrets if s]
        self._return_url = return_url
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=1,  # with the same idempotency key: safe
            http_client=stripe.RequestsClient(timeout=timeout_seconds),
        )

    # --- intents ----------------------------------------------------------------------

    def create_intent(self, request: IntentRequest) -> Intent:
        params: PaymentIntentCreateParams = {
            "amount": request.amount.minor,
            "currency": request.amount.currency.lower(),
            "metadata": {"reference": request.reference, "order_id": request.order_id},
            "confirm": True,
            "return_url": self._return_url,
        }
        if request.token:
            params["payment_method"] = request.token
        options: RequestOptions = {"idempotency_key": request.idempotency_key}
        try:
            intent = self._client.v1.payment_intents.create(params=params, options=options)
        except stripe.CardError as exc:
            declined = exc.error.payment_intent if exc.error else None
            if declined is None:
                raise ProviderRefused(f"stripe refused the card: {exc.user_message}") from None
            return Intent(str(declined.id), "failed")
        except stripe.StripeError as exc:
            raise self._failure(exc) from None
        return self._intent(intent)

    def confirm(self, intent_id: str) -> Intent:
        try:
            return self._intent(self._client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise self._failure(exc) from None

    def _intent(self, intent: Any) -> Intent:
        data = intent.to_dict()  # stripe's objects are not dicts
        state = INTENT_STATES.get(str(data["status"]), "processing")
        next_action: dict[str, JSON] | None = None
        action = data.get("next_action")
        if state == "requires_action" and action and action.get("redirect_to_url"):
            next_action = {
                "type": "redirect_to_url",
                "url": str(action["redirect_to_url"]["url"]),
            }
        return Intent(str(data["id"]), state, next_action)

    # --- refunds ----------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> ProviderRefund:
        params: RefundCreateParams = {
            "payment_intent": request.intent_id,
            "amount": request.amount.minor,
            "metadata": {"reference": request.reference},
        }
        options: RequestOptions = {"idempotency_key": request.idempotency_key}
        try:
            refund = self._client.v1.refunds.create(params=params, options=options)
        except stripe.StripeError as exc:
            raise self._failure(exc) from None
        status = str(refund.status)
        if status in {"failed", "canceled"}:
            return ProviderRefund(str(refund.id), "failed")
        return ProviderRefund(str(refund.id), "pending")  # done on its event

    # --- webhooks ---------------------------------------------------------------------

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        header = headers.get("Stripe-Signature")
        event = None
        for secret in self._secrets:
            try:
                event = stripe.Webhook.construct_event(
                    body, header, secret, tolerance=TOLERANCE_SECONDS
                )
                break
            except stripe.SignatureVerificationError:
                continue
            except ValueError as exc:
                raise InvalidEvent("the webhook body is not a Stripe event") from exc
        if event is None:
            raise InvalidSignature("the Stripe-Signature header does not verify")
        return _provider_event(event)

    @staticmethod
    def _failure(exc: stripe.StripeError) -> DomainError:
        if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
            return ProviderUnavailable(f"stripe did not answer: {type(exc).__name__}")
        if exc.http_status is None or exc.http_status >= 500:
            return ProviderUnavailable(f"stripe failed: HTTP {exc.http_status}")
        return ProviderRefused(f"stripe refused the request: {exc.user_message or exc}")


def _provider_event(event: Any) -> ProviderEvent:
    kind_of = str(event.type)
    obj = event.data.object.to_dict()
    metadata = obj.get("metadata") or {}
    reference = metadata.get("reference")
    kind: EventKind = EVENT_KINDS.get(kind_of, "ignored")
    failure = None
    if kind_of.startswith("refund."):
        kind = REFUND_KINDS.get(str(obj.get("status")), "ignored")
        failure = obj.get("failure_reason")
        intent_id = obj.get("payment_intent")
    else:
        error = obj.get("last_payment_error") or {}
        # `card_declined`, or the reason when Stripe gives one (`insufficient_funds`)
        decline = error.get("decline_code")
        failure = decline if decline and decline != "generic_decline" else error.get("code")
        intent_id = obj.get("id")
    return ProviderEvent(
        event_id=str(event.id),
        type=kind_of,
        kind=kind,
        intent_id=None if intent_id is None else str(intent_id),
        reference=None if reference is None else str(reference),
        failure_code=None if failure is None else str(failure),
    )
