"""Use cases of payments: paying an order through a provider, reading payments, and
refunding them.

Paying is three short steps, none holding a row lock while the provider works: the
order is checked and locked and the payment recorded `processing` (one open payment per
order); the provider is asked for an intent (under an idempotency key made of the order
and the caller's Idempotency-Key, so a retry never takes the money twice); the intent's
id and next action are recorded. The outcome arrives only with the provider's verified
webhook (`webhooks.apply_event`). A provider that does not answer fails the payment with
`provider_unavailable` and the order stays `pending_payment`."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.marketplace import order_payments
from app.domain.marketplace.fees import PaymentMethod
from app.domain.marketplace.model import Order
from app.domain.payments.errors import (
    PaymentInProgress,
    PaymentStateConflict,
    ProviderUnavailable,
    UnknownProvider,
)
from app.domain.payments.model import (
    PAID_STATUSES,
    UNANSWERED,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from app.domain.payments.unanswered import fail_unanswered, reopened
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied
from app.domain.shared.ids import new_id
from app.domain.shared.money import Money
from app.ports.clock import Clock
from app.ports.payment_gateway import IntentRequest, PaymentGateway, RefundRequest
from app.ports.repositories.payments import PaymentScope, PaymentsUoW

UNAVAILABLE = UNANSWERED
SEEING_ROLES = frozenset({OrgRole.ADMIN, OrgRole.FINANCE, OrgRole.AUDITOR})


def audit_payment(
    uow: PaymentsUoW, action: str, payment: Payment, actor: str | None, **after: object
) -> None:
    uow.audit(
        AuditRecord(
            action,
            "payment",
            payment.id,
            actor,
            after={"status": payment.status.value, **after},
            organization_id=payment.organization_id,
        )
    )


def gateway_named(gateways: Mapping[str, PaymentGateway], provider: str) -> PaymentGateway:
    gateway = gateways.get(provider)
    if gateway is None:
        raise UnknownProvider(f"no payment provider {provider!r}")
    return gateway


def new_payment(
    principal: Principal,
    order_id: str,
    method: PaymentMethod,
    *,
    provider: str,
    idempotency_key: str | None,
    uow: PaymentsUoW,
    clock: Clock,
) -> Payment:
    """A new payment of the order's total, once the order may be paid and no other
    payment of it waits for its outcome."""
    order = order_payments.payable_order(principal, order_id, method=method, uow=uow, clock=clock)
    if uow.payments.open_payment_of(order.id) is not None:
        raise PaymentInProgress("the order has a payment waiting for its outcome")
    return Payment(
        id=new_id(),
        order_id=order.id,
        buyer_id=order.buyer_id,
        organization_id=order.organization_id,
        method=method,
        amount=order.total,
        provider=provider,
        idempotency_key=idempotency_key or new_id(),
        created_at=clock.now(),
    )


def pay_order(
    principal: Principal,
    order_id: str,
    *,
    method: PaymentMethod,
    token: str | None,
    idempotency_key: str | None,
    uow: PaymentsUoW,
    clock: Clock,
    gateway: PaymentGateway,
) -> Payment:
    """Start paying an order through a provider; returns the payment `processing` or
    `requires_action` (bank transfers: `transfers.start_transfer`)."""
    with uow:
        retried = reopened(principal, order_id, method, idempotency_key, uow=uow, clock=clock)
        if retried is not None:
            payment = retried
            uow.payments.save_payment(payment)
        else:
            payment = new_payment(
                principal,
                order_id,
                method,
                provider=gateway.name,
                idempotency_key=idempotency_key,
                uow=uow,
                clock=clock,
            )
            uow.payments.add_payment(payment)
        audit_payment(uow, "payments.payment_started", payment, principal.id, order_id=order_id)
        uow.commit()
    request = IntentRequest(
        reference=payment.id,
        order_id=order_id,
        amount=payment.amount,
        method=method,
        token=token,
        idempotency_key=f"{order_id}:{payment.idempotency_key}",
    )
    try:
        intent = gateway.create_intent(request)
    except ProviderUnavailable:
        fail_unanswered(payment.id, uow=uow, clock=clock, audit=audit_payment)
        raise
    with uow:
        locked = uow.payments.payment_for_update(payment.id)
        assert locked is not None
        locked.intent_id = locked.intent_id or intent.intent_id
        if locked.status == PaymentStatus.PROCESSING:  # no webhook told the outcome yet
            locked.next_action = intent.next_action
            if intent.state == "requires_action":
                locked.move(PaymentStatus.REQUIRES_ACTION, clock.now())
        uow.payments.save_payment(locked)
        uow.commit()
        return locked


def _sees(principal: Principal, payment: Payment) -> bool:
    return payment.buyer_id == principal.id or principal.admin_or_role_in(
        payment.organization_id, SEEING_ROLES
    )


def find_payment(
    principal: Principal, payment_id: str, uow: PaymentsUoW, *, lock: bool = False
) -> Payment:
    """The payment if `principal` may see it (locked with `lock`), else NotFound."""
    found = (
        uow.payments.payment_for_update(payment_id)
        if lock
        else uow.payments.get_payment(payment_id)
    )
    if found is None or not _sees(principal, found):
        raise NotFound("payment not found")
    return found


def get_payment(principal: Principal, payment_id: str, *, uow: PaymentsUoW) -> Payment:
    with uow:
        return find_payment(principal, payment_id, uow)


def list_payments(
    principal: Principal, *, offset: int, limit: int, uow: PaymentsUoW
) -> tuple[list[Payment], int]:
    """Your payments, and those of organizations you are admin, finance or auditor of
    (every payment for platform admins)."""
    scope = None
    if not principal.is_admin:
        scope = PaymentScope(principal.id, principal.orgs_in_role(SEEING_ROLES))
    with uow:
        return uow.payments.list_payments(scope, offset, limit)


def receipt_of(
    principal: Principal, payment_id: str, *, uow: PaymentsUoW
) -> tuple[Payment, Order, list[Refund]]:
    """A paid payment, its order and its refunds, for its receipt."""
    with uow:
        payment = find_payment(principal, payment_id, uow)
        if payment.status not in PAID_STATUSES:
            raise NotFound("a receipt exists once the payment succeeded")
        order = uow.market.get_order(payment.order_id)
        assert order is not None
        return payment, order, uow.payments.refunds_of(payment.id)


def _may_refund(principal: Principal, payment: Payment) -> bool:
    """Platform admins, and for an organization's payment its finance."""
    return principal.admin_or_role_in(payment.organization_id, {OrgRole.FINANCE})


