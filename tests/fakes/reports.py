"""In-memory reports: the queue of reports, a figures reader over retirements, orders
and audit entries the test puts in, the scheduled retirements figure, and a writer that
renders the content as JSON (consuming the detail rows once, as a streaming writer
does). The unit of work extends the platform's (users, organizations, projects)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.reports.content import ReportContent
from app.domain.reports.figures import (
    CustomRow,
    ProjectFigures,
    RetiredSlice,
    RetirementRow,
)
from app.domain.reports.model import CustomSpec, Period, Report, ReportFormat, Scope
from app.domain.shared.audit import AuditEntry
from app.domain.shared.money import Money
from tests.fakes.clock import FakeClock
from tests.fakes.platform import FakeUnitOfWork


class FakeReportRepository:
    def __init__(self) -> None:
        self.reports: dict[str, Report] = {}

    def add(self, report: Report) -> None:
        if report.id in self.reports:
            raise ValueError("duplicate report id")
        self.reports[report.id] = copy.deepcopy(report)

    def get(self, report_id: str) -> Report | None:
        return copy.deepcopy(self.reports.get(report_id))

    get_for_update = get

    def save(self, report: Report) -> None:
        self.reports[report.id] = copy.deepcopy(report)

    def list_for(self, requested_by: str, offset: int, limit: int) -> tuple[list[Report], int]:
        mine = sorted(
            (r for r in self.reports.values() if r.requested_by == requested_by),
            key=lambda r: (r.created_at, r.id),
            reverse=True,
        )
        return copy.deepcopy(mine[offset : offset + limit]), len(mine)


@dataclass
class Owned:
    """A retirement or an order as its owner recorded it."""

    owner_kind: str
    owner_id: str
    at: datetime


@dataclass
class FakeOrder(Owned):
    kg: int = 0
    total: Money = field(default_factory=lambda: Money.of(0, "EUR"))


def _in(scope: Scope, owned: Owned, period: Period, project_id: str | None) -> bool:
    mine = scope.kind == "platform" or (owned.owner_kind, owned.owner_id) == (scope.kind, scope.id)
    wanted = scope.project_id is None or scope.project_id == project_id
    return mine and wanted and period.since <= owned.at < period.until


class FakeReportFigures:
    def __init__(self) -> None:
        self.retirements: list[tuple[Owned, RetirementRow]] = []
        self.orders: list[tuple[FakeOrder, str]] = []  # with the project id
        self.audit: list[AuditEntry] = []
        self.projects: dict[str, ProjectFigures] = {}
        self.custom: list[CustomRow] = []
        self.streamed = 0  # retirement rows handed out

    def _rows(self, scope: Scope, period: Period) -> list[RetirementRow]:
        return [r for o, r in self.retirements if _in(scope, o, period, r.project_id)]

    def retired_slices(self, scope: Scope, period: Period) -> list[RetiredSlice]:
        return [
            RetiredSlice(
                r.mitigation,
                r.removal_kind,
                r.standard,
                r.country,
                r.corresponding_adjustment,
                r.quantity_kg,
            )
            for r in self._rows(scope, period)
        ]

    def purchased_kg(self, scope: Scope, period: Period) -> int:
        return sum(o.kg for o, p in self.orders if _in(scope, o, period, p))

    def spend(self, scope: Scope, period: Period) -> list[Money]:
        found: dict[str, Money] = {}
        for o, p in self.orders:
            if _in(scope, o, period, p):
                c = o.total.currency
                found[c] = found.get(c, Money.of(0, c)) + o.total
        return [found[c] for c in sorted(found)]

    def retirement_rows(self, scope: Scope, period: Period) -> Iterator[RetirementRow]:
        for row in self._rows(scope, period):
            self.streamed += 1
            yield row

    def project_figures(self, project_id: str, period: Period) -> ProjectFigures | None:
        return self.projects.get(project_id)

    def audit_entries(self, scope: Scope, period: Period) -> Iterator[AuditEntry]:
        for e in self.audit:
            org_ok = scope.kind == "platform" or e.organization_id == scope.id
            if org_ok and period.since <= e.occurred_at < period.until:
                yield e

    def custom_rows(self, scope: Scope, period: Period, spec: CustomSpec) -> list[CustomRow]:
        return list(self.custom)


class FakeScheduledRetirements:
    def __init__(self) -> None:
        self.kg = 0

    def planned_kg(self, scope: Scope, period: Period) -> int:
        return self.kg


class FakeReportsUoW(FakeUnitOfWork):
    REPOSITORIES = (*FakeUnitOfWork.REPOSITORIES, "reports")

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.reports = FakeReportRepository()
        self.report_figures = FakeReportFigures()  # read side: not rolled back
        self.scheduled_retirements = FakeScheduledRetirements()
        super().__init__(clock)


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class FakeWrittenFile:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.closed = False

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self) -> bytes:
        return self.data

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), 1000):
            yield self.data[start : start + 1000]

    def close(self) -> None:
        self.closed = True


class FakeReportWriter:
    """Renders every format as the JSON of the content; `fail` makes it raise."""

    def __init__(self) -> None:
        self.fail: Exception | None = None
        self.written: list[tuple[ReportFormat, dict[str, object]]] = []
        self.files: list[FakeWrittenFile] = []

    def write(self, content: ReportContent, fmt: ReportFormat) -> FakeWrittenFile:
        if self.fail is not None:
            raise self.fail
        doc: dict[str, object] = {
            "title": content.title,
            "facts": [list(f) for f in content.facts],
            "summary": content.data,
            "statement": content.statement,
            "columns": [c.name for c in content.detail.columns],
            "rows": [[_cell(v) for v in row] for row in content.detail.rows],
            "charts": [c.title for c in content.charts],
        }
        self.written.append((fmt, doc))
        file = FakeWrittenFile(json.dumps(doc).encode())
        self.files.append(file)
        return file
