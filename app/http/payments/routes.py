"""Payments of orders, the providers' webhooks, refunds and receipts.

A card payment answers 201 `processing` (or `requires_action` with a 3-D Secure
redirect in `next_action`); its outcome arrives with the provider's signed webhook, which
marks it `succeeded` (the order becomes `paid` and is delivered on chain) or `failed`
(the order stays `pending_payment` for another payment, under another
Idempotency-Key). A provider that does not answer -> 503 `provider_unavailable`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, request

from app.domain.payments import crypto, invoices, services, transfers, webhooks
from app.domain.payments.errors import InvalidEvent, InvalidSignature
from app.domain.payments.model import Payment, Refund
from app.domain.payments.statement import parse_statement
from app.domain.shared.money import parse_amount
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.chain_writes import requires_chain
from app.http.common.deps import platform, uow
from app.http.common.idempotency import HEADER, idempotent
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.common.problems import problem
from app.http.payments import schemas as s
from app.http.payments.receipt import receipt_pdf

blp = ApiBlueprint("payments", __name__, description="Payments of orders, refunds, receipts")


@blp.route("/orders/<order_id>/payments", methods=["POST"])
@rule_codes(
    "payment_method_mismatch",
    "bank_transfer_unavailable",
    "rate_unavailable",
    "invoice_requires_organization",
)
@requires("market:buy")
@requires_chain
@idempotent
@blp.arguments(s.PaymentCreateSchema)
@blp.response(201, s.PaymentSchema)
def pay_order(body: dict[str, Any], order_id: str) -> Payment:
    """Pay an order's total (its buyer, or its organization's admin or finance) by the
    method it was quoted for. With the sandbox, `payment_method` is a test token:
    `pm_card_visa` succeeds, `pm_card_chargeDeclined` (`card_declined`) and
    `pm_card_insufficientFunds` (`insufficient_funds`) fail,
    `pm_card_threeDSecureRequired` needs the redirect in `next_action`. A payment still
    waiting for its outcome -> 409 `payment_in_progress`; an order waiting for its
    approval -> 409 `approval_required`; not `pending_payment` -> 409 `order_state`. A
    bank transfer is `pending` with the bank details and its RF `reference` in
    `next_action`; a crypto payment is `pending` with a deposit address of its own
    (`pay_to`), the amount in ETH at the quoted rate and its expiry in `next_action`,
    and succeeds once the address holds the amount `CHAIN_CONFIRMATIONS` blocks deep
    (`crypto` shows what was received, what remains and what was overpaid). An invoice
    (orders of an organization) is `pending` with the invoice (`invoice_id`, `number`,
    `due_date`, the bank details and reference) in `next_action`; the order is `paid`
    and delivered at once when it fits the organization's credit room
    (`delivered_on_credit`), else once the invoice is paid. Accepts Idempotency-Key."""
    p = platform()
    key = request.headers.get(HEADER)
    if body["method"] == "bank_transfer":
        return transfers.start_transfer(
            current_principal(), order_id, key, uow=uow(), clock=p.clock, bank=p.bank_details
        )
    if body["method"] == "invoice":
        return invoices.start_invoice(
            current_principal(), order_id, key, uow=uow(), clock=p.clock, bank=p.bank_details
        )
    if body["method"] == "crypto":
        return crypto.start_crypto(
            current_principal(), order_id, key, uow=uow(), clock=p.clock, desk=p.crypto_desk
        )
    return services.pay_order(
        current_principal(),
        order_id,
        method=body["method"],
        token=body["payment_method"],
        idempotency_key=key,
        uow=uow(),
        clock=p.clock,
        gateway=p.payment_gateway,
    )


@blp.route("/payments/webhooks/<provider>", methods=["POST"])
@public
@blp.response(200, s.WebhookAckSchema)
@blp.alt_response(400, description="Bad or stale signature (`invalid_signature`)")
@blp.alt_response(404, description="No such provider")
def webhook(provider: str) -> Response | dict[str, object]:
    """A provider's signed event (the raw body is what is signed). The sandbox signs like
    Stripe: `Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw
    body>">`, 300 s tolerance. A bad or stale signature -> 400 `invalid_signature` and
    nothing changes; an event seen before -> 200 `duplicate` and nothing changes; an
    event type that changes nothing -> 200 `ignored`."""
    p = platform()
    gateway = services.gateway_named(p.payment_gateways, provider)
    try:
        outcome = webhooks.receive_webhook(
            gateway, request.get_data(), dict(request.headers), uow=uow(), clock=p.clock
        )
    except (InvalidSignature, InvalidEvent) as refused:
        return problem(400, refused.code, refused.detail)
    return {"received": True, "outcome": outcome}


@blp.route("/payments", methods=["GET"])
@requires("market:read")
@blp.response(200, s.PaymentSchema(many=True))
@paginated(blp)
def list_payments(page: Page) -> tuple[Sequence[Payment], int]:
    """Your payments, and those of the organizations you are admin, finance or auditor
    of, newest first (every payment, for platform admins)."""
    return services.list_payments(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )


@blp.route("/payments/<payment_id>", methods=["GET"])
@requires("market:read")
@blp.response(200, s.PaymentSchema)
def get_payment(payment_id: str) -> Payment:
    """One payment."""
    return services.get_payment(current_principal(), payment_id, uow=uow())


@blp.route("/payments/<payment_id>/refunds", methods=["POST"])
@rule_codes("refund_exceeds_remaining", "invalid_amount")
@requires("market:read")
@idempotent
@blp.arguments(s.RefundCreateSchema)
@blp.response(201, s.RefundSchema)
def refund(body: dict[str, Any], payment_id: str) -> Refund:
    """Refund part or all of what is left of a succeeded payment (platform admins, or the
    organization's finance for its payments). The refund is `pending` until the
    provider's webhook completes it; a full refund of an order not yet delivered gives
    its credits back to the listing and the order is `refunded`. More than what is left
    -> 422 `refund_exceeds_remaining`. Accepts Idempotency-Key."""
    p = platform()
    principal = current_principal()
    payment = services.get_payment(principal, payment_id, uow=uow())
    return services.refund_payment(
        principal,
        payment_id,
        amount=parse_amount(body["amount"], payment.amount.currency),
        reason=body["reason"],
        uow=uow(),
        clock=p.clock,
        gateways=p.payment_gateways,
    )


@blp.route("/payments/<payment_id>/confirm", methods=["POST"])
@requires("market:read")
@blp.response(200, s.PaymentSchema)
def confirm_transfer(payment_id: str) -> Payment:
    """A pending bank transfer was received (platform admins, or the buyer
    organization's finance): the payment succeeds and the order is paid. Not a pending
    bank transfer -> 409 `payment_state`."""
    return transfers.confirm_transfer(
        current_principal(), payment_id, uow=uow(), clock=platform().clock
    )


@blp.route("/admin/payments/statements", methods=["POST"])
@requires("pricing:manage")
@rule_codes("invalid_statement")
@blp.arguments(s.StatementSchema)
@blp.response(200, s.StatementReportSchema)
def import_statement(body: dict[str, Any]) -> dict[str, Any]:
    """Match a bank statement (CSV with `reference`, `amount` and `currency` columns)
    against pending bank transfers (platform admins): a line with a payment's RF reference
    and its exact amount pays it; `partial`, `overpaid`, `unmatched` and `already_paid`
    lines are reported and change nothing."""
    results = transfers.import_statement(
        parse_statement(body["content"]), uow=uow(), clock=platform().clock
    )
    return s.statement_report(results)


@blp.route("/payments/<payment_id>/receipt", methods=["GET"])
@requires("market:read")
@blp.alt_response(200, description="The receipt (PDF)", content_type="application/pdf")
def receipt(payment_id: str) -> Response:
    """The receipt of a succeeded payment, as a PDF: the order's lines, fees, total, and
    the refunds made since. A payment that has not succeeded -> 404."""
    payment, order, refunds = services.receipt_of(current_principal(), payment_id, uow=uow())
    body = receipt_pdf(payment, order, refunds)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receipt-{payment.id}.pdf"'},
    )