def refund_payment(
    principal: Principal,
    payment_id: str,
    *,
    amount: Money,
    reason: str,
    uow: PaymentsUoW,
    clock: Clock,
    gateways: Mapping[str, PaymentGateway],
) -> Refund:
    """Refund part or all of what is left of a payment through its provider; the refund
    completes on the provider's webhook. More than what is left -> 422."""
    with uow:
        payment = find_payment(principal, payment_id, uow, lock=True)
        if not _may_refund(principal, payment):
            raise PermissionDenied(
                "refunds are made by platform admins or the organization's finance"
            )
        refund = commit_refund(payment, amount, reason, principal.id, uow=uow, clock=clock)
        gateway = gateway_named(gateways, payment.provider)
        uow.commit()
    return send_refund(payment, refund, gateway, uow=uow)


def commit_refund(
    payment: Payment, amount: Money, reason: str, actor: str, *, uow: PaymentsUoW, clock: Clock
) -> Refund:
    """Record a refund of the locked `payment` within what is left of it (not committed)."""
    if payment.intent_id is None:
        raise PaymentStateConflict(
            f"a {payment.method.replace('_', ' ')} payment is refunded by sending the money"
            " back, outside the platform (only card payments are refunded through it)"
        )
    payment.commit_refund(amount)
    refund = Refund(
        id=new_id(),
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    uow.payments.add_refund(refund)
    uow.payments.save_payment(payment)
    audit_payment(uow, "payments.refund_requested", payment, actor, amount=str(amount))
    return refund


def send_refund(
    payment: Payment, refund: Refund, gateway: PaymentGateway, *, uow: PaymentsUoW
) -> Refund:
    """Ask the provider for a recorded refund (its id is the idempotency key: asking
    again never refunds twice); a provider that does not answer fails the refund."""
    assert payment.intent_id is not None  # `commit_refund` refused it otherwise
    request = RefundRequest(refund.id, payment.intent_id, refund.amount, refund.id)
    try:
        answer = gateway.refund(request)
    except ProviderUnavailable:
        _refund_unanswered(refund.id, uow=uow)
        raise
    with uow:
        locked = uow.payments.refund_for_update(refund.id)
        assert locked is not None
        locked.provider_refund_id = locked.provider_refund_id or answer.refund_id
        uow.payments.save_refund(locked)
        uow.commit()
        return locked


def _refund_unanswered(refund_id: str, *, uow: PaymentsUoW) -> None:
    with uow:
        refund = uow.payments.refund_for_update(refund_id)
        if refund is None or refund.status != RefundStatus.PENDING:
            return
        payment = uow.payments.payment_for_update(refund.payment_id)
        assert payment is not None
        refund.status, refund.failure_code = RefundStatus.FAILED, UNAVAILABLE
        payment.refund_failed(refund.amount)
        uow.payments.save_refund(refund)
        uow.payments.save_payment(payment)
        uow.commit()
