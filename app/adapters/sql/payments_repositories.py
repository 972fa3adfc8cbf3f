"""The payments repository on SQLAlchemy Core: payments, their crypto deposits, refunds and
the provider events already processed (the sandbox provider's own store is
`app.adapters.sql.sandbox_repositories`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.invoice_repositories import SqlInvoiceRecords
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_payments import (
    crypto_deposits,
    payment_events,
    payment_refunds,
    payments,
)
from app.domain.payments.model import (
    OPEN_PAYMENT_STATUSES,
    CryptoDeposit,
    Payment,
    PaymentStatus,
    ProcessedEvent,
    Refund,
    RefundStatus,
)
from app.domain.shared.money import Money
from app.ports.repositories.payments import PaymentScope


def _payment_values(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "buyer_id": payment.buyer_id,
        "organization_id": payment.organization_id,
        "method": payment.method,
        "amount": payment.amount.amount,
        "currency": payment.amount.currency,
        "refund_committed": payment.committed.amount,
        "refunded": payment.refunded_total.amount,
        "provider": payment.provider,
        "idempotency_key": payment.idempotency_key,
        "status": payment.status.value,
        "intent_id": payment.intent_id,
        "next_action": payment.next_action,
        "failure_code": payment.failure_code,
        "reference": payment.reference,
        "created_at": payment.created_at,
        "succeeded_at": payment.succeeded_at,
        "updated_at": payment.updated_at,
    }


def _payment_of(row: Any) -> Payment:
    currency = row.currency
    return Payment(
        id=row.id,
        order_id=row.order_id,
        buyer_id=row.buyer_id,
        organization_id=row.organization_id,
        method=row.method,
        amount=Money(row.amount, currency),
        provider=row.provider,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        status=PaymentStatus(row.status),
        intent_id=row.intent_id,
        next_action=row.next_action,
        failure_code=row.failure_code,
        reference=row.reference,
        refund_committed=Money(row.refund_committed, currency),
        refunded=Money(row.refunded, currency),
        succeeded_at=row.succeeded_at,
        updated_at=row.updated_at,
    )


def _deposit_values(payment_id: str, deposit: CryptoDeposit) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "address": deposit.address,
        "sealed_key": deposit.sealed_key,
        "wrapped_key": deposit.wrapped_key,
        "key_id": deposit.key_id,
        "chain_id": deposit.chain_id,
        "currency": deposit.currency,
        "amount_wei": Decimal(deposit.amount_wei),
        "rate": deposit.rate,
        "rate_as_of": deposit.rate_as_of,
        "expires_at": deposit.expires_at,
        "received_wei": Decimal(deposit.received_wei),
        "checked_block": deposit.checked_block,
    }


def _deposit_of(row: Any) -> CryptoDeposit:
    return CryptoDeposit(
        address=row.address,
        sealed_key=bytes(row.sealed_key),
        wrapped_key=bytes(row.wrapped_key),
        key_id=row.key_id,
        chain_id=row.chain_id,
        currency=row.currency,
        amount_wei=int(row.amount_wei),
        rate=row.rate,
        rate_as_of=row.rate_as_of,
        expires_at=row.expires_at,
        received_wei=int(row.received_wei),
        checked_block=row.checked_block,
    )


def _refund_values(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount": refund.amount.amount,
        "currency": refund.amount.currency,
        "reason": refund.reason,
        "status": refund.status.value,
        "provider_refund_id": refund.provider_refund_id,
        "failure_code": refund.failure_code,
        "created_by": refund.created_by,
        "created_at": refund.created_at,
        "completed_at": refund.completed_at,
    }


def _refund_of(row: Any) -> Refund:
    return Refund(
        id=row.id,
        payment_id=row.payment_id,
        amount=Money(row.amount, row.currency),
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        status=RefundStatus(row.status),
        provider_refund_id=row.provider_refund_id,
        failure_code=row.failure_code,
        completed_at=row.completed_at,
    )


class SqlPaymentsRepository(SqlInvoiceRecords):
    """Payments, refunds and provider events (invoices and credit terms: the base)."""

    def __init__(self, db: Session) -> None:
        self._db = db

    def add_payment(self, payment: Payment) -> None:
        self._db.execute(sa.insert(payments).values(_payment_values(payment)))
        if payment.deposit is not None:
            self._db.execute(
                sa.insert(crypto_deposits).values(_deposit_values(payment.id, payment.deposit))
            )

    def _with_deposits(self, rows: Sequence[Any]) -> list[Payment]:
        found = [_payment_of(row) for row in rows]
        crypto = [p.id for p in found if p.method == "crypto"]
        if crypto:
            deposits = {
                row.payment_id: _deposit_of(row)
                for row in self._db.execute(
                    sa.select(crypto_deposits).where(crypto_deposits.c.payment_id.in_(crypto))
                )
            }
            for payment in found:
                payment.deposit = deposits.get(payment.id)
        return found

    def _payment(self, where: Any, lock: bool) -> Payment | None:
        query = sa.select(payments).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return None if row is None else self._with_deposits([row])[0]

    def get_payment(self, payment_id: str) -> Payment | None:
        return self._payment(payments.c.id == payment_id, False)

    def payment_for_update(self, payment_id: str) -> Payment | None:
        return self._payment(payments.c.id == payment_id, True)

    def payment_by_reference_for_update(self, reference: str) -> Payment | None:
        return self._payment(payments.c.reference == reference, True)

    def save_payment(self, payment: Payment) -> None:
        self._db.execute(
            sa.update(payments).where(payments.c.id == payment.id).values(_payment_values(payment))
        )
        if payment.deposit is not None:
            self._db.execute(
                sa.update(crypto_deposits)
                .where(crypto_deposits.c.payment_id == payment.id)
                .values(
                    received_wei=Decimal(payment.deposit.received_wei),
                    checked_block=payment.deposit.checked_block,
                )
            )

    def pending_crypto_payments(
        self, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Payment]:
        query = sa.select(payments).where(
            payments.c.method == "crypto", payments.c.status == PaymentStatus.PENDING.value
        )
        if after is not None:
            query = query.where(sa.tuple_(payments.c.created_at, payments.c.id) > after)
        rows = self._db.execute(
            query.order_by(payments.c.created_at, payments.c.id).limit(limit)
        ).all()
        return self._with_deposits(rows)

    def payment_of_key_for_update(self, order_id: str, idempotency_key: str) -> Payment | None:
        return self._payment(
            sa.and_(payments.c.order_id == order_id, payments.c.idempotency_key == idempotency_key),
            True,
        )

    def open_payment_of(self, order_id: str) -> Payment | None:
        return self._payment(
            sa.and_(
                payments.c.order_id == order_id,
                payments.c.status.in_([s.value for s in OPEN_PAYMENT_STATUSES]),
            ),
            False,
        )

    def list_payments(
        self, scope: PaymentScope | None, offset: int, limit: int
    ) -> tuple[list[Payment], int]:
        query = sa.select(payments)
        if scope is not None:
            seen = payments.c.buyer_id == scope.buyer_id
            if scope.organization_ids:
                seen = sa.or_(seen, payments.c.organization_id.in_(scope.organization_ids))
            query = query.where(seen)
        rows, total = page_of(
            self._db,
            query.order_by(payments.c.created_at.desc(), payments.c.id.desc()),
            offset,
            limit,
        )
        return self._with_deposits(rows), total

    def add_refund(self, refund: Refund) -> None:
        self._db.execute(sa.insert(payment_refunds).values(_refund_values(refund)))

    def refund_for_update(self, refund_id: str) -> Refund | None:
        query = sa.select(payment_refunds).where(payment_refunds.c.id == refund_id)
        row = self._db.execute(query.with_for_update()).first()
        return None if row is None else _refund_of(row)

    def save_refund(self, refund: Refund) -> None:
        self._db.execute(
            sa.update(payment_refunds)
            .where(payment_refunds.c.id == refund.id)
            .values(_refund_values(refund))
        )

    def refunds_of(self, payment_id: str) -> list[Refund]:
        rows = self._db.execute(
            sa.select(payment_refunds)
            .where(payment_refunds.c.payment_id == payment_id)
            .order_by(payment_refunds.c.created_at, payment_refunds.c.id)
        ).all()
        return [_refund_of(r) for r in rows]

    def event_seen(self, provider: str, event_id: str) -> bool:
        query = sa.select(payment_events.c.event_id).where(
            payment_events.c.provider == provider, payment_events.c.event_id == event_id
        )
        return self._db.execute(query).first() is not None

    def record_event(self, event: ProcessedEvent) -> None:
        self._db.execute(
            sa.insert(payment_events).values(
                provider=event.provider,
                event_id=event.event_id,
                type=event.type,
                payment_id=event.payment_id,
                outcome=event.outcome,
                received_at=event.received_at,
            )
        )
