"""The embedded chain kept in a file: reopened intact, durable per write, its chain id the
setting, one process at a time; a platform restarted over the same database and chain
keeps indexing; a chain that no longer matches the database is refused (503) until it
is restored or reset."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.adapters.chain.chain_lock import ChainInUse
from app.adapters.chain.chain_store import CHAIN_FILE, discard_chain_files
from app.adapters.chain.consistency import disagreement
from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.transactions import send_and_wait
from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.http.common.limiter import limiter
from app.main.app_factory import create_app
from app.main.config import ConfigError
from tests.integration.test_credits_flow import _approved_project, _index_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = b"\x11" * 32


def _register(chain: EmbeddedChain, project_id: str):
    call = chain.calls.register_project(project_id, BUNDLE, f"ipfs://{project_id}")
    return send_and_wait(chain.writer, call, timeout=30)


def _snapshot(chain: EmbeddedChain) -> dict:
    operator, other = chain.accounts[0], chain.accounts[1]
    head = chain.reader.head()
    return {
        "head": head,
        "blocks": [chain.reader.block(n) for n in range(head + 1)],
        "logs": chain.reader.logs(0, head, [chain.deployment.registry_address]),
        "nonce": chain.w3.eth.get_transaction_count(operator),
        "balance": chain.w3.eth.get_balance(other),
        "deployment": chain.deployment,
    }


def test_a_reopened_chain_has_its_blocks_logs_balances_and_nonces(tmp_path: Path) -> None:
    chain = EmbeddedChain(path=tmp_path)
    first = _register(chain, "proj-1")
    chain.w3.eth.send_transaction({"from": chain.accounts[0], "to": chain.accounts[1], "value": 7})
    second = _register(chain, "proj-2")
    before = _snapshot(chain)
    chain.close()

    again = EmbeddedChain(path=tmp_path)
    after = _snapshot(again)
    assert after == before  # same deployment: the contracts were not deployed again
    assert {*first.logs, *second.logs} <= set(after["logs"])
    assert again.w3.eth.get_code(again.deployment.registry_address)
    receipt = _register(again, "proj-3")  # the operator's next nonce, on the same chain
    assert receipt.block_number == before["head"] + 1
    assert again.w3.eth.get_transaction_count(again.accounts[0]) == before["nonce"] + 1
    assert (
        again.reader.logs(0, receipt.block_number, [again.deployment.registry_address])[-1]
        == (receipt.logs[-1])
    )
    again.close()


def test_a_block_is_on_disk_before_its_write_returns(tmp_path: Path) -> None:
    chain = EmbeddedChain(path=tmp_path)
    receipt = _register(chain, "proj-1")
    with sqlite3.connect(tmp_path / CHAIN_FILE) as other:
        (through,) = other.execute("SELECT value FROM meta WHERE name = 'logs_through'").fetchone()
        logged = other.execute(
            "SELECT count(*) FROM logs WHERE transaction_hash = ?", (receipt.transaction_hash,)
        ).fetchone()[0]
    assert int(through) == receipt.block_number
    assert logged == len(receipt.logs) > 0
    chain.close()


def test_a_process_killed_after_a_write_loses_nothing_it_reported(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os
        from app.adapters.chain.embedded import EmbeddedChain
        from app.adapters.chain.transactions import send_and_wait
        chain = EmbeddedChain(path={str(tmp_path)!r})
        call = chain.calls.register_project("proj-k", b"\\x11" * 32, "ipfs://k")
        print(send_and_wait(chain.writer, call, timeout=30).transaction_hash, flush=True)
        os._exit(0)  # no close, no commit at exit
        """
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    tx_hash = done.stdout.strip().splitlines()[-1]
    chain = EmbeddedChain(path=tmp_path)
    receipt = chain.reader.receipt(tx_hash)
    assert receipt is not None
    assert receipt.status == 1
    assert chain.reader.logs(0, chain.reader.head(), [chain.deployment.registry_address])
    chain.close()


def test_the_chain_id_is_the_setting(tmp_path: Path) -> None:
    memory = EmbeddedChain()
    assert memory.w3.eth.chain_id == memory.reader.chain_id() == 31337
    other = EmbeddedChain(path=tmp_path, chain_id=1337)
    assert other.w3.eth.chain_id == 1337
    assert _register(other, "proj-1").status == 1  # transactions signed for it are valid
    other.close()
    reopened = EmbeddedChain(path=tmp_path)  # a chain file keeps the id it was made with
    assert reopened.reader.chain_id() == 1337
    assert "CHAIN_ID is 31337" in str(disagreement(reopened, None, 31337))
    reopened.close()


