"""Errors of reports."""

from __future__ import annotations

from app.domain.shared.errors import Conflict, InvalidValue, PermissionDenied


class InvalidPeriod(InvalidValue):
    code = "invalid_period"


class InvalidReportRequest(InvalidValue):
    """A kind asked without what it needs (a project report without `project_id`), or
    custom metrics, filters or grouping outside the fixed lists."""

    code = "invalid_report_request"


class ReportStateConflict(Conflict):
    code = "report_state_conflict"


class ReportNotReady(Conflict):
    code = "report_not_ready"


class InvalidLink(PermissionDenied):
    code = "invalid_link"


class LinkExpired(PermissionDenied):
    code = "link_expired"
