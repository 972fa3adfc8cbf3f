"""Numbers at and past their bounds through HTTP: a page far past the end, block numbers
and vintages out of range, integers sent as fractions or strings. A clear 4xx or an
empty page, never a 500."""

from __future__ import annotations

import pytest

from tests.integration.identity import signed_in
from tests.integration.test_projects_http import BODY, _issuer

HUGE = 10**20


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/audit-logs"])
@pytest.mark.parametrize("page", [HUGE, 2**63 - 1])
def test_a_page_far_past_the_end_is_empty(app, client, path, page):
    caller = signed_in(app, client, "pager@example.org", roles=("platform_admin",))
    response = caller.get(f"{path}?page={page}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == []


@pytest.mark.parametrize(
    ("value", "status"),
    [(HUGE, 422), (2.5, 422), ("12", 422), (True, 422), (2**63, 422), (12.0, 200)],
)
def test_block_numbers_are_whole_and_bounded(app, client, value, status):
    caller = signed_in(app, client, "ops@example.org", roles=("platform_admin",))
    response = caller.post("/api/v1/admin/indexer/resync", json={"from_block": value})
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize("vintage", [HUGE, 1800, 2024.5, "2024"])
def test_vintages_out_of_range_or_not_whole_are_422(app, client, vintage):
    caller = _issuer(app, client)
    created = caller.post("/api/v1/projects", json={**BODY, "vintages": [vintage]})
    assert created.status_code == 422
    assert "vintages.0" in created.get_json()["errors"]
    if not isinstance(vintage, str):  # a query string is text anyway
        assert caller.get(f"/api/v1/projects?vintage={vintage}").status_code == 422


def test_a_vintage_sent_as_a_whole_float_is_the_year(app, client):
    caller = _issuer(app, client)
    created = caller.post("/api/v1/projects", json={**BODY, "vintages": [2024.0]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["vintages"] == [2024]


@pytest.mark.parametrize("reductions", ["1e3", " 7", "\u0663", "-1", "1.2345", "1" * 14])
def test_expected_reductions_take_plain_decimal_tonnes_only(app, client, reductions):
    caller = _issuer(app, client)
    response = caller.post(
        "/api/v1/projects", json={**BODY, "expected_annual_reductions": reductions}
    )
    assert response.status_code == 422
    assert "expected_annual_reductions" in response.get_json()["errors"]


def test_zero_expected_reductions_are_allowed(app, client):
    caller = _issuer(app, client)
    response = caller.post("/api/v1/projects", json={**BODY, "expected_annual_reductions": "0"})
    assert response.status_code == 201, response.get_json()
