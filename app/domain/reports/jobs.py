"""Background jobs of reports: building one (queued -> running -> ready | failed with
its reason) and emailing its link once ready.

The build opens its own short units of work: the report is marked running and
committed, its figures are read and written to a file by the writer (rows streamed from
the database into the file), the file is sealed and stored as a stream (64 KiB pieces
through the segmented cipher into the blob store, hashed and counted on the way, never
whole in memory), and the report is marked
ready with where its ciphertext lies, publishing `reports.report_ready`. A rerun finds a
ready or failed report done; one left running by a crash is built again. Any error while
building fails the report with its reason (a report asked again is a new report)."""

from __future__ import annotations

from app.domain.documents.services import Storage
from app.domain.reports.builders import build_content
from app.domain.reports.events import ReportReady
from app.domain.reports.model import (
    ReportStatus,
    StoredFile,
    associated_data,
    storage_key,
)
from app.domain.reports.services import download_link
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import DomainError
from app.domain.shared.hashing import StreamDigest
from app.ports.clock import Clock
from app.ports.notifier import EmailMessage, Mailer
from app.ports.report_files import ReportWriter
from app.ports.repositories.reports import ReportsUoW

EMAIL_JOB = "reports.email_link"
DONE = frozenset({ReportStatus.READY, ReportStatus.FAILED})


def _reason(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.detail
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _finish(
    report_id: str, uow: ReportsUoW, clock: Clock, file: StoredFile | None, failure: str | None
) -> None:
    with uow:
        report = uow.reports.get_for_update(report_id)
        if report is None or report.status in DONE:
            return
        organization = report.scope.id if report.scope.kind == "organization" else None
        if file is None:
            report.move(ReportStatus.FAILED, clock.now(), failure)
        else:
            report.file = file
            report.move(ReportStatus.READY, clock.now())
            uow.publish(
                ReportReady(
                    report.id,
                    report.kind.value,
                    report.format.value,
                    report.requested_by,
                    organization,
                )
            )
        uow.reports.save(report)
        uow.audit(
            AuditRecord(
                f"reports.{report.status.value}",
                "report",
                report.id,
                None,
                after={"failure": report.failure, "size": file.size if file else None},
                organization_id=organization,
            )
        )
        uow.commit()


def build_report(
    report_id: str, *, uow: ReportsUoW, writer: ReportWriter, storage: Storage, clock: Clock
) -> None:
    with uow:
        report = uow.reports.get_for_update(report_id)
        if report is None or report.status in DONE:
            return
        if report.status == ReportStatus.QUEUED:
            report.move(ReportStatus.RUNNING, clock.now())
            uow.reports.save(report)
            uow.commit()
    try:
        with uow:
            written = writer.write(
                build_content(report, uow.report_figures, uow.scheduled_retirements),
                report.format,
            )
        digest = StreamDigest()
        try:
            key, sealed = storage.cipher.seal_stream(
                digest.through(written.chunks()), associated_data(report)
            )
            locator = storage.store.put_stream(storage_key(report.id), sealed)
        finally:
            written.close()
    except Exception as exc:
        _finish(report_id, uow, clock, None, _reason(exc))
        return
    stored = StoredFile(locator, key.wrapped_key, key.key_id, digest.size, digest.hexdigest())
    _finish(report_id, uow, clock, stored, None)


def email_link(
    report_id: str, *, uow: ReportsUoW, mailer: Mailer, link_key: bytes, base_url: str, clock: Clock
) -> None:
    """Send the ready report's download link (never the file) to the address it names."""
    with uow:
        report = uow.reports.get(report_id)
    if report is None or report.email is None or report.status != ReportStatus.READY:
        return
    link = download_link(report, key=link_key, now=clock.now())
    mailer.send(
        EmailMessage(
            to=report.email,
            subject=f"Your {report.kind.value.replace('_', ' ')} report is ready",
            text=(
                f"The {report.format.value.upper()} report for {report.period.start} to "
                f"{report.period.end} is ready. Download it before "
                f"{link.expires_at:%Y-%m-%d %H:%M} UTC:\n\n{base_url.rstrip('/')}{link.path}\n\n"
                "After that, ask for a new link with GET /api/v1/reports/"
                f"{report.id}.\n"
            ),
        )
    )
