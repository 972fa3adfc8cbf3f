"""The SQLAlchemy unit of work: one session, one transaction, for every module's UoW.

On commit it writes, in the same transaction, the audit entries (chained) and the
outbox jobs (those asked for directly and those subscribed to the events); after the
commit it hands the events and jobs to `after_commit` (the relay and in-process
listeners). Entering it again inside an open unit joins the outer transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from app.adapters.sql.auth_repositories import (
    SqlApiKeyRepository,
    SqlNonceRepository,
    SqlOrganizationRepository,
    SqlSessionRepository,
    SqlTokenRepository,
    SqlUserRepository,
)
from app.adapters.sql.certificate_repositories import SqlCertificateRepository
from app.adapters.sql.chain_write_repositories import SqlChainTransactionRepository
from app.adapters.sql.credit_repositories import SqlCreditRepository
from app.adapters.sql.database import Database
from app.adapters.sql.document_repositories import SqlDocumentRepository
from app.adapters.sql.governance_repositories import SqlGovernanceRepository
from app.adapters.sql.indexer_repositories import SqlIndexerRepository
from app.adapters.sql.login_failure_repositories import SqlLoginFailureRepository
from app.adapters.sql.marketplace_repositories import SqlMarketRepository
from app.adapters.sql.notification_repositories import SqlAudience, SqlNotificationRepository
from app.adapters.sql.payments_repositories import SqlPaymentsRepository
from app.adapters.sql.platform_repositories import SqlAuditRepository, SqlOutboxRepository
from app.adapters.sql.poai_repositories import SqlPoaiRepository
from app.adapters.sql.project_repositories import SqlProjectRepository
from app.adapters.sql.report_figures import SqlReportFigures
from app.adapters.sql.report_repositories import SqlReportRepository
from app.adapters.sql.sandbox_repositories import SqlSandboxRepository
from app.adapters.sql.schedule_repositories import SqlPlannedRetirements, SqlScheduleRepository
from app.domain.shared.audit import AuditRecord
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.ports.clock import Clock

AfterCommit = Callable[[Sequence[DomainEvent], Sequence[Job]], None]


class SqlUnitOfWork:
    audit_log: SqlAuditRepository
    outbox: SqlOutboxRepository
    users: SqlUserRepository
    organizations: SqlOrganizationRepository
    sessions: SqlSessionRepository
    tokens: SqlTokenRepository
    nonces: SqlNonceRepository
    api_keys: SqlApiKeyRepository
    login_failures: SqlLoginFailureRepository
    projects: SqlProjectRepository
    documents: SqlDocumentRepository
    credits: SqlCreditRepository
    indexer: SqlIndexerRepository
    poai: SqlPoaiRepository
    chain_txs: SqlChainTransactionRepository
    payments: SqlPaymentsRepository
    sandbox_payments: SqlSandboxRepository
    reports: SqlReportRepository
    report_figures: SqlReportFigures
    scheduled_retirements: SqlPlannedRetirements
    schedules: SqlScheduleRepository
    certificates: SqlCertificateRepository
    notifications: SqlNotificationRepository
    audience: SqlAudience
    governance: SqlGovernanceRepository

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        subscriptions: Mapping[str, Sequence[str]] | None = None,
        after_commit: AfterCommit | None = None,
        request_id: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._subscriptions = subscriptions or {}
        self._after_commit = after_commit
        self.request_id = request_id
        self._depth = 0
        self._session: Session | None = None
        self._reset_buffers()

    def _reset_buffers(self) -> None:
        self._records: list[AuditRecord] = []
        self._events: list[DomainEvent] = []
        self._jobs: list[Job] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside `with`")
        return self._session

    def __enter__(self) -> Self:
        if self._depth == 0:
            self._session = self._db.sessions()
            self._bind_repositories(self._session)
            self._reset_buffers()
        self._depth += 1
        return self

    def _bind_repositories(self, session: Session) -> None:
        self.audit_log = SqlAuditRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.users = SqlUserRepository(session)
        self.organizations = SqlOrganizationRepository(session)
        self.sessions = SqlSessionRepository(session)
        self.tokens = SqlTokenRepository(session)
        self.nonces = SqlNonceRepository(session)
        self.api_keys = SqlApiKeyRepository(session)
        self.login_failures = SqlLoginFailureRepository(session)
        self.projects = SqlProjectRepository(session)
        self.documents = SqlDocumentRepository(session)
        self.credits = SqlCreditRepository(session)
        self.indexer = SqlIndexerRepository(session)
        self.poai = SqlPoaiRepository(session)
        self.chain_txs = SqlChainTransactionRepository(session)
        self.market = SqlMarketRepository(session)
        self.payments = SqlPaymentsRepository(session)
        self.sandbox_payments = SqlSandboxRepository(session)
        self.reports = SqlReportRepository(session)
        self.report_figures = SqlReportFigures(session)
        self.scheduled_retirements = SqlPlannedRetirements(session)
        self.schedules = SqlScheduleRepository(session)
        self.certificates = SqlCertificateRepository(session)
        self.notifications = SqlNotificationRepository(session)
        self.audience = SqlAudience(session)
        self.governance = SqlGovernanceRepository(session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            session, self._session = self._session, None
            if session is not None:
                session.rollback()
                session.close()
            self._reset_buffers()

    def audit(self, record: AuditRecord) -> None:
        self._records.append(record)

    def publish(self, event: DomainEvent) -> None:
        self._events.append(event)

    def enqueue(self, job: Job) -> None:
        self._jobs.append(job)

    def commit(self) -> None:
        if self._depth > 1:  # joined an outer unit: it commits for both
            self.session.flush()
            return
        session = self.session
        jobs = self._jobs + [
            Job(name, event.payload())
            for event in self._events
            for name in self._subscriptions.get(event.name, ())
        ]
        now = self._clock.now()
        if jobs:
            self.outbox.add(jobs, now)
        if self._records:
            self.audit_log.append(self._records, at=now, request_id=self.request_id)
        session.commit()
        events = self._events
        self._reset_buffers()
        if self._after_commit and (events or jobs):
            self._after_commit(events, jobs)

    def rollback(self) -> None:
        self.session.rollback()
        self._reset_buffers()
