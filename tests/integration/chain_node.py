"""A real anvil node on loopback for the chain adapter tests.

The binary comes from npm (`@foundry-rs/anvil` in tools/anvil): `npm ci` on first use,
run directly (not through the npm wrapper) so it is stopped by its process id. Without
node/npm the tests are skipped locally and fail under CI=true.

Use it from a test module with `pytest_plugins = ["tests.integration.chain_node"]`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").lower() == "true"
ANVIL_DIR = Path(__file__).resolve().parents[2] / "tools" / "anvil"
START_TIMEOUT = 15.0

# Anvil's dev accounts from its default mnemonic "test test ... junk" (public test keys).
DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
)


@dataclass(frozen=True)
class AnvilNode:
    rpc_url: str
    private_key: str  # the first dev account's: funded, used as deployer and operator
    dev_keys: tuple[str, ...]
    pid: int
    start_seconds: float


def _unavailable(message: str) -> None:
    if CI:
        pytest.fail(message)
    pytest.skip(message)


def anvil_binary() -> Path:
    """The native anvil binary inside tools/anvil/node_modules (npm install if missing)."""
    pattern = "node_modules/@foundry-rs/anvil-*/bin/anvil"
    found = sorted(ANVIL_DIR.glob(pattern))
    if not found:
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            _unavailable("node/npm not found: cannot install anvil (tools/anvil)")
        subprocess.run(  # noqa: S603
            [str(npm), "ci", "--no-audit", "--no-fund"],
            cwd=ANVIL_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )
        found = sorted(ANVIL_DIR.glob(pattern))
    if not found:
        _unavailable(f"no anvil binary matches {ANVIL_DIR / pattern}")
    return found[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc(url: str, method: str, *params: object) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            rpc(url, "eth_chainId")
        except OSError:
            time.sleep(0.02)
        else:
            return True
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[AnvilNode]:
    """A fresh anvil (chain id 31337, auto-mining) for one test."""
    binary = anvil_binary()
    for _ in range(3):  # a port taken between probing and binding: try another
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = (tmp_path / f"anvil-{port}.log").open("wb")
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            [str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", "31337"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if _wait_until_ready(process, url):
            break
        _stop(process)
        log.close()
    else:
        pytest.fail(f"anvil did not start; see {tmp_path}")
    node = AnvilNode(url, DEV_KEYS[0], DEV_KEYS, process.pid, time.monotonic() - started)
    try:
        yield node
    finally:
        _stop(process)
        log.close()
