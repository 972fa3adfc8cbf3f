"""Reports: what is asked (a kind over a period and a scope, in a format), the queue's
lifecycle (`queued -> running -> ready | failed`), where the encrypted file is kept, and
the signed, expiring links that download it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from app.domain.reports.errors import InvalidPeriod, InvalidReportRequest, ReportStateConflict

MAX_PERIOD_DAYS = 3660  # ten years and the leap days between
FIRST_YEAR, LAST_YEAR = 1990, 2100  # as vintages


class ReportKind(StrEnum):
    ESG_SUMMARY = "esg_summary"
    PROJECT = "project"
    AUDIT_TRAIL = "audit_trail"
    CUSTOM = "custom"


class ReportFormat(StrEnum):
    PDF = "pdf"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


CONTENT_TYPES: dict[ReportFormat, str] = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


REPORT_TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.QUEUED: frozenset({ReportStatus.RUNNING, ReportStatus.FAILED}),
    ReportStatus.RUNNING: frozenset({ReportStatus.READY, ReportStatus.FAILED}),
    ReportStatus.READY: frozenset(),
    ReportStatus.FAILED: frozenset(),
}

# Whose figures: the whole platform, an organization's, or one user's own.
ScopeKind = Literal["platform", "organization", "user"]

METRICS = ("tonnes_retired", "tonnes_purchased", "spend", "retirements_count")
FILTERS = ("project_id", "country", "vintage", "type")
GROUPINGS = ("project", "country", "vintage", "month", "type")


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in UTC."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not (self.start.year >= FIRST_YEAR and self.end.year <= LAST_YEAR):
            raise InvalidPeriod(f"a period lies within {FIRST_YEAR} to {LAST_YEAR}")
        if self.end < self.start:
            raise InvalidPeriod("period_end is before period_start")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise InvalidPeriod("a report covers at most ten years")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: str | None = None  # the organization or user; None for the platform
    project_id: str | None = None  # only this project's figures


@dataclass(frozen=True)
class CustomSpec:
    """A custom report: metrics from `METRICS`, filters among `FILTERS`, one grouping."""

    metrics: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    group_by: str | None = None

    def check(self) -> CustomSpec:
        if not self.metrics:
            raise InvalidReportRequest("a custom report names at least one metric")
        wrong = [m for m in self.metrics if m not in METRICS]
        wrong += [f for f, _ in self.filters if f not in FILTERS]
        if self.group_by is not None and self.group_by not in GROUPINGS:
            wrong.append(self.group_by)
        if wrong:
            raise InvalidReportRequest(f"not offered: {', '.join(wrong)}")
        return self

    def filter(self, name: str) -> str | None:
        return dict(self.filters).get(name)


@dataclass
class StoredFile:
    """The encrypted output: its blob, the wrapped data key, and what the plaintext was."""

    locator: str
    wrapped_key: bytes
    key_id: str
    size: int
    sha256: str


@dataclass
class Report:
    id: str
    kind: ReportKind
    format: ReportFormat
    period: Period
    scope: Scope
    requested_by: str
    created_at: datetime
    custom: CustomSpec = field(default_factory=CustomSpec)
    email: str | None = None
    status: ReportStatus = ReportStatus.QUEUED
    failure: str | None = None
    file: StoredFile | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def move(self, to: ReportStatus, at: datetime, failure: str | None = None) -> None:
        """The one check of a report's lifecycle."""
        if to not in REPORT_TRANSITIONS[self.status]:
            raise ReportStateConflict(f"a {self.status.value} report cannot become {to.value}")
        self.status = to
        if to == ReportStatus.RUNNING:
            self.started_at = at
        else:
            self.finished_at = at
        if to == ReportStatus.FAILED:
            self.failure = (failure or "unknown failure")[:1000]

    @property
    def filename(self) -> str:
        return f"{self.kind.value}_{self.period.start}_{self.period.end}.{self.format.value}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def owner(self) -> str:
        """What the ciphertext is bound to besides the report's id."""
        return f"{self.scope.kind}:{self.scope.id or '-'}"


def associated_data(report: Report) -> bytes:
    return f"report:{report.id}|owner:{report.owner}".encode()


def storage_key(report_id: str) -> str:
    return f"reports/{report_id}"


def sign_download(key: bytes, report_id: str, expires: int) -> str:
    message = f"report-download|{report_id}|{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def download_signature_valid(key: bytes, report_id: str, expires: int, signature: str) -> bool:
    return hmac.compare_digest(sign_download(key, report_id, expires), signature)
