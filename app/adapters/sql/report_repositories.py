"""The queue of reports on SQL: each report with its period, scope, custom spec,
status and where its encrypted file lies."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_reports import reports
from app.domain.reports.model import (
    CustomSpec,
    Period,
    Report,
    ReportFormat,
    ReportKind,
    ReportStatus,
    Scope,
    StoredFile,
)


def _row(report: Report) -> dict[str, Any]:
    f = report.file
    return {
        "id": report.id,
        "kind": report.kind.value,
        "format": report.format.value,
        "status": report.status.value,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "scope_kind": report.scope.kind,
        "scope_id": report.scope.id,
        "project_id": report.scope.project_id,
        "custom": {
            "metrics": list(report.custom.metrics),
            "filters": dict(report.custom.filters),
            "group_by": report.custom.group_by,
        },
        "email": report.email,
        "requested_by": report.requested_by,
        "failure": report.failure,
        "created_at": report.created_at,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "file_locator": f.locator if f else None,
        "file_wrapped_key": f.wrapped_key if f else None,
        "file_key_id": f.key_id if f else None,
        "file_size": f.size if f else None,
        "file_sha256": f.sha256 if f else None,
    }


def _report(row: Any) -> Report:
    custom = row.custom or {}
    stored = None
    if row.file_locator is not None:
        stored = StoredFile(
            row.file_locator,
            bytes(row.file_wrapped_key),
            row.file_key_id,
            int(row.file_size),
            row.file_sha256,
        )
    return Report(
        id=row.id,
        kind=ReportKind(row.kind),
        format=ReportFormat(row.format),
        period=Period(_date(row.period_start), _date(row.period_end)),
        scope=Scope(row.scope_kind, row.scope_id, row.project_id),
        requested_by=row.requested_by,
        created_at=row.created_at,
        custom=CustomSpec(
            tuple(custom.get("metrics", ())),
            tuple(sorted((custom.get("filters") or {}).items())),
            custom.get("group_by"),
        ),
        email=row.email,
        status=ReportStatus(row.status),
        failure=row.failure,
        file=stored,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class SqlReportRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, report: Report) -> None:
        self._db.execute(sa.insert(reports).values(_row(report)))

    def get(self, report_id: str) -> Report | None:
        row = self._db.execute(sa.select(reports).where(reports.c.id == report_id)).first()
        return _report(row) if row else None

    def get_for_update(self, report_id: str) -> Report | None:
        query = sa.select(reports).where(reports.c.id == report_id).with_for_update()
        row = self._db.execute(query).first()
        return _report(row) if row else None

    def save(self, report: Report) -> None:
        values = _row(report)
        del values["id"]
        self._db.execute(sa.update(reports).where(reports.c.id == report.id).values(values))

    def list_for(self, requested_by: str, offset: int, limit: int) -> tuple[list[Report], int]:
        query = (
            sa.select(reports)
            .where(reports.c.requested_by == requested_by)
            .order_by(reports.c.created_at.desc(), reports.c.id.desc())
        )
        rows, total = page_of(self._db, query, offset, limit)
        return [_report(row) for row in rows], total
