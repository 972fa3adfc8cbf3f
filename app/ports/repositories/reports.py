"""Repositories of reports: the queue of requested reports, and the figures reader the
builders take their numbers from (the ledger, marketplace orders, payments and the audit
log, as they stand). Row sources are iterators read in chunks (a server-side cursor on
PostgreSQL): a report of a million rows is written as it is read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from app.domain.reports.figures import (
    CustomRow,
    ProjectFigures,
    RetiredSlice,
    RetirementRow,
)
from app.domain.reports.model import CustomSpec, Period, Report, Scope
from app.domain.shared.audit import AuditEntry
from app.domain.shared.money import Money
from app.ports.repositories.projects import ProjectsUoW


class ReportRepository(Protocol):
    def add(self, report: Report) -> None: ...

    def get(self, report_id: str) -> Report | None: ...

    def get_for_update(self, report_id: str) -> Report | None: ...

    def save(self, report: Report) -> None: ...

    def list_for(self, requested_by: str, offset: int, limit: int) -> tuple[list[Report], int]:
        """The caller's reports, newest first: a page and how many there are."""
        ...


class ReportFigures(Protocol):
    def retired_slices(self, scope: Scope, period: Period) -> list[RetiredSlice]:
        """Kilograms of the scope's retirements confirmed in the period, summed per
        mitigation, removal kind, standard, country and corresponding adjustment."""
        ...

    def purchased_kg(self, scope: Scope, period: Period) -> int:
        """Kilograms of the scope's orders paid in the period and not refunded."""
        ...

    def spend(self, scope: Scope, period: Period) -> list[Money]:
        """What those orders cost, net of refunds, one amount per currency by code."""
        ...

    def retirement_rows(self, scope: Scope, period: Period) -> Iterator[RetirementRow]:
        """The scope's retirements confirmed in the period, oldest first, streamed."""
        ...

    def project_figures(self, project_id: str, period: Period) -> ProjectFigures | None: ...

    def audit_entries(self, scope: Scope, period: Period) -> Iterator[AuditEntry]:
        """The scope's audit entries of the period in sequence order, streamed."""
        ...

    def custom_rows(self, scope: Scope, period: Period, spec: CustomSpec) -> list[CustomRow]:
        """The metrics of `spec` per group (one row, `all`, without grouping)."""
        ...


class ScheduledRetirements(Protocol):
    def planned_kg(self, scope: Scope, period: Period) -> int:
        """Kilograms scheduled for cancellation after the period."""
        ...


class ReportsUoW(ProjectsUoW, Protocol):
    @property
    def reports(self) -> ReportRepository: ...

    @property
    def report_figures(self) -> ReportFigures: ...

    @property
    def scheduled_retirements(self) -> ScheduledRetirements: ...
