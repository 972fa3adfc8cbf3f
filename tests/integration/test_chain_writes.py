"""One chain transaction per intent, whatever happens to the job that sends it: a crash
between broadcast and commit, a receipt that does not come in time, the same job run
twice at once. On the embedded chain and on anvil, on SQLite and PostgreSQL: afterwards
exactly one CreditsRetired (or CreditsMinted) for the intent on chain and one row."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from web3 import Web3

from app.adapters.chain.events import decode_log
from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.domain.chain.errors import NotMinedYet
from app.domain.credits.jobs import ChainWrites
from app.main.app_factory import create_app
from app.main.platform import Platform
from app.ports.chain import Receipt
from tests.integration.identity import wait_for
from tests.integration.test_poai_flow import approved_with_proof

pytest_plugins = ["tests.integration.chain_node"]


class Crash(BaseException):
    """The process dies right here (not an Exception: nothing catches it on the way)."""


class FlakyWriter:
    """The platform's writer, with one failure injected on the first call of `fail_in`."""

    def __init__(self, real: Any, fail_in: str) -> None:
        self._real, self._fail_in, self.failed = real, fail_in, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def broadcast(self, raw: bytes) -> None:
        self._real.broadcast(raw)
        if self._fail_in == "after_broadcast" and not self.failed:
            self.failed = True
            raise Crash("killed between broadcast and commit")

    def wait_for_receipt(self, hashes: Sequence[str], timeout: float) -> Receipt | None:
        if self._fail_in == "wait" and not self.failed:
            self.failed = True
            return None  # as a node that has not mined it within the wait
        return self._real.wait_for_receipt(hashes, timeout)


@pytest.fixture(params=["embedded", "anvil"])
def world(
    request: pytest.FixtureRequest, make_platform: Any, any_db_url: str
) -> Iterator[tuple[Platform, Any]]:
    overrides: dict[str, Any] = {"database_url": any_db_url}
    if request.param == "anvil":
        node = request.getfixturevalue("anvil")
        overrides = {
            "chain_backend": "rpc",
            "chain_rpc_url": node.rpc_url,
            "operator_private_key": node.private_key,
        }
    platform = make_platform(**overrides)
    app = create_app(platform=platform)
    worker = EmbeddedWorker(platform.broker)
    worker.start()
    try:
        yield platform, (app, worker)
    finally:
        worker.stop()


def _pending_retirement(platform: Platform, ctx: Any) -> tuple[str, str]:
    """A confirmed batch, the worker stopped, then a retirement whose job is not run yet:
    (retirement id, outbox job id)."""
    app, worker = ctx
    client = app.test_client()
    issuer, _, pid, _ = approved_with_proof(app, client)
    minted = issuer.post(f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": "5"})
    assert minted.status_code == 202, minted.get_json()

    def confirmed() -> bool:
        platform.index_step()
        return client.get("/api/v1/credits/batches").get_json()[0]["status"] == "confirmed"

    wait_for(confirmed, timeout=60, interval=0.05)
    worker.stop()
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "2.5",
        "beneficiary": "Acme",
        "organization_id": "org-issuer",
    }
    response = issuer.post("/api/v1/retirements", json=body)
    assert response.status_code == 202, response.get_json()
    retirement = response.get_json()
    assert (retirement["kg_start"], retirement["kg_end"]) == (1000, 3499)
    assert (retirement["serial_start"], retirement["serial_end"]) == (1, 3)
    with platform.db.engine.connect() as conn:
        job_id = conn.execute(
            sa.text("SELECT id FROM outbox WHERE name = 'credits.retire' AND done_at IS NULL")
        ).scalar_one()
    return retirement["id"], job_id


def _use_writer(platform: Platform, writer: Any, receipt_seconds: float | None = None) -> None:
    real = platform.chain_writes
    wait = (
        real.wait
        if receipt_seconds is None
        else replace(real.wait, receipt_seconds=receipt_seconds)
    )
    platform.__dict__["chain_writes"] = ChainWrites(
        calls=real.calls, writer=writer, clock=real.clock, wait=wait
    )


