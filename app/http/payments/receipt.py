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


def amount_with_currency(money: Money) -> str:
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
        ("Unit price (per tonne)", amount_with_currency(order.unit_price)),
        ("Subtotal", amount_with_currency(order.subtotal)),
    ]
    lines += [(f"Fee: {fee.kind}", amount_with_currency(fee.amount)) for fee in order.fees]
    lines.append(("Total paid", amount_with_currency(payment.amount)))
    done = [refund for refund in refunds if refund.status == RefundStatus.SUCCEEDED]
    lines += [(f"Refund {refund.id}", f"-{amount_with_currency(refund.amount)}") for refund in done]
    if done:
        lines.append(("Net paid", amount_with_currency(payment.amount - payment.refunded_total)))
    return lines


def labelled_pdf(
    title: str, lines: Sequence[tuple[str, str]], bold: frozenset[str], size: int = 10
) -> bytes:
    """One A4 page: `title`, then each label on the left and its value on the right."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, y, title)
    y -= 12 * mm
    for label, value in lines:
        pdf.setFont("Helvetica-Bold" if label in bold else "Helvetica", size)
        pdf.drawString(20 * mm, y, label[:95])
        pdf.drawRightString(width - 20 * mm, y, value)
        y -= 7 * mm
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def receipt_pdf(payment: Payment, order: Order, refunds: Sequence[Refund]) -> bytes:
    return labelled_pdf(
        "Receipt", receipt_lines(payment, order, refunds), frozenset({"Total paid", "Net paid"})
    )
