"""Projects through HTTP: creation, edits by status, visibility and search on both
databases (PostgreSQL full-text and SQLite FTS5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.auth import organizations as org_service
from app.domain.auth.permissions import OrgRole
from app.domain.projects.model import Project, ProjectType, Status
from app.domain.shared.quantity import Quantity
from tests.integration.identity import signed_in

BODY = {
    "name": "Mata Atlântica restoration",
    "description": "Reforestation with native species in the Atlantic forest",
    "type": "forestry",
    "methodology": "VM0047 ARR",
    "standard": "Verra VCS",
    "country": "br",
    "region": "Bahia",
    "latitude": "-14.5",
    "longitude": "-39.25",
    "vintages": [2024, 2023],
    "expected_annual_reductions": "12000.5",
}


def _issuer(app, client, email="issuer@example.org", org_id="org-issuer"):
    caller = signed_in(app, client, email, roles=("issuer",))
    platform = app.extensions["platform"]
    org_service.ensure_organization(
        org_id,
        "Issuer Co",
        {caller.user_id: OrgRole.ADMIN},
        uow=platform.uow(),
        clock=platform.clock,
    )
    return caller


def test_an_issuer_creates_reads_and_edits_a_draft(app, client):
    issuer = _issuer(app, client)
    created = issuer.post("/api/v1/projects", json=BODY)
    assert created.status_code == 201, created.get_json()
    project = created.get_json()
    assert project["status"] == "draft"
    assert project["country"] == "BR"
    assert project["vintages"] == [2023, 2024]
    assert project["expected_annual_reductions"] == "12000.5"
    assert project["organization_id"] == "org-issuer"
    pid = project["id"]
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404  # drafts are private
    edited = issuer.patch(f"/api/v1/projects/{pid}", json={"name": "Renamed", "vintages": [2025]})
    assert edited.get_json()["name"] == "Renamed"
    history = issuer.get(f"/api/v1/projects/{pid}/history").get_json()
    assert [(h["from"], h["to"]) for h in history] == [(None, "draft")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"latitude": "95", "longitude": "10"}, "latitude"),
        ({"latitude": "10", "longitude": None}, "latitude"),
        ({"vintages": [2020, 2020]}, "vintages"),
        ({"type": "volcano"}, "type"),
        ({"expected_annual_reductions": "1.0001"}, "expected_annual_reductions"),
        ({"expected_annual_reductions": 1.5}, "expected_annual_reductions"),
    ],
)
def test_invalid_fields_are_422_with_the_field_named(app, client, change, field):
    issuer = _issuer(app, client)
    response = issuer.post("/api/v1/projects", json={**BODY, **change})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_who_may_create(app, client):
    retail = signed_in(app, client, "r@example.org")
    assert retail.post("/api/v1/projects", json=BODY).status_code == 403
    lonely = signed_in(app, client, "lonely@example.org", roles=("issuer",))
    refused = lonely.post("/api/v1/projects", json=BODY)
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "organization_required"
    assert client.post("/api/v1/projects", json=BODY).status_code == 401


def _seed(app, org_id: str) -> None:
    """Projects in every status, written through the repository."""
    platform = app.extensions["platform"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        ("Amazon forest conservation", "forestry", "BR", [2021, 2022], Status.ACTIVE, "Verra"),
        ("Kenya clean cookstoves", "cookstoves", "KE", [2022], Status.REGISTERED, "Gold Standard"),
        ("Solar farm Rajasthan", "renewable_energy", "IN", [2023], Status.ACTIVE, "Verra"),
        ("Mangrove blue carbon", "blue_carbon", "ID", [2020, 2021], Status.SUSPENDED, "Verra"),
        ("Landfill methane capture", "methane_capture", "US", [2022], Status.CLOSED, "ACR"),
        ("Secret draft forest", "forestry", "BR", [2024], Status.DRAFT, "Verra"),
        ("Forest under review", "forestry", "PE", [2024], Status.UNDER_REVIEW, "Verra"),
        ("Direct air capture Iceland", "direct_air_capture", "IS", [2025], Status.ACTIVE, "Puro"),
    ]
    with platform.uow() as uow:
        for i, (name, kind, country, vintages, status, standard) in enumerate(rows):
            uow.projects.add(
                Project(
                    id=f"p{i}",
                    organization_id=org_id,
                    name=name,
                    description=f"{name}: a {kind.replace('_', ' ')} project with monitoring",
                    type=ProjectType(kind),
                    methodology="VM0007" if kind == "forestry" else "AMS",
                    standard=standard,
                    country=country,
                    region="Somewhere",
                    latitude=Decimal("1.5"),
                    longitude=Decimal("2.5"),
                    vintages=vintages,
                    expected_annual_reductions=Quantity(1000 * (i + 1)),
                    created_by="seed",
                    created_at=start + timedelta(days=i),
                    updated_at=start,
                    status=status,
                )
            )
        uow.commit()


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [p["name"] for p in response.get_json()]


@pytest.fixture
def seeded(make_app, any_db_url):
    app = make_app(database_url=any_db_url)
    client = app.test_client()
    issuer = _issuer(app, client)
    _seed(app, "org-issuer")
    return app, client, issuer


def test_search_shows_the_public_to_everyone_and_drafts_to_their_owners(seeded):
    app, client, issuer = seeded
    public = _names(client.get("/api/v1/projects?sort=name"))
    assert "Secret draft forest" not in public
    assert "Forest under review" not in public
    assert len(public) == 6
    mine = _names(issuer.get("/api/v1/projects?sort=name"))
    assert len(mine) == 8
    reviewer = signed_in(app, client, "rev@example.org", roles=("poai_reviewer",))
    assert "Forest under review" in _names(reviewer.get("/api/v1/projects"))
    assert "Secret draft forest" not in _names(reviewer.get("/api/v1/projects"))


def test_search_by_text_filters_sorts_and_pages(seeded):
    _, client, _ = seeded
    assert _names(client.get("/api/v1/projects?q=forest")) == ["Amazon forest conservation"]
    assert _names(client.get("/api/v1/projects?q=FOREST Amazon")) == ["Amazon forest conservation"]
    assert set(_names(client.get("/api/v1/projects?q=capture"))) == {
        "Landfill methane capture",
        "Direct air capture Iceland",
    }
    assert _names(client.get("/api/v1/projects?type=cookstoves")) == ["Kenya clean cookstoves"]
    assert _names(client.get("/api/v1/projects?country=in")) == ["Solar farm Rajasthan"]
    assert _names(client.get("/api/v1/projects?vintage=2020")) == ["Mangrove blue carbon"]
    assert _names(client.get("/api/v1/projects?status=suspended")) == ["Mangrove blue carbon"]
    assert _names(client.get("/api/v1/projects?standard=Puro")) == ["Direct air capture Iceland"]
    by_name = _names(client.get("/api/v1/projects?sort=name"))
    assert by_name == sorted(by_name)
    newest = _names(client.get("/api/v1/projects?sort=-created"))
    assert newest[0] == "Direct air capture Iceland"
    oldest_vintage = _names(client.get("/api/v1/projects?sort=vintage"))[0]
    assert oldest_vintage == "Mangrove blue carbon"
    page = client.get("/api/v1/projects?sort=name&page=2&page_size=4")
    assert _names(page) == by_name[4:]
    assert json.loads(page.headers["X-Pagination"])["total"] == 6
    # Past the last page: no items, the total still told (text and filter-only searches).
    for query in ["sort=name", "q=capture", "type=cookstoves"]:
        beyond = client.get(f"/api/v1/projects?{query}&page=9&page_size=4")
        assert beyond.status_code == 200
        assert beyond.get_json() == []
        expected = len(_names(client.get(f"/api/v1/projects?{query}")))
        assert json.loads(beyond.headers["X-Pagination"])["total"] == expected
    # Each item carries its vintages, ascending.
    vintages = {p["name"]: p["vintages"] for p in client.get("/api/v1/projects").get_json()}
    assert all(v == sorted(v) and v for v in vintages.values())


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        'forest"',
        "forest OR",
        "NEAR(a b)",
        "-forest",
        "*",
        "a:b",
        "((",
        "é Ñ 森林",
        "\u0000",
        "forest AND NOT",
        ";DROP TABLE projects;--",
        " ",
    ],
)
def test_awkward_search_text_never_breaks(seeded, text):
    _, client, _ = seeded
    response = client.get("/api/v1/projects", query_string={"q": text})
    assert response.status_code == 200, response.get_json()
    assert isinstance(response.get_json(), list)


def test_bad_search_arguments_are_422(seeded):
    _, client, _ = seeded
    for query in ["type=volcano", "status=done", "vintage=abc", "sort=random", "page=0"]:
        assert client.get(f"/api/v1/projects?{query}").status_code == 422, query
