"""An invoice as a PDF (reportlab): its number, dates, the organization billed, each line,
the subtotal, the total due, and the bank details with the reference to pay it with."""

from __future__ import annotations

from app.domain.payments.model import Invoice
from app.http.payments.receipt import amount_with_currency as _amount
from app.http.payments.receipt import labelled_pdf


def invoice_lines(invoice: Invoice) -> list[tuple[str, str]]:
    """The invoice's label and value lines, in order."""
    head = [
        ("Invoice", invoice.number),
        ("Issued", invoice.issued_at.strftime("%Y-%m-%d")),
        ("Due", invoice.due_date.isoformat()),
        ("Billed to", f"organization {invoice.organization_id}"),
        ("Order", invoice.order_id),
        ("Status", invoice.status.value),
    ]
    credits, *fees = invoice.lines
    body = [(credits.description, _amount(credits.amount)), ("Subtotal", _amount(invoice.subtotal))]
    body += [(fee.description, _amount(fee.amount)) for fee in fees]
    body.append(("Total due", _amount(invoice.total)))
    bank = [
        ("Pay to", invoice.bank["beneficiary"]),
        ("IBAN", invoice.bank["iban"]),
        ("BIC", invoice.bank["bic"]),
        ("Reference", invoice.reference),
    ]
    return head + body + bank


def invoice_pdf(invoice: Invoice) -> bytes:
    return labelled_pdf(
        f"Invoice {invoice.number}",
        invoice_lines(invoice),
        frozenset({"Total due", "Reference"}),
        size=9,
    )
