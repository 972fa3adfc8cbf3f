"""Concurrent writers over HTTP on SQLite and PostgreSQL: a race is refused with a 409,
never answered with a 5xx, and what the chain retired matches what the platform confirmed.

Only the HTTP API, the indexer step and the CLI are used, so these tests hold whatever
way the chain jobs send their transactions."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.identity import Caller
from tests.integration.test_credits_flow import _index_until, _minted
from tests.integration.test_poai_flow import PROJECT, approved_with_proof

TONNES = 40
ATTEMPTS = 60
KG_PER_TONNE = 1000

REGISTRY_VIEWS = [
    {
        "name": "retiredKg",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "tokenId", "type": "uint256"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


def _together(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` on `count` threads released at the same instant; results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call(index)
        except BaseException as exc:  # surfaced by the caller's assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _post(
    app: Flask, caller: Caller, path: str, body: dict[str, Any], **headers: str
) -> tuple[int, dict[str, Any]]:
    response = app.test_client().post(path, json=body, headers={**caller.headers, **headers})
    return response.status_code, response.get_json(silent=True) or {}


def _no_server_errors(results: list[Any]) -> None:
    crashed = [r for r in results if isinstance(r, BaseException)]
    assert not crashed, crashed[:3]
    server_errors = [body for status, body in results if status >= 500]
    assert not server_errors, server_errors[:3]


def _retire_body(pid: str) -> dict[str, Any]:
    return {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "1",
        "beneficiary": "B",
        "purpose": "race",
        "organization_id": "org-issuer",
    }


def _chain_retired_kg(app: Flask, token_id: int) -> int:
    chain = app.extensions["platform"].chain
    registry = chain.embedded.w3.eth.contract(
        address=chain.deployment.registry_address, abi=REGISTRY_VIEWS
    )
    return int(registry.functions.retiredKg(int(token_id)).call())


def _retired_events(client: FlaskClient, pid: str) -> list[dict[str, Any]]:
    events = client.get(f"/api/v1/chain/transactions?project_id={pid}").get_json()
    return [e["args"] for e in events if e["name"] == "CreditsRetired"]


def _settle_retirements(app: Flask, issuer: Caller, ids: set[str]) -> list[dict[str, Any]]:
    def mine() -> list[dict[str, Any]]:
        return [r for r in issuer.get("/api/v1/retirements").get_json() if r["id"] in ids]

    _index_until(app, lambda: all(r["status"] == "confirmed" for r in mine()), timeout=180)
    return mine()


def test_parallel_retirements_accept_exactly_the_holding(make_app, any_db_url):
    app = make_app(database_url=any_db_url)
    client = app.test_client()
    issuer, _, pid, batch = _minted(app, client, str(TONNES))

    results = _together(
        ATTEMPTS, lambda _: _post(app, issuer, "/api/v1/retirements", _retire_body(pid))
    )

    _no_server_errors(results)
    statuses = Counter(status for status, _ in results)
    assert statuses == {202: TONNES, 409: ATTEMPTS - TONNES}, statuses
    refused = {body["code"] for status, body in results if status == 409}
    assert refused <= {"insufficient_credits", "conflict"}, refused
    accepted = [body for status, body in results if status == 202]
    assert sorted(r["serial_start"] for r in accepted) == list(range(1, TONNES + 1))

    confirmed = _settle_retirements(app, issuer, {r["id"] for r in accepted})
    confirmed_kg = sum(round(float(r["quantity"]) * KG_PER_TONNE) for r in confirmed)
    assert confirmed_kg == TONNES * KG_PER_TONNE
    assert _chain_retired_kg(app, batch["token_id"]) == confirmed_kg
    events = _retired_events(client, pid)
    assert sum(int(e["amountKg"]) for e in events) == confirmed_kg
    serials = [s for e in events for s in range(int(e["serialStart"]), int(e["serialEnd"]) + 1)]
    assert sorted(serials) == list(range(1, TONNES + 1))  # none retired twice
    kg_ranges = sorted((int(e["kgStart"]), int(e["kgEnd"])) for e in events if "kgStart" in e)
    assert all(end < start for (_, end), (start, _) in itertools.pairwise(kg_ranges))
    check = app.test_cli_runner().invoke(args=["credits", "check"])
    assert check.exit_code == 0, check.output
    assert "0 mismatch(es)" in check.output


def _another_project(index: int) -> dict[str, Any]:
    """A project the duplicate check does not match with the others: its own name, and
    a place in Brazil degrees away from theirs."""
    return {
        **PROJECT,
        "name": f"Restoration plot {index}",
        "latitude": str(-8.0 - 3 * index),
        "longitude": str(-50.0 + 2 * index),
    }


def test_parallel_mints_on_sqlite_are_one_per_project_without_5xx(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    client = app.test_client()
    issuer, _, first, _ = _minted(app, client, "5")
    projects = [approved_with_proof(app, client, _another_project(i))[2] for i in range(4)]
    mint = {"vintage": 2024, "quantity": "5"}
    targets = [pid for pid in projects for _ in range(3)]

    results = _together(
        len(targets), lambda i: _post(app, issuer, f"/api/v1/projects/{targets[i]}/mint", mint)
    )

    _no_server_errors(results)
    for pid in projects:
        mine = [r for r, target in zip(results, targets, strict=True) if target == pid]
        assert sorted(status for status, _ in mine) == [202, 409, 409], mine
    minted = [body for status, body in results if status == 202]
    ranges = sorted((b["token_id"], b["serial_start"], b["serial_end"]) for b in minted)
    assert len({token for token, _, _ in ranges}) == len(projects)
    _index_until(
        app,
        lambda: all(
            b["status"] == "confirmed" for b in client.get("/api/v1/credits/batches").get_json()
        ),
    )
    assert first not in projects


def test_parallel_retries_with_one_idempotency_key_on_sqlite_retire_once(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    client = app.test_client()
    issuer, _, pid, _ = _minted(app, client, "10")
    body = _retire_body(pid)

    results = _together(
        8,
        lambda _: _post(app, issuer, "/api/v1/retirements", body, **{"Idempotency-Key": "k-1"}),
    )

    _no_server_errors(results)
    accepted = {b["id"] for status, b in results if status == 202}
    assert len(accepted) == 1, results
    refused = {b["code"] for status, b in results if status == 409}
    assert refused <= {"idempotency_in_progress"}, refused
    balance = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert balance["available"] == "9"


def test_a_project_key_recorded_twice_is_recorded_once(make_platform, any_db_url):
    """The register job and a mint can both record a project's chain key at once."""
    platform = make_platform(database_url=any_db_url)
    for _ in range(2):
        with platform.uow() as uow:
            uow.credits.record_project_key("0xABC", "project-1", None)
            uow.commit()
    with platform.uow() as uow:
        assert uow.credits.chain_key_of("project-1") == "0xabc"
        assert uow.credits.project_for_key("0xabc") == "project-1"
