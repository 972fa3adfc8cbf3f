"""A payment's receipt as a PDF (reportlab): the order's credits, subtotal, each fee, the
total paid, the refunds completed and what remains paid."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.domain.marketplace.model import Order
from app.domain.payments.model import Payment, Refund, RefundStatus
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity


def _amount(money: Money) -> str:
    return f"{format(money.rounded().amount, 'f')} {money.currency}"


def receipt_lines(
    payment: Payment, order: Order, refunds: Sequence[Refund]
) -> list[tuple[str, str]]:
    """The receipt's label and value lines, in order."""
    lines = [
        ("Payment", payment.id),
        ("Order", order.id),
        ("Paid at", (payment.succeeded_at or payment.created_at).strftime("%Y-%m-%d %H:%M UTC")),
        ("Method", payment.method),
        ("Credits", f"{Quantity(order.quantity_kg).tonnes_str()} t, vintage {order.vintage}"),
        ("Project", order.project_id),
        ("Unit price (per tonne)", _amount(order.unit_price)),
        ("Subtotal", _amount(order.subtotal)),
    ]
    lines += [(f"Fee: {fee.kind}", _amount(fee.amount)) for fee in order.fees]
    lines.append(("Total paid", _amount(payment.amount)))
    done = [refund for refund in refunds if refund.status == RefundStatus.SUCCEEDED]
    lines += [(f"Refund {refund.id}", f"-{_amount(refund.amount)}") for refund in done]
    if done:
        lines.append(("Net paid", _amount(payment.amount - payment.refunded_total)))
    return lines


def receipt_pdf(payment: Payment, order: Order, refunds: Sequence[Refund]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"Receipt {payment.id}")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, y, "Receipt")
    y -= 12 * mm
    for label, value in receipt_lines(payment, order, refunds):
        bold = label in {"Total paid", "Net paid"}
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        pdf.drawString(20 * mm, y, label)
        pdf.drawRightString(width - 20 * mm, y, value)
        y -= 7 * mm
    pdf.showPage()
    pdf.save()
    return out.getvalue()
