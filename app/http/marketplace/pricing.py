"""Admin pricing: base prices of project vintages, the platform's fee schedule, and
organizations' enterprise schedules and approval limits (platform admins)."""

from __future__ import annotations

from typing import Any

from app.domain.marketplace import admin
from app.domain.marketplace.fees import FeeSchedule
from app.domain.projects.model import FIRST_VINTAGE, LAST_VINTAGE
from app.domain.shared.errors import NotFound
from app.http.common.auth import current_principal, requires
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.marketplace import schemas as s
from app.http.marketplace.blueprint import blp
from app.http.marketplace.money import PriceSchema, to_money
from app.ports.repositories.marketplace import OrganizationTerms


@blp.route("/admin/pricing/base-prices/<project_id>/<int:vintage>", methods=["PUT"])
@requires("pricing:manage")
@rule_codes("invalid_amount")
@blp.arguments(PriceSchema)
@blp.response(200, s.BasePriceSchema)
def set_base_price(body: dict[str, str], project_id: str, vintage: int) -> dict[str, Any]:
    """The base price per tonne of a project vintage: new listings start from it, and its
    open listings are repriced from it (each change lands in the price history)."""
    if not FIRST_VINTAGE <= vintage <= LAST_VINTAGE:
        raise NotFound(f"no vintage {vintage}: vintages run from {FIRST_VINTAGE} to {LAST_VINTAGE}")
    p = platform()
    price = admin.set_base_price(
        current_principal(),
        project_id,
        vintage,
        to_money(body, "amount"),
        uow=uow(),
        clock=p.clock,
        market=p.market,
    )
    return {"project_id": project_id, "vintage": vintage, "price": price}


@blp.route("/admin/pricing/fees", methods=["PUT"])
@requires("pricing:manage")
@blp.arguments(s.PlatformFeesSchema)
@blp.response(200, s.PlatformFeesSchema)
def set_platform_fees(body: dict[str, Any]) -> FeeSchedule:
    """The platform's fee schedule: its rate on every order's subtotal, and the processing
    rate of each payment method."""
    return admin.set_platform_fees(
        current_principal(), body["platform_rate"], body["processing_rates"], uow=uow()
    )


@blp.route("/admin/pricing/organizations/<organization_id>/fees", methods=["PUT"])
@requires("pricing:manage")
@rule_codes("invalid_amount")
@blp.arguments(s.OrganizationFeesSchema)
@blp.response(200, s.OrganizationTermsSchema)
def set_organization_fees(body: dict[str, Any], organization_id: str) -> OrganizationTerms:
    """An organization's enterprise schedule: its platform rate (replacing the platform's;
    null: the platform's) and its approval limit (orders whose total is above it wait for
    an organization admin's approval before they can be paid; null: none)."""
    return admin.set_organization_terms(
        current_principal(),
        organization_id,
        platform_rate=body["platform_rate"],
        approval_limit=body["approval_limit"],
        uow=uow(),
    )
