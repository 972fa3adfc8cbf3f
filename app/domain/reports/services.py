"""Use cases of reports: asking for one (queued, built by a background job), reading its
status, the signed link that downloads it, and the download behind the link.

Who may ask: an organization's reports (`organization_id`) its admins, finance and
auditors and platform admins; a project report the project organization's same roles
and platform admins; without an organization a platform admin gets the whole platform's
figures and anyone else their own (what they bought and retired as a user). An
organization's API key asks nothing: reports are asked for by people. A report is read
by whoever asked for it, platform admins, and the organization's same roles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.documents.services import Storage
from app.domain.reports.errors import (
    InvalidLink,
    InvalidReportRequest,
    LinkExpired,
    ReportNotReady,
)
from app.domain.reports.model import (
    CustomSpec,
    Period,
    Report,
    ReportFormat,
    ReportKind,
    ReportStatus,
    Scope,
    associated_data,
    download_signature_valid,
    sign_download,
)
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.hashing import StreamDigest
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.reports import ReportsUoW
from app.ports.storage import SealedKey

READERS = frozenset({OrgRole.ADMIN, OrgRole.FINANCE, OrgRole.AUDITOR})
LINK_TTL = timedelta(hours=1)
BUILD_JOB = "reports.build"


def _organization_reader(principal: Principal, organization_id: str) -> None:
    if not principal.sees_org(organization_id):
        raise NotFound("organization not found")
    if not (principal.is_admin or principal.role_in(organization_id) in READERS):
        raise PermissionDenied("an organization's reports are for its admins, finance and auditors")


def authorize_scope(
    principal: Principal,
    kind: ReportKind,
    *,
    organization_id: str | None,
    project_id: str | None,
    uow: ReportsUoW,
) -> Scope:
    """Whose figures the caller may report on (the rules in the module's docstring)."""
    if kind == ReportKind.PROJECT:
        if project_id is None:
            raise InvalidReportRequest("a project report needs project_id")
        project = uow.projects.get(project_id)
        if project is None or not principal.sees_org(project.organization_id):
            raise NotFound("project not found")
        _organization_reader(principal, project.organization_id)
        return Scope("organization", project.organization_id, project_id)
    if organization_id is not None:
        _organization_reader(principal, organization_id)
        return Scope("organization", organization_id, project_id)
    if principal.is_admin:
        return Scope("platform", None, project_id)
    if principal.user_id is None:
        raise PermissionDenied("reports are asked for by people: sign in")
    return Scope("user", principal.user_id, project_id)


def request_report(
    principal: Principal,
    *,
    kind: ReportKind,
    fmt: ReportFormat,
    period: Period,
    organization_id: str | None,
    project_id: str | None,
    email: str | None,
    custom: CustomSpec,
    uow: ReportsUoW,
    clock: Clock,
) -> Report:
    """Queue a report: the build job writes, encrypts and stores it."""
    if principal.kind != "user":
        raise PermissionDenied("reports are asked for by people: sign in")
    if kind == ReportKind.CUSTOM:
        custom.check()
    elif custom != CustomSpec():
        raise InvalidReportRequest("metrics, filters and group_by belong to custom reports")
    with uow:
        scope = authorize_scope(
            principal, kind, organization_id=organization_id, project_id=project_id, uow=uow
        )
        report = Report(
            id=new_id(),
            kind=kind,
            format=fmt,
            period=period,
            scope=scope,
            requested_by=principal.id,
            created_at=clock.now(),
            custom=custom,
            email=email,
        )
        uow.reports.add(report)
        uow.enqueue(Job(BUILD_JOB, {"report_id": report.id}))
        uow.audit(
            AuditRecord(
                "reports.requested",
                "report",
                report.id,
                principal.id,
                after={
                    "kind": kind.value,
                    "format": fmt.value,
                    "period": [str(period.start), str(period.end)],
                    "scope": scope.kind,
                    "project_id": project_id,
                },
                organization_id=scope.id if scope.kind == "organization" else None,
            )
        )
        uow.commit()
        return report


def can_read(principal: Principal, report: Report) -> bool:
    if principal.is_admin or principal.id == report.requested_by:
        return True
    scope = report.scope
    return scope.kind == "organization" and principal.role_in(scope.id or "") in READERS


def get_report(principal: Principal, report_id: str, *, uow: ReportsUoW) -> Report:
    with uow:
        report = uow.reports.get(report_id)
        if report is None or not can_read(principal, report):
            raise NotFound("report not found")
        return report


def list_reports(
    principal: Principal, *, offset: int, limit: int, uow: ReportsUoW
) -> tuple[list[Report], int]:
    with uow:
        return uow.reports.list_for(principal.id, offset, limit)


@dataclass(frozen=True)
class DownloadLink:
    path: str  # under the API's root, with its query
    expires: int

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def download_link(
    report: Report, *, key: bytes, now: datetime, ttl: timedelta = LINK_TTL
) -> DownloadLink:
    """The signed link of a ready report, valid `ttl` from now (anyone holding it may
    download, as an emailed link must: the signature and expiry are the credential)."""
    expires = int((now + ttl).timestamp())
    signature = sign_download(key, report.id, expires)
    return DownloadLink(
        f"/api/v1/reports/{report.id}/download?expires={expires}&signature={signature}", expires
    )


@dataclass(frozen=True)
class ReportFile:
    chunks: Iterator[bytes]  # the plaintext, decrypted as it is read
    size: int
    filename: str
    content_type: str


def download(
    report_id: str,
    *,
    expires: int,
    signature: str,
    uow: ReportsUoW,
    storage: Storage,
    clock: Clock,
) -> ReportFile:
    """The decrypted file behind a signed, unexpired link, as a stream.

    Its first two pieces are decrypted here, so a file of one segment (64 KiB) is wholly
    authenticated and hashed before anything is sent, and a bad key or header of any file
    is a 409 `integrity_error`; a larger file whose later segments or hash fail raises
    while being sent, which ends the response short of its Content-Length."""
    if not download_signature_valid(storage.link_key, report_id, expires, signature):
        raise InvalidLink("this link is not valid")
    if clock.now().timestamp() >= expires:
        raise LinkExpired("this link has expired: ask GET /reports/{id} for a new one")
    with uow:
        report = uow.reports.get(report_id)
        if report is None:
            raise NotFound("report not found")
        if report.status != ReportStatus.READY or report.file is None:
            raise ReportNotReady(f"the report is {report.status.value}")
        stored = report.file
    try:
        pieces = _verified(
            storage.cipher.open_stream(
                SealedKey(stored.wrapped_key, stored.key_id),
                storage.store.get_stream(stored.locator),
                associated_data(report),
            ),
            stored.size,
            stored.sha256,
        )
        first = list(islice(pieces, 2))
    except ValueError:
        raise Conflict("the stored report failed authentication", code="integrity_error") from None
    except KeyError:
        raise NotFound(
            "the report's stored file is gone: ask for the report again", code="report_file_missing"
        ) from None
    return ReportFile(_chain(first, pieces), stored.size, report.filename, report.content_type)


def _verified(pieces: Iterator[bytes], size: int, sha256: str) -> Iterator[bytes]:
    digest = StreamDigest()
    yield from digest.through(pieces)
    if digest.size != size or digest.hexdigest() != sha256:
        raise Conflict("the stored report does not match its hash", code="integrity_error")


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest
