"""Analytics over HTTP: who sees which dashboard, the public statistics' exact fields,
ranges refused, and the export as CSV and XLSX (with its chart)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from app.domain.auth.permissions import OrgRole
from tests.integration.analytics_support import Shape, load_year
from tests.integration.identity import signed_in
from tests.integration.market_support import organization

YEAR = {"from": "2025-01-01", "to": "2025-12-31"}
SMALL = Shape(retirements=60, orders=40, sign_ins=50)


@pytest.fixture
def year(app):
    load_year(app.extensions["platform"].db.engine, SMALL)
    return app


def test_platform_admins_see_the_platform_with_revenue_and_health(year, client):
    admin = signed_in(year, client, "admin@example.org", roles=("platform_admin",))
    body = admin.get("/api/v1/analytics/platform", query_string={**YEAR, "granularity": "month"})
    assert body.status_code == 200, body.get_json()
    data = body.get_json()
    assert [p["start"] for p in data["series"]][:2] == ["2025-01-01", "2025-02-01"]
    assert len(data["series"]) == 12
    assert data["totals"]["revenue"]
    assert data["health"]["outbox_backlog"] > 0
    assert data["totals"]["projects"]["total"] == SMALL.projects
    issued = sum(float(p["credits_issued"]) for p in data["series"])
    assert issued == pytest.approx(float(data["totals"]["credits_issued"]))


def test_others_are_refused_the_platform(year, client):
    user = signed_in(year, client, "someone@example.org")
    assert user.get("/api/v1/analytics/platform").status_code == 403


def test_an_organization_is_seen_by_its_members_only(year, client):
    member = signed_in(year, client, "member@example.org")
    outsider = signed_in(year, client, "outsider@example.org")
    org = organization(year, [(member, OrgRole.VIEWER)], org_id="og" + "0" * 30)
    path = f"/api/v1/analytics/organizations/{org}"
    seen = member.get(path, query_string={**YEAR, "granularity": "week"})
    assert seen.status_code == 200, seen.get_json()
    data = seen.get_json()
    assert "revenue" not in data["totals"]
    assert "health" not in data
    assert data["series"][0]["start"] == "2024-12-30"  # the Monday of 2025-01-01's week
    assert outsider.get(path).status_code == 404
    assert member.get("/api/v1/analytics/organizations/nope").status_code == 404


def test_the_public_statistics_hold_exactly_these_fields(year, client):
    body = client.get("/api/v1/public/stats", query_string=YEAR).get_json()
    assert set(body) == {"from", "to", "granularity", "totals", "series"}
    assert set(body["totals"]) == {
        "projects", "credits_issued", "credits_retired", "active_users",
        "purchase_volume", "retirement_volume",
    }  # fmt: skip
    assert set(body["totals"]["purchase_volume"]) == {"quantity", "orders"}
    assert set(body["totals"]["retirement_volume"]) == {"quantity", "retirements"}
    assert set(body["totals"]["projects"]) == {"total", "by_status", "by_type", "by_country"}
    assert "draft" not in body["totals"]["projects"]["by_status"]
    assert set(body["series"][0]) == {
        "start", "end", "projects_created", "credits_issued", "credits_retired",
        "retirements", "active_users", "purchased", "orders",
    }  # fmt: skip
    assert len(body["series"]) == 365


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from": "2025-02-01", "to": "2025-01-01"}, "invalid_range"),
        ({"from": "2000-01-01", "to": "2025-01-01"}, "range_too_long"),
        ({"granularity": "hour"}, "validation_failed"),
        ({"from": "yesterday"}, "validation_failed"),
    ],
)
def test_bad_ranges_are_refused(client, query, code):
    response = client.get("/api/v1/public/stats", query_string=query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["code"] == code


def test_the_series_exports_as_csv_and_xlsx(year, client):
    admin = signed_in(year, client, "admin@example.org", roles=("platform_admin",))
    query = {**YEAR, "granularity": "month"}
    got = admin.get("/api/v1/analytics/export", query_string={**query, "format": "csv"})
    assert got.status_code == 200
    assert got.content_type.startswith("text/csv")
    lines = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert lines[0][:3] == ["period_start", "period_end", "credits_issued"]
    assert "revenue_EUR" in lines[0]
    assert lines[1][0] == "2025-01-01"
    got = admin.get("/api/v1/analytics/export", query_string={**query, "format": "xlsx"})
    assert got.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(got.get_data())).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    org = admin.get(
        "/api/v1/analytics/export",
        query_string={**query, "format": "csv", "scope": "organization"},
    )
    assert org.status_code == 422
    assert org.get_json()["code"] == "organization_required"
