"""Invoices, their yearly number sequences and organizations' credit terms on SQLAlchemy
Core: the part of the payments repository that invoicing adds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.tables_payments import credit_terms, invoice_sequences, invoices
from app.domain.payments.model import CreditTerms, Invoice, InvoiceLine, InvoiceStatus
from app.domain.shared.money import Money


class SqlInvoiceRecords:
    _db: Session

    def credit_terms_for_update(self, organization_id: str) -> CreditTerms | None:
        row = self._db.execute(
            sa.select(credit_terms)
            .where(credit_terms.c.organization_id == organization_id)
            .with_for_update()
        ).first()
        if row is None:
            return None
        return CreditTerms(
            row.organization_id,
            Money(row.credit_limit, row.currency),
            row.net_days,
            row.updated_by,
            row.updated_at,
        )

    def save_credit_terms(self, terms: CreditTerms) -> None:
        values = {
            "credit_limit": terms.limit.amount,
            "currency": terms.limit.currency,
            "net_days": terms.net_days,
            "updated_by": terms.updated_by,
            "updated_at": terms.updated_at,
        }
        self._db.execute(
            upsert_insert(self._db, credit_terms)
            .values(organization_id=terms.organization_id, **values)
            .on_conflict_do_update(index_elements=[credit_terms.c.organization_id], set_=values)
        )

    def credit_used(self, organization_id: str, currency: str) -> Money:
        totals = self._db.execute(
            sa.select(invoices.c.total).where(
                invoices.c.organization_id == organization_id,
                invoices.c.currency == currency,
                invoices.c.on_credit.is_(True),
                invoices.c.status != InvoiceStatus.PAID.value,
            )
        ).scalars()
        return sum((Money(total, currency) for total in totals), Money.zero(currency))

    def next_invoice_number(self, year: int) -> int:
        self._db.execute(
            upsert_insert(self._db, invoice_sequences)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing()
        )
        key = invoice_sequences.c.year == year
        last = self._db.execute(
            sa.select(invoice_sequences.c.last_number).where(key).with_for_update()
        ).scalar_one()
        number = int(last) + 1
        self._db.execute(sa.update(invoice_sequences).where(key).values(last_number=number))
        return number

    def add_invoice(self, invoice: Invoice) -> None:
        self._db.execute(
            sa.insert(invoices).values(
                id=invoice.id,
                number=invoice.number,
                payment_id=invoice.payment_id,
                order_id=invoice.order_id,
                organization_id=invoice.organization_id,
                buyer_id=invoice.buyer_id,
                lines=[
                    {"description": line.description, "amount": str(line.amount.amount)}
                    for line in invoice.lines
                ],
                subtotal=invoice.subtotal.amount,
                total=invoice.total.amount,
                currency=invoice.total.currency,
                reference=invoice.reference,
                bank=invoice.bank,
                on_credit=invoice.on_credit,
                issued_at=invoice.issued_at,
                due_date=invoice.due_date,
                status=invoice.status.value,
                paid_at=invoice.paid_at,
            )
        )

    def _invoice(self, where: Any, lock: bool) -> Invoice | None:
        query = sa.select(invoices).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        currency = row.currency
        return Invoice(
            id=row.id,
            number=row.number,
            payment_id=row.payment_id,
            order_id=row.order_id,
            organization_id=row.organization_id,
            buyer_id=row.buyer_id,
            lines=[
                InvoiceLine(line["description"], Money(Decimal(line["amount"]), currency))
                for line in row.lines
            ],
            subtotal=Money(row.subtotal, currency),
            total=Money(row.total, currency),
            reference=row.reference,
            bank=dict(row.bank),
            on_credit=row.on_credit,
            issued_at=row.issued_at,
            due_date=row.due_date,
            status=InvoiceStatus(row.status),
            paid_at=row.paid_at,
        )

    def get_invoice(self, invoice_id: str) -> Invoice | None:
        return self._invoice(invoices.c.id == invoice_id, False)

    def invoice_for_update(self, invoice_id: str) -> Invoice | None:
        return self._invoice(invoices.c.id == invoice_id, True)

    def invoice_of_payment_for_update(self, payment_id: str) -> Invoice | None:
        return self._invoice(invoices.c.payment_id == payment_id, True)

    def save_invoice(self, invoice: Invoice) -> None:
        self._db.execute(
            sa.update(invoices)
            .where(invoices.c.id == invoice.id)
            .values(status=invoice.status.value, paid_at=invoice.paid_at)
        )

    def overdue_invoice_ids(self, today: date, limit: int) -> list[str]:
        return list(
            self._db.execute(
                sa.select(invoices.c.id)
                .where(invoices.c.status == InvoiceStatus.OPEN.value, invoices.c.due_date < today)
                .order_by(invoices.c.due_date, invoices.c.id)
                .limit(limit)
            ).scalars()
        )
