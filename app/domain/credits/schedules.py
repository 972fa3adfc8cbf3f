"""Use cases of scheduled retirements: plan one, list and read them, cancel one (which
gives back what its reminder reserved). The sweep that reminds and runs them is in
`schedule_runs`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain.auth.principal import Principal
from app.domain.credits.access import Owner, owner_ids_to_list, owns
from app.domain.credits.custody import Custody
from app.domain.credits.model import BeneficiaryVisibility
from app.domain.credits.schedule_model import (
    RetirementSchedule,
    ScheduleStatus,
    check_timing,
)
from app.domain.credits.services import LedgerUoW
from app.domain.projects.access import can_see
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound
from app.domain.shared.ids import new_id
from app.domain.shared.quantity import Quantity
from app.ports.clock import Clock
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.schedules import SchedulesUoW


class ScheduleUoW(LedgerUoW, SchedulesUoW, Protocol):
    """Scheduling reads projects and custodial accounts and writes the ledger."""


def schedule_retirement(
    principal: Principal,
    *,
    owner: Owner,
    project_id: str,
    vintage: int,
    quantity: Quantity,
    beneficiary: str,
    purpose: str,
    run_at: datetime,
    remind_days_before: int | None,
    uow: ScheduleUoW,
    clock: Clock,
    custody: Custody,
    beneficiary_visibility: BeneficiaryVisibility = "public",
) -> RetirementSchedule:
    """Plan a retirement of `owner`'s credits at `run_at` (the caller decided who may
    retire for `owner`); nothing is reserved yet."""
    quantity.positive()
    now = clock.now()
    check_timing(run_at, remind_days_before, now)
    with uow:
        project = uow.projects.get(project_id)
        if project is None or not can_see(principal, project):
            raise NotFound("project not found")
        schedule = RetirementSchedule(
            id=new_id(),
            owner_kind=owner[0],
            owner_id=owner[1],
            holder_address=custody(owner[0], owner[1], uow),
            project_id=project_id,
            vintage=vintage,
            quantity_kg=quantity.kg,
            beneficiary=beneficiary,
            purpose=purpose,
            run_at=run_at,
            created_by=principal.id,
            created_at=now,
            remind_days_before=remind_days_before,
            beneficiary_visibility=beneficiary_visibility,
        )
        uow.schedules.add(schedule)
        audit_schedule(uow, "credits.retirement_scheduled", schedule, principal.id)
        uow.commit()
        return schedule


def list_schedules(
    principal: Principal, *, offset: int, limit: int, uow: SchedulesUoW
) -> tuple[list[RetirementSchedule], int]:
    """The caller's schedules and its organizations' (everyone's for admins)."""
    with uow:
        return uow.schedules.page(owner_ids_to_list(principal), offset, limit)


def get_schedule(
    principal: Principal, schedule_id: str, *, uow: SchedulesUoW
) -> RetirementSchedule:
    with uow:
        schedule = uow.schedules.get(schedule_id)
    if schedule is None or not owns(principal, schedule.owner_kind, schedule.owner_id):
        raise NotFound("schedule not found")
    return schedule


def cancel_schedule(
    principal: Principal,
    schedule_id: str,
    *,
    may_act_for: Owner,
    uow: SchedulesUoW,
    clock: Clock,
) -> RetirementSchedule:
    """Cancel an open schedule of `may_act_for` (the owner the caller may retire for) and
    give back what its reminder reserved; a finished one is a 409."""
    with uow:
        schedule = uow.schedules.get_for_update(schedule_id)
        if schedule is None or (schedule.owner_kind, schedule.owner_id) != may_act_for:
            raise NotFound("schedule not found")
        if not schedule.is_open:
            raise Conflict(f"the schedule is {schedule.status}", code="schedule_not_open")
        release_reservation(schedule, uow)
        schedule.finish(ScheduleStatus.CANCELLED, clock.now())
        uow.schedules.save(schedule)
        audit_schedule(uow, "credits.retirement_schedule_cancelled", schedule, principal.id)
        uow.commit()
        return schedule


def release_reservation(schedule: RetirementSchedule, uow: CreditsUoW) -> None:
    """Give back the kilograms the schedule's reminder held back, if it did."""
    if schedule.reserved_token_id is None:
        return
    holding = uow.credits.holding_for_update(schedule.holder_address, schedule.reserved_token_id)
    holding.release(schedule.quantity_kg)
    uow.credits.save_holding(holding)
    schedule.reserved_token_id = None


def audit_schedule(
    uow: CreditsUoW, action: str, schedule: RetirementSchedule, actor: str | None
) -> None:
    uow.audit(
        AuditRecord(
            action,
            "retirement_schedule",
            schedule.id,
            actor,
            after={
                "status": str(schedule.status),
                "quantity": schedule.quantity.tonnes_str(),
                "run_at": schedule.run_at.isoformat(),
                "reserved_token_id": schedule.reserved_token_id,
                "retirement_id": schedule.retirement_id,
                "failure": schedule.failure,
            },
            organization_id=schedule.owner_id if schedule.owner_kind == "organization" else None,
        )
    )
