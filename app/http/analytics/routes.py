"""Analytics: the platform's dashboard (platform admins), an organization's (its members
and platform admins), the public statistics, and the same series exported as CSV or
XLSX. Figures come from the ledger itself: daily rollups recomputed from the raw rows,
and the raw rows for the days not summed yet."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response

from app.domain.analytics import services
from app.domain.analytics.export import export_content
from app.domain.reports.model import ReportFormat
from app.domain.shared.errors import InvalidValue
from app.http.analytics import schemas as s
from app.http.analytics.deps import analytics_reads, range_of, report_writer
from app.http.analytics.views import dashboard_view
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint, View
from app.http.common.openapi import rule_codes

blp = ApiBlueprint("analytics", __name__, description="Platform, organization and public figures")
RANGE_CODES = ("invalid_range", "range_too_long")


def jsonify(view: dict[str, Any]) -> Response:
    """The view as compact JSON, keys in the order written (what the schemas document);
    orjson: a year by day is thousands of values, and json.dumps took 4% of a request."""
    return Response(orjson.dumps(view), mimetype="application/json")


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@blp.route("/analytics/platform", methods=["GET"])
@requires("analytics:platform")
@rule_codes(*RANGE_CODES)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, s.PlatformAnalyticsSchema)
def platform_analytics(args: dict[str, Any]) -> Response:
    """The platform's figures per day, week (ISO, from Monday) or month, in UTC, with
    every period present, revenue (fees) and the platform's health."""
    range_ = range_of(args)
    with analytics_reads() as reads:
        board = services.platform_dashboard(current_principal(), range_, reads=reads)
        view = dashboard_view(board, "platform")
    return jsonify(view)


@blp.route("/analytics/organizations/<organization_id>", methods=["GET"])
@requires("organizations:read")
@rule_codes(*RANGE_CODES)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, s.OrganizationAnalyticsSchema)
@blp.alt_response(404, description="No such organization, or not yours")
def organization_analytics(args: dict[str, Any], organization_id: str) -> Response:
    """One organization's figures: its projects' issuance, its retirements and purchases,
    its members' sign-ins (its members, whatever their role, and platform admins)."""
    range_ = range_of(args)
    with analytics_reads() as reads:
        board = services.organization_dashboard(
            current_principal(), organization_id, range_, reads=reads
        )
        view = dashboard_view(board, "organization", organization_id)
    return jsonify(view)


@blp.route("/public/stats", methods=["GET"])
@public
@rule_codes(*RANGE_CODES)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, s.PublicStatsSchema)
def public_stats(args: dict[str, Any]) -> Response:
    """The platform's public figures: projects, tonnes issued and retired, purchases,
    active users. No money, nothing of any one organization."""
    range_ = range_of(args)
    with analytics_reads() as reads:
        board = services.public_stats(range_, reads=reads)
        view = dashboard_view(board, "public")
    return jsonify(view)


def _documented_as_files(view: View) -> View:
    doc = getattr(view, "_apidoc", {})
    manual = doc.get("manual_doc", {})
    binary = {"schema": {"type": "string", "format": "binary"}}
    response = {
        "description": "The series, one row per period (CSV, or XLSX with a chart)",
        "content": {
            CONTENT_TYPES["csv"]: {"schema": {"type": "string"}},
            CONTENT_TYPES["xlsx"]: binary,
        },
    }
    responses = {**manual.get("responses", {}), "200": response}
    vars(view)["_apidoc"] = {**doc, "manual_doc": {**manual, "responses": responses}}
    return view


@blp.route("/analytics/export", methods=["GET"])
@requires("organizations:read")
@rule_codes(*RANGE_CODES, "organization_required")
@_documented_as_files
@blp.arguments(s.ExportArgs, location="query")
@blp.alt_response(404, description="No such organization, or not yours")
def export(args: dict[str, Any]) -> Response:
    """The platform's (platform admins) or an organization's (`scope=organization` and
    `organization_id`: its members) series as a CSV or XLSX file."""
    range_, principal, org = range_of(args), current_principal(), args["organization_id"]
    with analytics_reads() as reads:
        if args["scope"] == "organization":
            if org is None:
                raise InvalidValue(
                    "scope=organization needs organization_id", code="organization_required"
                )
            board = services.organization_dashboard(principal, org, range_, reads=reads)
        else:
            board = services.platform_dashboard(principal, range_, reads=reads)
    fmt = args["format"]
    written = report_writer().write(export_content(board, org), ReportFormat(fmt))

    def chunks() -> Any:
        try:
            yield from written.chunks()
        finally:
            written.close()

    name = f"analytics-{org or 'platform'}-{range_.first}-{range_.last}.{fmt}"
    response = Response(chunks(), content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Length"] = str(written.size)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
