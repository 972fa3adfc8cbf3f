"""Reports: asked for (queued, built in the background), their status and signed,
expiring download links, and the download behind a link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from flask import Response

from app.domain.reports import services
from app.domain.reports.model import (
    CustomSpec,
    Period,
    Report,
    ReportFormat,
    ReportKind,
    ReportStatus,
)
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.reports import schemas as s

blp = ApiBlueprint("reports", __name__, description="ESG, project, audit-trail and custom reports")


def _view(report: Report) -> dict[str, Any]:
    p = platform()
    scope = report.scope
    view: dict[str, Any] = {
        "id": report.id,
        "kind": report.kind.value,
        "format": report.format.value,
        "status": report.status.value,
        "failure": report.failure,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "scope": scope.kind,
        "organization_id": scope.id if scope.kind == "organization" else None,
        "project_id": scope.project_id,
        "created_at": report.created_at,
        "finished_at": report.finished_at,
        "size": report.file.size if report.file else None,
        "download_url": None,
        "expires_at": None,
    }
    if report.status == ReportStatus.READY:
        link = services.download_link(report, key=p.storage.link_key, now=p.clock.now())
        view["download_url"] = p.settings.public_base_url.rstrip("/") + link.path
        view["expires_at"] = link.expires_at
    return view


@blp.route("/reports", methods=["POST"])
@requires("reports:create")
@rule_codes("invalid_period", "invalid_report_request")
@blp.arguments(s.ReportRequestSchema)
@blp.response(202, s.QueuedSchema)
def request_report(body: dict[str, Any]) -> dict[str, Any]:
    """Queue a report of a period (both days included, UTC): `esg_summary`, `project`
    (needs `project_id`), `audit_trail` or `custom` (`metrics`, `filters`, `group_by`),
    as PDF, CSV, JSON or XLSX. With `organization_id`: that organization's (its admins,
    finance and auditors); without: the whole platform's for platform admins, your own
    for anyone else. `email` gets the download link once the report is ready."""
    filters = tuple(sorted((k, str(v)) for k, v in body["filters"].items()))
    report = services.request_report(
        current_principal(),
        kind=ReportKind(body["kind"]),
        fmt=ReportFormat(body["format"]),
        period=Period(body["period_start"], body["period_end"]),
        organization_id=body["organization_id"],
        project_id=body["project_id"],
        email=body["email"],
        custom=CustomSpec(tuple(body["metrics"]), filters, body["group_by"]),
        uow=uow(),
        clock=platform().clock,
    )
    return {"id": report.id, "status": report.status.value}


@blp.route("/reports", methods=["GET"])
@requires("reports:read")
@blp.response(200, s.ReportSchema(many=True))
@paginated(blp)
def list_reports(page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """The reports you asked for, newest first."""
    found, total = services.list_reports(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )
    return [_view(r) for r in found], total


@blp.route("/reports/<report_id>", methods=["GET"])
@requires("reports:read")
@blp.response(200, s.ReportSchema)
def get_report(report_id: str) -> dict[str, Any]:
    """A report's status; once ready, a fresh download link valid for one hour."""
    return _view(services.get_report(current_principal(), report_id, uow=uow()))


@blp.route("/reports/<report_id>/download", methods=["GET"])
@public
@blp.arguments(s.DownloadArgs, location="query")
@blp.alt_response(403, description="Altered (invalid_link) or expired (link_expired) link")
@blp.alt_response(409, description="The report is not ready")
def download(args: dict[str, Any], report_id: str) -> Response:
    """The decrypted report file behind a signed link."""
    p = platform()
    found = services.download(
        report_id,
        expires=args["expires"],
        signature=args["signature"],
        uow=uow(),
        storage=p.storage,
        clock=p.clock,
    )
    response = Response(found.chunks, content_type=found.content_type)
    response.headers["Content-Length"] = str(found.size)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{found.filename}\"; filename*=UTF-8''{quote(found.filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
