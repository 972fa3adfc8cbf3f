"""In-memory scheduled retirements."""

from __future__ import annotations

import copy
from datetime import datetime

from app.domain.credits.schedule_model import RetirementSchedule


class FakeScheduleRepository:
    def __init__(self) -> None:
        self.rows: dict[str, RetirementSchedule] = {}

    def add(self, schedule: RetirementSchedule) -> None:
        assert schedule.id not in self.rows
        self.rows[schedule.id] = copy.deepcopy(schedule)

    def get(self, schedule_id: str) -> RetirementSchedule | None:
        found = self.rows.get(schedule_id)
        return copy.deepcopy(found) if found else None

    get_for_update = get

    def save(self, schedule: RetirementSchedule) -> None:
        assert schedule.id in self.rows
        retirement = schedule.retirement_id
        assert retirement is None or all(
            s.retirement_id != retirement for s in self.rows.values() if s.id != schedule.id
        ), "one retirement per schedule"
        self.rows[schedule.id] = copy.deepcopy(schedule)

    def page(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[RetirementSchedule], int]:
        mine = sorted(
            (s for s in self.rows.values() if owner_ids is None or s.owner_id in owner_ids),
            key=lambda s: (s.run_at, s.id),
        )
        return [copy.deepcopy(s) for s in mine[offset : offset + limit]], len(mine)

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        due = [s for s in self.rows.values() if s.run_due(now) or s.reminder_due(now)]
        return [s.id for s in sorted(due, key=lambda s: (s.run_at, s.id))[:limit]]