def _retired_on_chain(platform: Platform) -> list[dict[str, Any]]:
    reader = platform.chain.reader
    logs = reader.logs(0, reader.head(), [platform.chain.deployment.registry_address])
    return [e.args for e in map(decode_log, logs) if e.name == "CreditsRetired"]


def _rows(platform: Platform, intent: str) -> int:
    with platform.db.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM chain_transactions WHERE intent = :i")
        return int(conn.execute(query, {"i": intent}).scalar_one())


def _settles_once(platform: Platform, retirement_id: str) -> None:
    retired = _retired_on_chain(platform)
    assert len(retired) == 1, retired
    assert (retired[0]["kgStart"], retired[0]["kgEnd"], retired[0]["amountKg"]) == (
        1000,
        3499,
        2500,
    )
    assert _rows(platform, f"credits.retire:{retirement_id}") == 1
    for _ in range(20):
        platform.index_step()
    with platform.db.engine.connect() as conn:
        status, tx_hash = conn.execute(
            sa.text("SELECT status, tx_hash FROM retirements WHERE id = :i"), {"i": retirement_id}
        ).one()
        stored = conn.execute(
            sa.text("SELECT tx_hash, status FROM chain_transactions WHERE intent = :i"),
            {"i": f"credits.retire:{retirement_id}"},
        ).one()
    assert status == "confirmed"
    assert (tx_hash, "mined") == tuple(stored)
    minted = [
        e
        for e in map(
            decode_log,
            platform.chain.reader.logs(
                0, platform.chain.reader.head(), [platform.chain.deployment.registry_address]
            ),
        )
        if e.name == "CreditsMinted"
    ]
    assert len(minted) == 1
    check = create_app(platform=platform).test_cli_runner().invoke(args=["credits", "check"])
    assert check.exit_code == 0, check.output
    assert "0 mismatch(es)" in check.output


def test_a_worker_killed_between_broadcast_and_commit_sends_nothing_twice(world) -> None:
    platform, ctx = world
    retirement_id, job_id = _pending_retirement(platform, ctx)
    real = platform.chain_writes.writer
    _use_writer(platform, FlakyWriter(real, "after_broadcast"))
    with pytest.raises(Crash):
        platform.run_job(job_id)
    _use_writer(platform, real)  # the process comes back

    platform.run_job(job_id)

    _settles_once(platform, retirement_id)


def test_a_receipt_that_does_not_come_in_time_is_awaited_again_not_resent(world) -> None:
    platform, ctx = world
    retirement_id, job_id = _pending_retirement(platform, ctx)
    real = platform.chain_writes.writer
    if isinstance(platform.chain.writer._w3.provider, Web3.HTTPProvider):  # anvil: really
        w3 = platform.chain.writer._w3
        w3.provider.make_request("evm_setAutomine", [False])
        _use_writer(platform, real, receipt_seconds=0.3)
        with pytest.raises(NotMinedYet):
            platform.run_job(job_id)
        with pytest.raises(NotMinedYet):  # delivered again while still pending
            platform.run_job(job_id)
        w3.provider.make_request("evm_setAutomine", [True])
        w3.provider.make_request("anvil_mine", ["0x1"])
    else:
        _use_writer(platform, FlakyWriter(real, "wait"))
        with pytest.raises(NotMinedYet):
            platform.run_job(job_id)
        _use_writer(platform, real)

    platform.run_job(job_id)

    _settles_once(platform, retirement_id)


def test_the_same_job_delivered_twice_at_once_writes_once(world) -> None:
    platform, ctx = world
    retirement_id, job_id = _pending_retirement(platform, ctx)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def deliver() -> None:
        start.wait()
        try:
            platform.run_job(job_id)
        except Exception as exc:  # collected: a losing delivery may fail, and is retried
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        platform.run_job(job_id)  # the retry of the delivery that lost

    _settles_once(platform, retirement_id)
