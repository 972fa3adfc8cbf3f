"""A reports world: an organization with a project, its members, retirements and
orders for the figures reader, and the services and jobs run against the fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.projects.model import Status
from app.domain.reports import jobs, services
from app.domain.reports.figures import RetirementRow
from app.domain.reports.model import CustomSpec, Period, Report, ReportFormat, ReportKind
from app.domain.shared.money import Money
from tests.fakes.clock import FakeClock
from tests.fakes.documents import fake_storage
from tests.fakes.reports import FakeOrder, FakeReportsUoW, FakeReportWriter, Owned
from tests.unit.builders import ORG, PID, project

ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
ORG_ADMIN = Principal("u-orgadmin", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.ADMIN})
FINANCE = Principal("u-finance", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.FINANCE})
AUDITOR = Principal("u-auditor", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.AUDITOR})
VIEWER = Principal("u-viewer", "user", frozenset({Role.ENTERPRISE}), {ORG: OrgRole.VIEWER})
RETAIL = Principal("u-retail", "user", frozenset({Role.RETAIL}))
API_KEY = Principal("key-1", "api_key", scopes=frozenset({"audit:read"}), api_key_org=ORG)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def retirement_row(n: int, kg: int, **over: Any) -> RetirementRow:
    fields: dict[str, Any] = {
        "retirement_id": f"r{n}",
        "project_id": PID,
        "project_name": "Mata Viva",
        "project_type": "forestry",
        "standard": "Verra VCS",
        "methodology": "VM0047",
        "country": "BR",
        "vintage": 2024,
        "quantity_kg": kg,
        "serial_start": n,
        "serial_end": n,
        "retired_at": at(2),
        "beneficiary": "Acme",
        "purpose": "2026 travel",
        "price_paid": None,
        "mitigation": "reduction",
        "removal_kind": None,
        "corresponding_adjustment": False,
    }
    return RetirementRow(**fields | over)


class ReportsWorld:
    def __init__(self) -> None:
        self.clock = FakeClock(datetime(2026, 4, 2, 8, tzinfo=UTC))
        self.uow = FakeReportsUoW(self.clock)
        self.storage = fake_storage()
        self.writer = FakeReportWriter()
        self.uow.projects.add(project(status=Status.REGISTERED))
        self.figures = self.uow.report_figures

    def retired(self, row: RetirementRow, owner: tuple[str, str] = ("organization", ORG)) -> None:
        self.figures.retirements.append((Owned(*owner, row.retired_at), row))

    def bought(
        self, kg: int, total: Money, day: int = 3, owner: tuple[str, str] = ("organization", ORG)
    ) -> None:
        self.figures.orders.append((FakeOrder(*owner, at(day), kg, total), PID))

    def ask(
        self,
        principal: Principal = FINANCE,
        kind: ReportKind = ReportKind.ESG_SUMMARY,
        fmt: ReportFormat = ReportFormat.JSON,
        *,
        organization_id: str | None = ORG,
        project_id: str | None = None,
        email: str | None = None,
        custom: CustomSpec | None = None,
        period: Period = MARCH,
    ) -> Report:
        return services.request_report(
            principal,
            kind=kind,
            fmt=fmt,
            period=period,
            organization_id=organization_id,
            project_id=project_id,
            email=email,
            custom=custom or CustomSpec(),
            uow=self.uow,
            clock=self.clock,
        )

    def build(self, report: Report) -> Report:
        jobs.build_report(
            report.id, uow=self.uow, writer=self.writer, storage=self.storage, clock=self.clock
        )
        found = self.uow.reports.get(report.id)
        assert found is not None
        return found

    def download(self, report: Report) -> services.ReportFile:
        """The file behind a freshly signed link of `report`."""
        link = services.download_link(report, key=self.storage.link_key, now=self.clock.now())
        return services.download(
            report.id,
            expires=link.expires,
            signature=link.path.rsplit("signature=", 1)[1],
            uow=self.uow,
            storage=self.storage,
            clock=self.clock,
        )

    def jobs(self) -> list[str]:
        return [j.name for j in self.uow.outbox.jobs.values()]

    def audited(self) -> list[str]:
        return [e.action for e in self.uow.audit_log.entries]
