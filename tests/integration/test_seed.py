"""The demo data of `make run`: accounts, projects and, on the embedded chain, minted
credits listed for sale with a priced quote and an active governance proposal; seeding
again adds nothing."""

from __future__ import annotations

from app.domain.marketplace.model import ListingStatus
from app.main.seed import DEMO_LISTINGS, run_seeders


def test_the_demo_has_listings_with_priced_quotes_and_seeds_once(make_platform):
    platform = make_platform()
    lines = list(run_seeders(platform))

    assert any(line.startswith("Market listings") for line in lines)
    with platform.uow() as uow:
        for project_id, vintage, _minted, listed, _base in DEMO_LISTINGS:
            (listing,) = uow.market.listings_of(project_id, vintage)
            assert listing.status == ListingStatus.ACTIVE
            assert listing.quantity_kg == int(listed) * 1000
            assert listing.unit_price.amount > 0
            holding = uow.credits.holding_for_update(listing.seller_address, listing.token_id)
            assert holding.pending_out_kg == listing.quantity_kg
        quotes, _ = uow.market.list_orders(None, 0, 10)
        assert quotes == []  # quotes only: nothing is ordered by the demo

    [proposed] = [line for line in lines if line.startswith("Governance proposal")]
    assert "(active, voting until" in proposed
    again = list(run_seeders(platform))
    assert not any(line.startswith("Market listings") for line in again)
    assert not any(line.startswith("Governance proposal") for line in again)
    with platform.uow() as uow:
        assert all(
            len(uow.market.listings_of(project_id, vintage)) == 1
            for project_id, vintage, *_ in DEMO_LISTINGS
        )
