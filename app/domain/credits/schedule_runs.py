"""The sweep of scheduled retirements: reminders (which reserve the credits) and runs
(which create the retirement, once). Each schedule is handled in its own transaction,
locked and checked again, so several sweeps at once (processes, a job delivered twice)
remind and run each schedule exactly once."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.credits.events import ReminderDue, ScheduleFailed
from app.domain.credits.holdings import first_free_holding
from app.domain.credits.retirements import reserve_retirement
from app.domain.credits.schedule_model import RetirementSchedule, ScheduleStatus
from app.domain.credits.schedules import audit_schedule, release_reservation
from app.domain.shared.errors import DomainError
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.schedules import SchedulesUoW

BATCH = 100


def run_due_schedules(
    *,
    uow: SchedulesUoW,
    clock: Clock,
    limit: int = BATCH,
    on_error: Callable[[str, Exception], None] | None = None,
) -> int:
    """Remind and run the schedules that are due now; how many were handled. With
    `on_error`, a schedule that cannot be handled now (its unit rolled back: the next
    sweep tries again) is told to it and does not hold back the others."""
    with uow:
        due = uow.schedules.due_ids(clock.now(), limit)
    handled = 0
    for schedule_id in due:
        try:
            handled += handle_schedule(schedule_id, uow=uow, clock=clock)
        except Exception as error:
            if on_error is None:
                raise
            on_error(schedule_id, error)
    return handled


def handle_schedule(schedule_id: str, *, uow: SchedulesUoW, clock: Clock) -> bool:
    """Run or remind one schedule if it is (still) due; whether it did."""
    with uow:
        schedule = uow.schedules.get_for_update(schedule_id)
        now = clock.now()
        if schedule is None:
            return False
        if schedule.run_due(now):
            _run(schedule, uow, clock)
        elif schedule.reminder_due(now):
            _remind(schedule, uow, clock)
        else:
            return False
        uow.schedules.save(schedule)
        uow.commit()
        return True


def _remind(schedule: RetirementSchedule, uow: SchedulesUoW, clock: Clock) -> None:
    """Hold the credits back in the first holding of the project vintage that has them,
    and tell the owner (whether or not they could be)."""
    schedule.reminded_at = clock.now()
    note = ""
    free = first_free_holding(
        uow, schedule.holder_address, schedule.project_id, schedule.vintage, schedule.quantity_kg
    )
    if free is not None:
        batch, holding = free
        holding.reserve(schedule.quantity_kg)
        uow.credits.save_holding(holding)
        schedule.status, schedule.reserved_token_id = ScheduleStatus.RESERVED, batch.token_id
    else:
        note = (
            f"{schedule.quantity.tonnes_str()} t of {schedule.project_id} vintage "
            f"{schedule.vintage} are not available in your holding yet: the retirement "
            "will fail unless they are by then."
        )
    audit_schedule(uow, "credits.retirement_schedule_reminded", schedule, None)
    uow.publish(
        ReminderDue(
            schedule_id=schedule.id,
            owner_kind=str(schedule.owner_kind),
            owner_id=schedule.owner_id,
            due_on=schedule.run_at.date().isoformat(),
            quantity_kg=schedule.quantity_kg,
            reserved=schedule.status == ScheduleStatus.RESERVED,
            note=note,
        )
    )


def _run(schedule: RetirementSchedule, uow: SchedulesUoW, clock: Clock) -> None:
    """Turn the reservation into the retirement (the `credits.retire` job sends it), or
    fail with the reason (a rule the retirement breaks: too few credits) and tell the
    owner. Other errors roll the unit back: the next sweep tries again."""
    release_reservation(schedule, uow)
    try:
        retirement = reserve_retirement(
            owner=(schedule.owner_kind, schedule.owner_id),
            holder_address=schedule.holder_address,
            project_id=schedule.project_id,
            vintage=schedule.vintage,
            quantity=Quantity(schedule.quantity_kg),
            beneficiary=schedule.beneficiary,
            purpose=schedule.purpose,
            created_by=schedule.created_by,
            uow=uow,
            clock=clock,
            beneficiary_visibility=schedule.beneficiary_visibility,
        )
    except DomainError as exc:  # not enough credits, above all: the schedule fails, told
        schedule.failure = exc.detail
        schedule.finish(ScheduleStatus.FAILED, clock.now())
        audit_schedule(uow, "credits.retirement_schedule_failed", schedule, None)
        uow.publish(
            ScheduleFailed(
                schedule_id=schedule.id,
                owner_kind=str(schedule.owner_kind),
                owner_id=schedule.owner_id,
                quantity_kg=schedule.quantity_kg,
                reason=exc.detail,
            )
        )
        return
    schedule.retirement_id = retirement.id
    schedule.finish(ScheduleStatus.COMPLETED, clock.now())
    audit_schedule(uow, "credits.retirement_schedule_completed", schedule, None)