def test_a_second_opener_of_the_chain_folder_is_refused(tmp_path: Path) -> None:
    chain = EmbeddedChain(path=tmp_path)
    with pytest.raises(ChainInUse, match="CHAIN_BACKEND=rpc"):
        EmbeddedChain(path=tmp_path)
    script = (
        "from app.adapters.chain.embedded import EmbeddedChain\n"
        f"EmbeddedChain(path={str(tmp_path)!r})\n"
    )
    other = subprocess.run(  # noqa: S603 (this interpreter, our script)
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other.returncode != 0
    assert f"pid {os.getpid()}" in other.stderr
    assert "lives in one process only" in other.stderr
    assert "CHAIN_BACKEND=rpc" in other.stderr
    chain.close()
    EmbeddedChain(path=tmp_path).close()  # released: the next process may open it


def test_an_older_chain_file_than_the_database_is_reported(tmp_path: Path) -> None:
    chain = EmbeddedChain(path=tmp_path)
    head = chain.reader.head()
    block = chain.reader.block(head)
    genesis = chain.reader.block(0)
    assert block is not None
    assert genesis is not None
    checkpoint = {
        "chain_id": 31337,
        "genesis_hash": genesis.hash,
        "block_number": head + 5,
        "block_hash": "0x" + "ab" * 32,
        "halted": None,
    }
    assert "older than the database" in str(disagreement(chain, checkpoint, 31337))
    checkpoint.update(block_number=head, block_hash=block.hash)
    assert disagreement(chain, checkpoint, 31337) is None
    checkpoint.update(genesis_hash="0x" + "cd" * 32)
    assert "deleted or replaced" in str(disagreement(chain, checkpoint, 31337))
    chain.close()


def test_a_chain_file_deleted_under_the_open_chain_is_reported(tmp_path: Path) -> None:
    chain = EmbeddedChain(path=tmp_path)
    assert disagreement(chain, None, 31337) is None
    discard_chain_files(tmp_path)
    assert "deleted or replaced while this process had it open" in str(
        disagreement(chain, None, 31337)
    )
    chain.close()


# --- the platform over a kept chain ---------------------------------------------------------


class Started:
    def __init__(self, make_platform, chain_dir: Path) -> None:
        self.platform = make_platform(embedded_chain_dir=str(chain_dir))
        self.app = create_app(platform=self.platform)
        limiter.reset()
        self.worker = EmbeddedWorker(self.platform.broker)
        self.worker.start()
        self.client = self.app.test_client()

    def stop(self) -> None:
        self.worker.stop()
        self.platform.close()


def _mint(started: Started, issuer, pid: str, vintage: int, quantity: str = "20"):
    minted = issuer.post(
        f"/api/v1/projects/{pid}/mint", json={"vintage": vintage, "quantity": quantity}
    )
    assert minted.status_code == 202, minted.get_json()

    def confirmed():
        rows = started.client.get(f"/api/v1/credits/batches?project_id={pid}").get_json()
        return any(r["vintage"] == vintage and r["status"] == "confirmed" for r in rows)

    _index_until(started.app, confirmed)
    return minted.get_json()


def test_a_restarted_platform_keeps_its_chain_and_keeps_indexing(make_platform, tmp_path):
    first = Started(make_platform, tmp_path / "chain")
    issuer, _, pid = _approved_project(first.app, first.client)
    _mint(first, issuer, pid, 2023)
    status = first.client.get("/api/v1/chain/status").get_json()
    assert status["chain_id"] == 31337
    deployment = first.platform.chain.deployment
    first.stop()

    second = Started(make_platform, tmp_path / "chain")
    issuer.client = second.client
    ready = second.client.get("/api/v1/ready")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"]["chain"] == "ok"
    assert second.platform.chain.deployment == deployment
    balances = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()
    assert [b["quantity"] for b in balances] == ["20"]
    _mint(second, issuer, pid, 2024)  # mined, indexed and confirmed after the restart
    after = second.client.get("/api/v1/chain/status").get_json()
    assert after["indexed_block"] > status["indexed_block"]
    assert after["halted"] is None
    quantities = sorted(
        b["quantity"] for b in issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()
    )
    assert quantities == ["20", "20"]
    second.stop()


def test_a_lost_chain_file_is_refused_until_the_chain_is_reset(make_platform, tmp_path):
    chain_dir = tmp_path / "chain"
    first = Started(make_platform, chain_dir)
    issuer, _, pid = _approved_project(first.app, first.client)
    _mint(first, issuer, pid, 2023)
    first.stop()
    assert discard_chain_files(chain_dir)

    second = Started(make_platform, chain_dir)
    issuer.client = second.client
    ready = second.client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert "deleted or replaced" in ready.get_json()["checks"]["chain"]
    refused = issuer.post(f"/api/v1/projects/{pid}/mint", json={"vintage": 2024, "quantity": "5"})
    assert refused.status_code == 503
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    body = refused.get_json()
    assert body["code"] == "chain_unavailable"
    assert "deleted or replaced" in body["reason"]
    assert "flask chain reset-embedded" in body["recovery"]
    retire = {"project_id": pid, "vintage": 2023, "quantity": "1", "beneficiary": "X",
              "organization_id": "org-issuer"}  # fmt: skip
    assert issuer.post("/api/v1/retirements", json=retire).status_code == 503
    second.stop()

    third = Started(make_platform, chain_dir)
    issuer.client = third.client
    result = third.app.test_cli_runner().invoke(args=["chain", "reset-embedded", "--yes"])
    assert result.exit_code == 0, result.output
    assert "row(s) of credit_batches" in result.output
    assert "row(s) of chain_checkpoints" in result.output
    assert third.client.get("/api/v1/ready").status_code == 200
    _mint(third, issuer, pid, 2024)  # the project is registered again on the new chain
    third.stop()


def test_a_second_platform_over_the_same_chain_refuses_to_start(make_platform, tmp_path):
    first = make_platform(embedded_chain_dir=str(tmp_path / "chain"))
    with pytest.raises(ConfigError, match="CHAIN_BACKEND=rpc"):
        make_platform(embedded_chain_dir=str(tmp_path / "chain"))
    first.close()
    make_platform(embedded_chain_dir=str(tmp_path / "chain")).close()


def test_two_new_chains_never_share_a_genesis_even_within_one_second():
    from eth.db.backends.memory import MemoryDB

    from app.adapters.chain.evm import open_chain

    first, second = (open_chain(MemoryDB(), 31337) for _ in range(2))
    assert first.get_canonical_head().hash != second.get_canonical_head().hash
