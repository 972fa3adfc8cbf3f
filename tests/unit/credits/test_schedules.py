"""Scheduled retirements: nothing is held back until the reminder, which reserves the
credits; the run creates the retirement once; cancelling gives the reservation back; a
run without the credits fails and says why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.credits import schedule_runs, schedules
from app.domain.credits.errors import InsufficientCredits
from app.domain.credits.events import ReminderDue, ScheduleFailed
from app.domain.credits.schedule_model import RetirementSchedule, ScheduleStatus
from app.domain.credits.services import authorize_holding
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.quantity import Quantity
from tests.unit.builders import ORG, PID
from tests.unit.ledger_world import FINANCE, STRANGER, VIEWER, LedgerWorld

RUN_IN = timedelta(days=30)


@pytest.fixture
def world() -> LedgerWorld:
    minted = LedgerWorld()
    minted.minted(kg=50_000)
    return minted


def _schedule(
    world: LedgerWorld, *, kg: int = 10_000, remind: int | None = 7, principal=FINANCE
) -> RetirementSchedule:
    return schedules.schedule_retirement(
        principal,
        owner=authorize_holding(principal, ORG),
        project_id=PID,
        vintage=2024,
        quantity=Quantity(kg),
        beneficiary="Acme Ltd",
        purpose="2026 scope 2",
        run_at=world.clock.now() + RUN_IN,
        remind_days_before=remind,
        uow=world.uow,
        clock=world.clock,
        custody=world.custody,
    )


def _sweep(world: LedgerWorld) -> int:
    return schedule_runs.run_due_schedules(uow=world.uow, clock=world.clock)


def _stored(world: LedgerWorld, schedule: RetirementSchedule) -> RetirementSchedule:
    found = world.uow.schedules.get(schedule.id)
    assert found is not None
    return found


def _events(world: LedgerWorld, kind: type) -> list:
    return [e for e in world.uow.dispatched if isinstance(e, kind)]


def test_a_schedule_reserves_nothing_until_its_reminder(world: LedgerWorld):
    schedule = _schedule(world)
    assert schedule.status == ScheduleStatus.SCHEDULED
    assert world.holding(world.org_address).available_kg == 50_000
    world.clock.advance(days=22)  # eight days ahead: the reminder is not due yet
    assert _sweep(world) == 0
    assert world.holding(world.org_address).pending_out_kg == 0
    assert world.audited()[-1] == "credits.retirement_scheduled"


def test_the_reminder_reserves_the_credits_once_and_tells_the_owner(world: LedgerWorld):
    schedule = _schedule(world)
    world.clock.advance(days=23)  # seven days ahead
    assert _sweep(world) == 1
    assert _sweep(world) == 0  # a second sweep (or a job delivered twice) reminds no more
    stored = _stored(world, schedule)
    assert (stored.status, stored.reserved_token_id) == (ScheduleStatus.RESERVED, 1)
    assert world.holding(world.org_address).pending_out_kg == 10_000
    [event] = _events(world, ReminderDue)
    assert (event.schedule_id, event.owner_kind, event.owner_id) == (
        schedule.id,
        "organization",
        ORG,
    )
    assert (event.quantity_kg, event.reserved, event.note) == (10_000, True, "")
    assert event.due_on == schedule.run_at.date().isoformat()


def test_reserved_credits_cannot_be_retired_from_under_the_schedule(world: LedgerWorld):
    _schedule(world, kg=45_000)
    world.clock.advance(days=23)
    _sweep(world)
    with pytest.raises(InsufficientCredits):
        world.retire(kg=5_001)
    world.retire(kg=5_000)  # what is not reserved stays free


def test_the_run_creates_the_retirement_exactly_once(world: LedgerWorld):
    schedule = _schedule(world)
    world.clock.advance(days=23)
    _sweep(world)
    world.clock.advance(days=7)
    assert _sweep(world) == 1
    assert _sweep(world) == 0
    assert schedule_runs.handle_schedule(schedule.id, uow=world.uow, clock=world.clock) is False
    stored = _stored(world, schedule)
    assert stored.status == ScheduleStatus.COMPLETED
    assert (stored.reserved_token_id, stored.finished_at) == (None, world.clock.now())
    [retirement] = world.uow.credits.retirements.values()
    assert stored.retirement_id == retirement.id
    assert (retirement.quantity_kg, retirement.beneficiary) == (10_000, "Acme Ltd")
    assert (retirement.owner_kind, retirement.owner_id) == ("organization", ORG)
    assert retirement.created_by == FINANCE.id
    # the reservation became the retirement's own: held once, not twice
    assert world.holding(world.org_address).pending_out_kg == 10_000
    assert world.jobs().count("credits.retire") == 1
    world.settle()
    assert world.holding(world.org_address).onchain_kg == 40_000


def test_without_a_reminder_the_run_reserves_and_retires(world: LedgerWorld):
    schedule = _schedule(world, remind=None)
    world.clock.advance(days=29)
    assert _sweep(world) == 0
    world.clock.advance(days=1)
    assert _sweep(world) == 1
    assert _stored(world, schedule).status == ScheduleStatus.COMPLETED
    assert _events(world, ReminderDue) == []


def test_cancelling_gives_the_reservation_back_and_only_once(world: LedgerWorld):
    schedule = _schedule(world)
    world.clock.advance(days=23)
    _sweep(world)
    owner = authorize_holding(FINANCE, ORG)
    cancelled = schedules.cancel_schedule(
        FINANCE, schedule.id, may_act_for=owner, uow=world.uow, clock=world.clock
    )
    assert cancelled.status == ScheduleStatus.CANCELLED
    assert world.holding(world.org_address).pending_out_kg == 0
    with pytest.raises(Conflict):
        schedules.cancel_schedule(
            FINANCE, schedule.id, may_act_for=owner, uow=world.uow, clock=world.clock
        )
    world.clock.advance(days=7)
    assert _sweep(world) == 0
    assert world.uow.credits.retirements == {}


def test_someone_elses_schedule_cannot_be_cancelled(world: LedgerWorld):
    schedule = _schedule(world)
    with pytest.raises(NotFound):
        schedules.cancel_schedule(
            STRANGER,
            schedule.id,
            may_act_for=("user", STRANGER.id),
            uow=world.uow,
            clock=world.clock,
        )
    with pytest.raises(NotFound):
        schedules.get_schedule(STRANGER, schedule.id, uow=world.uow)


def test_a_run_without_the_credits_fails_and_tells_the_owner_why(world: LedgerWorld):
    schedule = _schedule(world, kg=45_000)
    world.retire(kg=10_000)  # before the reminder: only 40 t left
    world.clock.advance(days=23)
    _sweep(world)
    stored = _stored(world, schedule)
    assert stored.status == ScheduleStatus.SCHEDULED  # reminded, nothing to reserve
    [reminder] = _events(world, ReminderDue)
    assert reminder.reserved is False
    assert "not available" in reminder.note
    world.clock.advance(days=7)
    assert _sweep(world) == 1
    stored = _stored(world, schedule)
    assert stored.status == ScheduleStatus.FAILED
    assert "45 t" in (stored.failure or "")
    [failed] = _events(world, ScheduleFailed)
    assert (failed.schedule_id, failed.reason) == (schedule.id, stored.failure)
    assert world.holding(world.org_address).pending_out_kg == 10_000  # the other retirement's
    assert world.audited()[-1] == "credits.retirement_schedule_failed"


def test_timing_and_roles_are_checked(world: LedgerWorld):
    with pytest.raises(RuleViolation) as past:
        schedules.schedule_retirement(
            FINANCE,
            owner=("organization", ORG),
            project_id=PID,
            vintage=2024,
            quantity=Quantity(1_000),
            beneficiary="Acme",
            purpose="",
            run_at=world.clock.now() - timedelta(seconds=1),
            remind_days_before=None,
            uow=world.uow,
            clock=world.clock,
            custody=world.custody,
        )
    assert past.value.code == "run_at_not_future"
    with pytest.raises(RuleViolation):
        _schedule(world, remind=366)
    with pytest.raises(PermissionDenied):
        _schedule(world, principal=VIEWER)
    assert world.uow.schedules.rows == {}


def test_a_list_holds_the_callers_own_schedules_soonest_first(world: LedgerWorld):
    later = _schedule(world)
    world.clock.advance(days=-1)
    sooner = _schedule(world)
    mine, total = schedules.list_schedules(FINANCE, offset=0, limit=10, uow=world.uow)
    assert ([s.id for s in mine], total) == ([sooner.id, later.id], 2)
    assert schedules.list_schedules(STRANGER, offset=0, limit=10, uow=world.uow) == ([], 0)


def test_a_schedule_that_cannot_be_handled_does_not_hold_back_the_others(
    world: LedgerWorld, monkeypatch: pytest.MonkeyPatch
):
    broken, fine = _schedule(world, remind=None), _schedule(world, remind=None)
    world.clock.advance(days=30)
    real = world.uow.schedules.get_for_update

    def failing(schedule_id: str):
        if schedule_id == broken.id:
            raise OSError("the database went away")
        return real(schedule_id)

    monkeypatch.setattr(world.uow.schedules, "get_for_update", failing)
    errors: list[str] = []
    handled = schedule_runs.run_due_schedules(
        uow=world.uow, clock=world.clock, on_error=lambda sid, error: errors.append(sid)
    )
    assert (handled, errors) == (1, [broken.id])
    assert _stored(world, fine).status == ScheduleStatus.COMPLETED
    assert _stored(world, broken).status == ScheduleStatus.SCHEDULED
    with pytest.raises(OSError, match="went away"):
        schedule_runs.run_due_schedules(uow=world.uow, clock=world.clock)
