"""Enterprise invoices: organizations' credit terms (platform admins), and an invoice as
JSON and as a PDF. An order is paid on an invoice through `POST /orders/{id}/payments
{"method": "invoice"}` (the payments blueprint)."""

from __future__ import annotations

from typing import Any

from flask import Response

from app.domain.payments import invoices
from app.domain.payments.invoices import CreditView
from app.domain.payments.model import Invoice
from app.domain.shared.money import parse_amount
from app.http.common.auth import current_principal, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.payments import schemas as s
from app.http.payments.invoice_pdf import invoice_pdf

blp = ApiBlueprint("invoices", __name__, description="Enterprise invoices and credit terms")


@blp.route("/admin/payments/organizations/<organization_id>/credit", methods=["PUT"])
@requires("pricing:manage")
@rule_codes("invalid_amount", "invalid_net_days")
@blp.arguments(s.CreditTermsBodySchema)
@blp.response(200, s.CreditTermsSchema)
def set_credit(body: dict[str, Any], organization_id: str) -> CreditView:
    """An organization's approved credit limit and net terms (platform admins). Its
    invoice orders whose total fits the room left (the limit less its unpaid invoices
    delivered on credit, in the limit's currency) are delivered at once; the others once
    their invoice is paid. An unknown organization -> 404."""
    limit = body["credit_limit"]
    return invoices.set_credit_terms(
        current_principal(),
        organization_id[:32],
        limit=parse_amount(limit["amount"], limit["currency"]),
        net_days=body["net_days"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/invoices/<invoice_id>", methods=["GET"])
@requires("market:read")
@blp.response(200, s.InvoiceSchema)
def get_invoice(invoice_id: str) -> Invoice:
    """An invoice (its buyer, its organization's admin, finance or auditor, platform
    admins): `number`, `due_date`, `status` (`open`, `overdue`, `paid`, `void`), lines and totals,
    the bank details and the reference to pay it with."""
    return invoices.get_invoice(current_principal(), invoice_id, uow=uow())


@blp.route("/invoices/<invoice_id>/pdf", methods=["GET"])
@requires("market:read")
@blp.alt_response(200, description="The invoice (PDF)", content_type="application/pdf")
def invoice_document(invoice_id: str) -> Response:
    """The invoice as a PDF."""
    invoice = invoices.get_invoice(current_principal(), invoice_id, uow=uow())
    return Response(
        invoice_pdf(invoice),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number}.pdf"'},
    )
