"""Pricing set by platform admins: base prices per project and vintage (open listings
follow them), the platform's fee schedule, and organizations' enterprise terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from app.domain.auth.principal import Principal
from app.domain.marketplace.fees import (
    FeeSchedule,
    PaymentMethod,
    check_rate,
)
from app.domain.marketplace.services import MarketSettings, reprice, update_of
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied, RuleViolation
from app.domain.shared.money import Money
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.marketplace import (
    MarketUoW,
    OrganizationTerms,
)


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PermissionDenied("pricing is set by platform admins")


def set_base_price(
    principal: Principal,
    project_id: str,
    vintage: int,
    price: Money,
    *,
    uow: MarketUoW,
    clock: Clock,
    market: MarketSettings,
) -> Money:
    """The base price of a project vintage; its open listings follow it."""
    _admin(principal)
    if price.amount <= 0:
        raise RuleViolation("a base price is positive", code="invalid_price")
    with uow:
        project = uow.projects.get(project_id)
        if project is None:
            raise NotFound("project not found")
        uow.market.set_base_price(project_id, vintage, price)
        now = clock.now()
        changed = []
        for listing in uow.market.listings_of(project_id, vintage):
            if listing.floor_price is not None and listing.floor_price.currency != price.currency:
                continue  # a seller's floor in another currency keeps the listing's own base
            listing.base_price = price
            reprice(listing, project, uow=uow, now=now, market=market, reason="base price")
            uow.market.save_listing(listing)
            changed.append(listing)
        uow.audit(
            AuditRecord(
                "market.base_price_set",
                "project",
                project_id,
                principal.id,
                after={"vintage": vintage, "price": str(price)},
            )
        )
        uow.commit()
    for listing in changed:
        market.feed.publish(update_of(listing, now))
    return price


def set_platform_fees(
    principal: Principal,
    platform_rate: Decimal,
    processing_rates: dict[PaymentMethod, Decimal],
    *,
    uow: MarketUoW,
) -> FeeSchedule:
    _admin(principal)
    schedule = FeeSchedule(platform_rate=platform_rate, processing_rates=processing_rates)
    with uow:
        uow.market.set_platform_fees(platform_rate, dict(schedule.processing_rates))
        uow.audit(
            AuditRecord(
                "market.fees_set",
                "platform",
                "fees",
                principal.id,
                after={
                    "platform_rate": str(platform_rate),
                    "processing_rates": {k: str(v) for k, v in processing_rates.items()},
                },
            )
        )
        uow.commit()
    return schedule


class MarketTermsUoW(MarketUoW, AuthUoW, Protocol):
    """The marketplace beside the organizations whose terms it keeps."""


def set_organization_terms(
    principal: Principal,
    organization_id: str,
    *,
    platform_rate: Decimal | None,
    approval_limit: Money | None,
    uow: MarketTermsUoW,
) -> OrganizationTerms:
    """An organization's enterprise schedule (its platform rate, None: the platform's) and
    the total above which its orders wait for its admin's approval (None: no limit)."""
    _admin(principal)
    if platform_rate is not None:
        check_rate(platform_rate, "platform_rate")
    if approval_limit is not None and approval_limit.amount < 0:
        raise RuleViolation("an approval limit cannot be negative", code="invalid_amount")
    terms = OrganizationTerms(organization_id, platform_rate, approval_limit)
    with uow:
        if uow.organizations.get(organization_id) is None:
            raise NotFound("organization not found")
        uow.market.set_organization_terms(terms)
        uow.audit(
            AuditRecord(
                "market.organization_terms_set",
                "organization",
                organization_id,
                principal.id,
                after={
                    "platform_rate": None if platform_rate is None else str(platform_rate),
                    "approval_limit": None if approval_limit is None else str(approval_limit),
                },
                organization_id=organization_id,
            )
        )
        uow.commit()
    return terms
