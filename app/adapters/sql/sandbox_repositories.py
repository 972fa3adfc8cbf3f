"""The sandbox payment provider's own store on SQLAlchemy Core: its intents, refunds and the
events it has yet to deliver, as the provider (not the platform) keeps them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.tables_payments import sandbox_events, sandbox_intents, sandbox_refunds
from app.domain.shared.money import Money
from app.ports.repositories.payments import SandboxEvent, SandboxIntent, SandboxRefund


class SqlSandboxRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    @staticmethod
    def _intent_values(intent: SandboxIntent) -> dict[str, Any]:
        return {
            "id": intent.id,
            "reference": intent.reference,
            "amount": intent.amount.amount,
            "currency": intent.amount.currency,
            "token": intent.token,
            "idempotency_key": intent.idempotency_key,
            "status": intent.status,
            "failure_code": intent.failure_code,
            "created_at": intent.created_at,
        }

    @staticmethod
    def _intent_of(row: Any) -> SandboxIntent:
        return SandboxIntent(
            id=row.id,
            reference=row.reference,
            amount=Money(row.amount, row.currency),
            token=row.token,
            idempotency_key=row.idempotency_key,
            status=row.status,
            created_at=row.created_at,
            failure_code=row.failure_code,
        )

    def intent_by_key(self, idempotency_key: str) -> SandboxIntent | None:
        query = sa.select(sandbox_intents).where(
            sandbox_intents.c.idempotency_key == idempotency_key
        )
        row = self._db.execute(query).first()
        return None if row is None else self._intent_of(row)

    def intent_for_update(self, intent_id: str) -> SandboxIntent | None:
        query = sa.select(sandbox_intents).where(sandbox_intents.c.id == intent_id)
        row = self._db.execute(query.with_for_update()).first()
        return None if row is None else self._intent_of(row)

    def add_intent(self, intent: SandboxIntent) -> None:
        self._db.execute(sa.insert(sandbox_intents).values(self._intent_values(intent)))

    def save_intent(self, intent: SandboxIntent) -> None:
        self._db.execute(
            sa.update(sandbox_intents)
            .where(sandbox_intents.c.id == intent.id)
            .values(self._intent_values(intent))
        )

    def refund_by_key(self, idempotency_key: str) -> SandboxRefund | None:
        query = sa.select(sandbox_refunds).where(
            sandbox_refunds.c.idempotency_key == idempotency_key
        )
        row = self._db.execute(query).first()
        if row is None:
            return None
        return SandboxRefund(
            id=row.id,
            reference=row.reference,
            intent_id=row.intent_id,
            amount=Money(row.amount, row.currency),
            idempotency_key=row.idempotency_key,
            created_at=row.created_at,
        )

    def refunded_of(self, intent_id: str) -> Money | None:
        rows = self._db.execute(
            sa.select(sandbox_refunds.c.amount, sandbox_refunds.c.currency).where(
                sandbox_refunds.c.intent_id == intent_id
            )
        ).all()
        total: Money | None = None
        for row in rows:
            part = Money(row.amount, row.currency)
            total = part if total is None else total + part
        return total

    def add_refund(self, refund: SandboxRefund) -> None:
        self._db.execute(
            sa.insert(sandbox_refunds).values(
                id=refund.id,
                reference=refund.reference,
                intent_id=refund.intent_id,
                amount=refund.amount.amount,
                currency=refund.amount.currency,
                idempotency_key=refund.idempotency_key,
                created_at=refund.created_at,
            )
        )

    def add_event(self, event: SandboxEvent) -> None:
        self._db.execute(
            sa.insert(sandbox_events).values(
                id=event.id, type=event.type, body=event.body, created_at=event.created_at
            )
        )

    def get_event(self, event_id: str) -> SandboxEvent | None:
        row = self._db.execute(
            sa.select(sandbox_events).where(sandbox_events.c.id == event_id)
        ).first()
        if row is None:
            return None
        return SandboxEvent(row.id, row.type, bytes(row.body), row.created_at, row.delivered_at)

    def mark_delivered(self, event_id: str, at: datetime) -> None:
        self._db.execute(
            sa.update(sandbox_events).where(sandbox_events.c.id == event_id).values(delivered_at=at)
        )
