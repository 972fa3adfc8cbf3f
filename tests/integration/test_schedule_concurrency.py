"""A planned retirement cannot be sold from under it, on both databases: reminders
reserving schedules' credits race listings of the same holding, and what both take
never exceeds what the holding has (the holding's row lock serializes them)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from app.domain.credits import schedule_runs, schedules
from app.domain.credits.schedule_model import RetirementSchedule, ScheduleStatus
from app.domain.marketplace.errors import InsufficientHolding
from app.domain.shared.quantity import Quantity
from app.main.seed import DEMO_ISSUER_ORG, run_seeders
from tests.integration.test_market_concurrency import _user, listing_of

PROJECT, VINTAGE, RACERS = "demo-project-01", 2019, 10


def _free_kg(platform) -> tuple[str, int]:
    with platform.uow() as uow:
        address = platform.custody("organization", DEMO_ISSUER_ORG, uow)
        [batch] = uow.credits.batches_for(PROJECT, VINTAGE)
        return address, uow.credits.holding_for_update(address, batch.token_id).available_kg


def _schedule(platform, issuer, kg: int) -> RetirementSchedule:
    return schedules.schedule_retirement(
        issuer,
        owner=("organization", DEMO_ISSUER_ORG),
        project_id=PROJECT,
        vintage=VINTAGE,
        quantity=Quantity(kg),
        beneficiary="Demo beneficiary",
        purpose="planned",
        run_at=platform.clock.now() + timedelta(days=1),
        remind_days_before=30,  # its reminder is due at once
        uow=platform.uow(),
        clock=platform.clock,
        custody=platform.custody,
    )


def _listing(platform, kg: int) -> str:
    try:
        listing_of(platform, Quantity(kg))
    except InsufficientHolding:
        return "not enough"
    return "listed"


def test_reminders_and_listings_racing_never_take_more_than_the_holding(make_platform, any_db_url):
    platform = make_platform(database_url=any_db_url, db_pool_size=30)
    list(run_seeders(platform))
    issuer = _user(platform, "issuer@demo.carbon", DEMO_ISSUER_ORG)
    address, free = _free_kg(platform)
    share = free // RACERS
    planned = [_schedule(platform, issuer, share) for _ in range(RACERS)]

    def remind(schedule: RetirementSchedule) -> str:
        schedule_runs.handle_schedule(schedule.id, uow=platform.uow(), clock=platform.clock)
        with platform.uow() as uow:
            after = uow.schedules.get(schedule.id)
        assert after is not None
        return "reserved" if after.status == ScheduleStatus.RESERVED else "not enough"

    def race(i: int) -> str:
        if i % 2:
            return remind(planned[i // 2])
        return _listing(platform, share)

    with ThreadPoolExecutor(max_workers=2 * RACERS) as pool:
        outcomes = list(pool.map(race, range(2 * RACERS)))

    assert outcomes.count("reserved") + outcomes.count("listed") == RACERS
    assert outcomes.count("not enough") == RACERS
    assert _free_kg(platform) == (address, free - RACERS * share)
    with platform.reads() as reads:
        assert reads.ledger.invariant_violations() == []

    assert _listing(platform, share) == "not enough"  # what is left is < a share
