"""An organization's API key gets the same answer about the organization's retirements
from the list (GET /retirements) as from each one (GET /retirements/<id>): both follow
`Principal.acts_for`."""

from __future__ import annotations

from app.domain.auth.model import ApiKey, hash_secret
from app.domain.shared.ids import new_id
from tests.integration.identity import signed_in
from tests.integration.test_credits_flow import _minted

ORG = "org-issuer"  # the issuer's organization in the PoAI flow


def _retired(app, client):
    """The issuer, and a retirement of its organization's credits."""
    issuer, _, pid, _ = _minted(app, client, "10")
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "2",
        "beneficiary": "Acme Ltd",
        "purpose": "2025 scope 1",
        "organization_id": ORG,
    }
    retired = issuer.post("/api/v1/retirements", json=body)
    assert retired.status_code == 202, retired.get_json()
    return issuer, retired.get_json()["id"]


def _stored_key(app, org_id: str, created_by: str, scopes: set[str]) -> str:
    """An API key of `org_id` stored with these scopes as they are: `credits:read` is not
    one an organization admin may grant through the API today."""
    platform = app.extensions["platform"]
    prefix = new_id()[-8:]
    raw = f"ck_{prefix}_{new_id()}"
    key = ApiKey(
        new_id(),
        org_id,
        "ledger reader",
        prefix,
        hash_secret(raw),
        frozenset(scopes),
        created_by,
        platform.clock.now(),
    )
    with platform.uow() as unit:
        unit.api_keys.add(key)
        unit.commit()
    return raw


def _answers(client, key: str, retirement_id: str) -> tuple[int, list[str], int]:
    """(status of the list, the ids it lists, status of the single retirement)."""
    headers = {"X-API-Key": key}
    listed = client.get("/api/v1/retirements", headers=headers)
    one = client.get(f"/api/v1/retirements/{retirement_id}", headers=headers)
    ids = [r["id"] for r in listed.get_json()] if listed.status_code == 200 else []
    return listed.status_code, ids, one.status_code


def test_an_api_key_lists_the_retirements_it_reads_one_by_one(app, client):
    issuer, retirement_id = _retired(app, client)
    stranger = signed_in(app, client, "stranger@example.org", roles=("enterprise",))
    elsewhere = stranger.post("/api/v1/organizations", json={"name": "Elsewhere"}).get_json()
    own_key = _stored_key(app, ORG, issuer.user_id, {"credits:read"})
    other_key = _stored_key(app, elsewhere["id"], stranger.user_id, {"credits:read"})

    assert _answers(client, own_key, retirement_id) == (200, [retirement_id], 200)
    assert _answers(client, other_key, retirement_id) == (200, [], 404)


def test_a_key_with_the_scopes_the_api_grants_reads_neither(app, client):
    issuer, retirement_id = _retired(app, client)
    created = issuer.post(
        f"/api/v1/organizations/{ORG}/api-keys",
        json={"name": "sync", "scopes": ["organizations:read", "members:read", "audit:read"]},
    )
    assert created.status_code == 201, created.get_json()

    assert _answers(client, created.get_json()["key"], retirement_id) == (403, [], 403)
