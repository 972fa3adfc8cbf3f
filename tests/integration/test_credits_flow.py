"""Credits end to end on the embedded chain: approve a project, mint a batch, index the
chain, retire with serials, idempotency, and concurrent retirements on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from eth_account import Account

from app.adapters.chain.embedded import NODE_ERRORS
from app.adapters.chain.transactions import Web3ChainWriter
from tests.integration.chain_support import DirectOperator
from tests.integration.identity import signed_in, wait_for
from tests.integration.test_poai_flow import approved_with_proof

PDF = b"%PDF-1.7\nproject design\n%%EOF\n"


def _approved_project(app, client):
    """Approved through its PoAI case, with the signed proof minting waits for."""
    issuer, admin, pid, _proof = approved_with_proof(app, client)
    return issuer, admin, pid


def _index_until(app, predicate, timeout=60.0):
    platform = app.extensions["platform"]

    def step():
        platform.index_step()
        return predicate()

    try:
        return wait_for(step, timeout=timeout, interval=0.05)
    except AssertionError:
        with platform.db.engine.connect() as conn:
            jobs = conn.execute(
                sa.text("SELECT name, sent_at, done_at, attempts, last_error FROM outbox")
            ).all()
        raise AssertionError(f"not reached; outbox: {jobs}") from None


def _minted(app, client, quantity="50"):
    issuer, admin, pid = _approved_project(app, client)
    minted = issuer.post(
        f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": quantity}
    )
    assert minted.status_code == 202, minted.get_json()
    batch = minted.get_json()
    assert batch["status"] == "pending"

    def confirmed():
        rows = client.get(f"/api/v1/credits/batches?project_id={pid}").get_json()
        return rows and rows[0]["status"] == "confirmed"

    _index_until(app, confirmed)
    return issuer, admin, pid, batch


def test_mint_index_and_retire_on_the_embedded_chain(app, client):
    issuer, _, pid, batch = _minted(app, client)
    assert (batch["serial_start"], batch["serial_end"]) == (1, 50)
    assert client.get(f"/api/v1/projects/{pid}").get_json()["status"] == "registered"
    balances = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()
    assert [(b["quantity"], b["available"]) for b in balances] == [("50", "50")]

    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "5",
        "beneficiary": "Acme Ltd",
        "purpose": "2025 scope 1",
        "organization_id": "org-issuer",
    }
    retired = issuer.post("/api/v1/retirements", json=body)
    assert retired.status_code == 202, retired.get_json()
    retirement = retired.get_json()
    assert (retirement["serial_start"], retirement["serial_end"], retirement["status"]) == (
        1,
        5,
        "pending",
    )
    after = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert after["available"] == "45"

    def done():
        return (
            issuer.get(f"/api/v1/retirements/{retirement['id']}").get_json()["status"]
            == "confirmed"
        )

    _index_until(app, done)
    final = issuer.get(f"/api/v1/retirements/{retirement['id']}").get_json()
    assert final["tx_hash"].startswith("0x")
    balance = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert (balance["quantity"], balance["available"]) == ("45", "45")
    second = issuer.post("/api/v1/retirements", json={**body, "quantity": "3"}).get_json()
    assert (second["serial_start"], second["serial_end"]) == (6, 8)
    status = client.get("/api/v1/chain/status").get_json()
    assert status["indexed_block"] >= 1
    assert status["halted"] is None
    events = client.get(f"/api/v1/chain/transactions?project_id={pid}").get_json()
    assert {"CreditsMinted", "CreditsRetired"} <= {e["name"] for e in events}


def test_indexing_a_retirement_writes_its_holding_once(app, client):
    issuer, _, pid, _ = _minted(app, client, "10")
    platform = app.extensions["platform"]
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "2",
        "beneficiary": "Acme Ltd",
        "purpose": "2025 scope 1",
        "organization_id": "org-issuer",
    }
    retired = issuer.post("/api/v1/retirements", json=body)
    assert retired.status_code == 202, retired.get_json()
    url = f"/api/v1/retirements/{retired.get_json()['id']}"
    wait_for(lambda: issuer.get(url).get_json()["tx_hash"], timeout=30)  # mined, not indexed
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if "credit_balances" in statement:
            statements.append(" ".join(statement.split()))

    sa.event.listen(platform.db.engine, "before_cursor_execute", record)
    try:
        platform.index_step()
    finally:
        sa.event.remove(platform.db.engine, "before_cursor_execute", record)

    assert issuer.get(url).get_json()["status"] == "confirmed"
    assert len(statements) == 1, statements  # the burn and the released reservation at once
    assert statements[0].startswith("INSERT INTO credit_balances")
    balance = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert (balance["quantity"], balance["available"]) == ("8", "8")


def test_refusals_and_idempotency(app, client):
    issuer, _, pid, _ = _minted(app, client, "10")
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "11",
        "beneficiary": "X",
        "organization_id": "org-issuer",
    }
    too_much = issuer.post("/api/v1/retirements", json=body)
    assert too_much.status_code == 409
    assert too_much.get_json()["code"] == "insufficient_credits"
    finer = issuer.post("/api/v1/retirements", json={**body, "quantity": "1.0001"})
    assert finer.status_code == 422
    assert "3 decimals" in finer.get_json()["errors"]["quantity"][0]
    stranger = signed_in(app, client, "s@example.org")
    assert stranger.post("/api/v1/retirements", json={**body, "quantity": "1"}).status_code == 404

    headers = {**issuer.headers, "Idempotency-Key": "retire-42"}
    first = client.post("/api/v1/retirements", json={**body, "quantity": "2"}, headers=headers)
    again = client.post("/api/v1/retirements", json={**body, "quantity": "2"}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/retirements", json={**body, "quantity": "3"}, headers=headers)
    assert other.status_code == 409
    assert other.get_json()["code"] == "idempotency_mismatch"
    twice = issuer.post(f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": "5"})
    assert twice.status_code == 409
    assert twice.get_json()["code"] == "already_issued"


def test_concurrent_retirements_never_overdraw(make_app, pg_url):
    app = make_app(database_url=pg_url)
    client = app.test_client()
    issuer, _, pid, _ = _minted(app, client, "50")
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "1",
        "beneficiary": "B",
        "organization_id": "org-issuer",
    }
    statuses: list[int] = []
    serials: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        response = app.test_client().post("/api/v1/retirements", json=body, headers=issuer.headers)
        with lock:
            statuses.append(response.status_code)
            if response.status_code == 202:
                serials.append(response.get_json()["serial_start"])

    threads = [threading.Thread(target=one) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(202) == 50
    assert statuses.count(409) == 50
    assert len(statuses) == 100
    assert sorted(serials) == list(range(1, 51))
    balance = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert balance["available"] == "0"


@pytest.mark.parametrize(
    "quantity", ["0", "-1", "1.5001", "abc", "1e3", " 7", "\u0667", "1" * 26, "0.000", 7]
)
def test_bad_mint_quantities_are_422(app, client, quantity):
    issuer, _, pid = _approved_project(app, client)
    response = issuer.post(
        f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": quantity}
    )
    assert response.status_code == 422


def test_cli_backfill_status_and_invariant_check(app, client):
    _minted(app, client, "20")
    runner = app.test_cli_runner()
    backfill = runner.invoke(args=["indexer", "backfill", "--from", "0"])
    assert backfill.exit_code == 0, backfill.output
    assert "indexed" in backfill.output
    status = runner.invoke(args=["indexer", "status"])
    assert '"block_number"' in status.output
    check = runner.invoke(args=["credits", "check"])
    assert check.exit_code == 0, check.output
    assert "0 mismatch(es)" in check.output
    with app.extensions["platform"].db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE credit_balances SET onchain_kg = onchain_kg - 1000"))
    broken = runner.invoke(args=["credits", "check"])
    assert broken.exit_code == 1
    assert "mismatch: token" in broken.output


def _indexed_block(client) -> int:
    return int(client.get("/api/v1/chain/status").get_json()["indexed_block"])


def test_the_periodic_indexer_actor_indexes_blocks_mined_after_it_started(app, client):
    from app.adapters.tasks.dramatiq_queue import declare_periodic_actor

    platform = app.extensions["platform"]
    _approved_project(app, client)
    chain = platform.chain
    assert chain.embedded is not None
    assert _indexed_block(client) == -1  # nothing has indexed the chain yet
    steps: list[int] = []

    def step() -> None:
        steps.append(platform.index_step().to_block)

    actor = declare_periodic_actor(platform.broker, "indexer.tick.test", step, 0.05)
    actor.send()
    head = chain.reader.head()
    assert head > 0  # the contracts' deployment
    wait_for(lambda: _indexed_block(client) >= head)
    ticks = len(steps)

    later = chain.embedded.mine(3)
    # A tick commits the indexed block before it returns and is counted, so the
    # count is what is waited for: later ticks, the actor having sent itself again.
    wait_for(lambda: len(steps) > ticks and max(steps) >= later)
    assert _indexed_block(client) >= later


def test_a_self_custody_holder_retires_from_its_own_wallet(app, client):
    _, _, pid, batch = _minted(app, client, "10")
    platform = app.extensions["platform"]
    chain = platform.chain
    wallet = Account.create()
    holder = signed_in(app, client, "holder@example.org")
    with platform.uow() as unit:  # the wallet is linked to the account (SIWE in other tests)
        user = unit.users.get_for_update(holder.user_id)
        user.wallets.append(wallet.address)
        unit.users.save(user)
        unit.commit()
        org_address = unit.credits.custodial_address("organization", "org-issuer")
    w3 = chain.embedded.w3
    DirectOperator(w3, chain.calls, chain.writer).transfer(
        batch["token_id"], org_address, wallet.address, 4000
    )
    w3.eth.send_transaction(
        {"from": chain.embedded.accounts[0], "to": wallet.address, "value": 10**18}
    )
    own_writer = Web3ChainWriter(
        w3,
        wallet.key.hex(),
        node_errors=NODE_ERRORS,
        on_receipt=chain.embedded.index.add,  # the embedded chain indexes its own writes
    )
    receipt = DirectOperator(w3, chain.calls, own_writer).retire(
        token_id=batch["token_id"],
        holder=wallet.address,
        kg_start=1000,
        kg_end=2999,
        beneficiary="Me",
        purpose="offset",
    )
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "2",
        "beneficiary": "Me",
        "purpose": "offset",
        "tx_hash": receipt.transaction_hash,
    }
    recorded = holder.post("/api/v1/retirements", json=body)
    assert recorded.status_code == 202, recorded.get_json()
    retirement = recorded.get_json()
    assert (retirement["serial_start"], retirement["serial_end"]) == (1, 2)

    def confirmed():
        got = holder.get(f"/api/v1/retirements/{retirement['id']}").get_json()
        return got["status"] == "confirmed"

    _index_until(app, confirmed)
    again = holder.post("/api/v1/retirements", json=body)
    assert again.status_code == 409  # the same serials are never recorded twice
    stranger = signed_in(app, client, "other@example.org")
    assert stranger.post("/api/v1/retirements", json=body).status_code == 403


def test_statuses_wait_for_the_confirmation_depth(make_app):
    app = make_app(chain_confirmations=2)
    client = app.test_client()
    issuer, _, pid = _approved_project(app, client)
    issuer.post(f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": "5"})
    platform = app.extensions["platform"]

    def minted():
        platform.index_step()
        with platform.db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT mint_block FROM credit_batches")).scalar()

    wait_for(minted, timeout=30)
    assert client.get("/api/v1/credits/batches").get_json()[0]["status"] == "pending"
    events = client.get(f"/api/v1/chain/transactions?project_id={pid}").get_json()
    assert {e["status"] for e in events} == {"pending"}
    platform.chain.embedded.mine(2)
    platform.index_step()
    assert client.get("/api/v1/credits/batches").get_json()[0]["status"] == "confirmed"
    events = client.get(f"/api/v1/chain/transactions?project_id={pid}").get_json()
    assert {e["status"] for e in events} == {"confirmed"}
