"""Repository of scheduled retirements."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain.credits.schedule_model import RetirementSchedule
from app.ports.repositories.credits import CreditsUoW


class ScheduleRepository(Protocol):
    def add(self, schedule: RetirementSchedule) -> None: ...

    def get(self, schedule_id: str) -> RetirementSchedule | None: ...

    def get_for_update(self, schedule_id: str) -> RetirementSchedule | None: ...

    def save(self, schedule: RetirementSchedule) -> None: ...

    def page(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[RetirementSchedule], int]:
        """Soonest `run_at` first, the page from `offset` and how many there are in all;
        `owner_ids` None means every owner (admins)."""
        ...

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        """Open schedules whose run is due, or whose reminder is due and not yet sent,
        soonest first."""
        ...


class SchedulesUoW(CreditsUoW, Protocol):
    @property
    def schedules(self) -> ScheduleRepository: ...
