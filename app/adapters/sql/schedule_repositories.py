"""SQL repository of scheduled retirements, and the reports' reader of what they plan."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_schedules import retirement_schedules as t
from app.domain.credits.schedule_model import OPEN, RetirementSchedule, ScheduleStatus
from app.domain.reports.model import Period, Scope

_OPEN = sorted(str(s) for s in OPEN)


def _schedule(row: Any) -> RetirementSchedule:
    data = dict(row._mapping)
    del data["remind_at"]  # stored for the sweep's query; derived from run_at
    data["status"] = ScheduleStatus(data["status"])
    return RetirementSchedule(**data)


def _values(schedule: RetirementSchedule) -> dict[str, Any]:
    return {**asdict(schedule), "status": schedule.status.value, "remind_at": schedule.remind_at}


class SqlScheduleRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, schedule: RetirementSchedule) -> None:
        self._db.execute(sa.insert(t).values(_values(schedule)))

    def get(self, schedule_id: str) -> RetirementSchedule | None:
        row = self._db.execute(sa.select(t).where(t.c.id == schedule_id)).first()
        return _schedule(row) if row else None

    def get_for_update(self, schedule_id: str) -> RetirementSchedule | None:
        query = sa.select(t).where(t.c.id == schedule_id).with_for_update()
        row = self._db.execute(query).first()
        return _schedule(row) if row else None

    def save(self, schedule: RetirementSchedule) -> None:
        self._db.execute(sa.update(t).where(t.c.id == schedule.id).values(_values(schedule)))

    def page(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[RetirementSchedule], int]:
        query = sa.select(t).order_by(t.c.run_at, t.c.id)
        if owner_ids is not None:
            query = query.where(t.c.owner_id.in_(owner_ids))
        rows, total = page_of(self._db, query, offset, limit)
        return [_schedule(r) for r in rows], total

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        reminder = (
            (t.c.status == ScheduleStatus.SCHEDULED.value)
            & t.c.reminded_at.is_(None)
            & (t.c.remind_at <= now)
        )
        query = (
            sa.select(t.c.id)
            .where(t.c.status.in_(_OPEN), (t.c.run_at <= now) | reminder)
            .order_by(t.c.run_at, t.c.id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())


class SqlPlannedRetirements:
    """The reports' `ScheduledRetirements`: kilograms of open schedules that run after
    the period, of the report's scope."""

    def __init__(self, db: Session) -> None:
        self._db = db

    def planned_kg(self, scope: Scope, period: Period) -> int:
        where = [t.c.status.in_(_OPEN), t.c.run_at >= period.until]
        if scope.kind != "platform":
            where += [t.c.owner_kind == scope.kind, t.c.owner_id == scope.id]
        if scope.project_id is not None:
            where.append(t.c.project_id == scope.project_id)
        total = self._db.execute(sa.select(sa.func.sum(t.c.quantity_kg)).where(*where)).scalar()
        return int(total or 0)
