"""An organization's terms: its enterprise rate prices its quotes, its approval limit
holds its large orders; only platform admins set them, for organizations that exist."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.auth.model import Organization
from app.domain.marketplace import admin
from app.domain.shared.errors import InvalidValue, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.money import Money
from app.ports.repositories.marketplace import OrganizationTerms
from tests.unit.builders import NOW
from tests.unit.ledger_world import ADMIN
from tests.unit.marketplace.market_world import BUYER_FINANCE, BUYER_ORG, MarketWorld


@pytest.fixture
def world() -> MarketWorld:
    world = MarketWorld()
    world.uow.organizations.add(Organization(BUYER_ORG, "Buyer Co", NOW, ADMIN.id))
    return world


def _set(world: MarketWorld, rate: str | None, limit: Money | None, *, by=ADMIN, org=BUYER_ORG):
    return admin.set_organization_terms(
        by,
        org,
        platform_rate=None if rate is None else Decimal(rate),
        approval_limit=limit,
        uow=world.uow,
    )


def test_an_enterprise_rate_replaces_the_platform_rate_in_its_quotes(world: MarketWorld):
    terms = _set(world, "0.02", Money.of("500", "EUR"))

    assert terms == OrganizationTerms(BUYER_ORG, Decimal("0.02"), Money.of("500", "EUR"))
    assert world.uow.market.organization_terms(BUYER_ORG) == terms
    assert world.uow.audit_log.entries[-1].action == "market.organization_terms_set"
    listing = world.list(10_000)
    quote = world.quote(listing, 1_000, buyer=BUYER_FINANCE, organization_id=BUYER_ORG)
    assert (quote.fees[0].kind, quote.fees[0].rate) == ("enterprise", Decimal("0.02"))


def test_clearing_the_terms_gives_the_platform_schedule_back(world: MarketWorld):
    _set(world, "0.02", Money.of("500", "EUR"))
    assert _set(world, None, None) == OrganizationTerms(BUYER_ORG)
    listing = world.list(10_000)
    quote = world.quote(listing, 1_000, buyer=BUYER_FINANCE, organization_id=BUYER_ORG)
    assert quote.fees[0].kind == "platform"


def test_only_platform_admins_set_terms_of_existing_organizations(world: MarketWorld):
    with pytest.raises(PermissionDenied):
        _set(world, "0.02", None, by=BUYER_FINANCE)
    with pytest.raises(NotFound):
        _set(world, "0.02", None, org="org-nobody")
    with pytest.raises(InvalidValue):
        _set(world, "0.7", None)
    with pytest.raises(RuleViolation):
        _set(world, None, Money.of("-1", "EUR"))
    assert world.uow.market.organization_terms(BUYER_ORG) == OrganizationTerms(BUYER_ORG)
