"""No oversell under concurrency, on both databases: an order reserves its listing's
kilograms under the listing's row lock, in the same transaction as the order row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.marketplace import orders, quotes, services
from app.domain.marketplace.errors import InsufficientInventory
from app.domain.marketplace.model import Listing, Quote
from app.domain.shared.money import Money
from app.domain.shared.quantity import Quantity, parse_tonnes
from app.main.seed import DEMO_ISSUER_ORG, run_seeders

ORDERS = 200


def _user(platform, email: str, org: str | None = None) -> Principal:
    with platform.uow() as uow:
        user = uow.users.by_email(email)
    assert user is not None
    memberships = {org: OrgRole.ADMIN} if org else {}
    return Principal(user.id, "user", frozenset(user.roles), memberships)


def listing_of(platform, quantity: Quantity) -> Listing:
    """A listing of the demo issuer's demo-project-01 vintage 2019 credits."""
    return services.create_listing(
        _user(platform, "issuer@demo.carbon", DEMO_ISSUER_ORG),
        project_id="demo-project-01",
        vintage=2019,
        quantity=quantity,
        base_price=Money.of("10.00", "EUR"),
        floor_price=None,
        organization_id=None,
        uow=platform.uow(),
        clock=platform.clock,
        custody=platform.custody,
        market=platform.market,
    )


def _quote(platform, buyer: Principal, listing: Listing) -> Quote:
    return quotes.create_quote(
        buyer,
        listing_id=listing.id,
        quantity=parse_tonnes("1"),
        currency="EUR",
        payment_method="card",
        organization_id=None,
        uow=platform.uow(),
        clock=platform.clock,
        market=platform.market,
    )


def test_200_concurrent_orders_never_reserve_more_than_the_100_t_listed(make_platform, any_db_url):
    platform = make_platform(database_url=any_db_url, db_pool_size=30)
    list(run_seeders(platform))
    with platform.reads() as reads:
        assert reads.ledger.invariant_violations() == []
    listing = listing_of(platform, parse_tonnes("100"))
    buyer = _user(platform, "retail@demo.carbon")
    quotes = [_quote(platform, buyer, listing) for _ in range(ORDERS)]

    def order(quote: Quote) -> str:
        try:
            orders.create_order(
                buyer,
                quote_id=quote.id,
                organization_id=None,
                retire=None,
                uow=platform.uow(),
                clock=platform.clock,
                custody=platform.custody,
                market=platform.market,
            )
        except InsufficientInventory:
            return "sold out"
        return "ordered"

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(order, quotes))

    assert outcomes.count("ordered") == 100
    assert outcomes.count("sold out") == 100
    with platform.uow() as uow:
        after = uow.market.get_listing(listing.id)
        assert after is not None
        assert (after.reserved_kg, after.available_kg) == (100_000, 0)
        placed, total = uow.market.list_orders(None, 0, 500)
        assert total == 100
        assert sum(o.quantity_kg for o in placed) == 100_000
    with platform.reads() as reads:
        assert reads.ledger.invariant_violations() == []
