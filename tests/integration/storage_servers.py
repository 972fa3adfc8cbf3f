"""Real storage servers on loopback for the adapter tests, started once per session:

- `moto_s3`: `moto_server` (S3 over HTTP) in a subprocess; yields its endpoint URL.
- `ipfs_daemon`: an offline js-ipfs node from `tools/ipfs` (see its README); yields the
  base URL of its HTTP RPC API. Runs `npm ci` there first when `node_modules` is missing.

A missing tool skips the tests that need it, or fails them when `CI=true`."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

import httpx
import pytest

CI = os.environ.get("CI", "").lower() == "true"
REPO_ROOT = Path(__file__).resolve().parents[2]
IPFS_TOOL = REPO_ROOT / "tools" / "ipfs"

# boto3 reads these; dummy values keep it away from real accounts and ~/.aws.
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
AWS_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL")


def unavailable(message: str) -> NoReturn:
    """Skip locally, fail on CI."""
    if CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def use_aws_test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    for name in AWS_UNSET:
        monkeypatch.delenv(name, raising=False)


class ServerProcess:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, args: list[str], log_path: Path, *, cwd: Path | None = None) -> None:
        self.args = args
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            args,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until(self, ready_url: str, *, timeout: float, method: str = "GET") -> float:
        """Poll `ready_url` until it answers 2xx; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.request(method, ready_url, timeout=2).is_success:
                    return time.monotonic() - started
            time.sleep(0.1)
        self.stop()
        state = "exited" if self.process.returncode is not None else "did not answer"
        unavailable(f"{self.args[0]} {state} ({ready_url}); log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds; only this process is signalled."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=grace)
        self._log.close()


# --- S3: moto_server ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL of a fresh `moto_server` on a free loopback port."""
    executable = Path(sys.executable).with_name("moto_server")
    if not executable.exists():
        unavailable("moto_server is not installed (pip install 'moto[server]')")
    port = free_port()
    env_log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    server = ServerProcess([str(executable), "-H", "127.0.0.1", "-p", str(port)], env_log)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        server.wait_until(f"{endpoint}/moto-api/", timeout=30)
        yield endpoint
    finally:
        server.stop()


# --- IPFS: js-ipfs from tools/ipfs --------------------------------------------------------


def _ipfs_tool_installed() -> bool:
    return (IPFS_TOOL / "node_modules" / "ipfs-http-server" / "package.json").exists()


def _install_ipfs_tool() -> None:
    """`npm ci` (or `npm install` without a lock file) once, even with parallel workers."""
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is not installed: cannot set up the IPFS daemon in tools/ipfs")
    lock_path = Path(tempfile.gettempdir()) / f"carbon-ipfs-npm-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ipfs_tool_installed():
            return
        command = "ci" if (IPFS_TOOL / "package-lock.json").exists() else "install"
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [npm, command, "--no-audit", "--no-fund"],
                cwd=IPFS_TOOL,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        except subprocess.TimeoutExpired:
            unavailable(f"npm {command} in {IPFS_TOOL} took more than 15 minutes")
        if result.returncode != 0 or not _ipfs_tool_installed():
            output = (result.stdout + result.stderr)[-3000:]
            unavailable(f"npm {command} in {IPFS_TOOL} failed ({result.returncode}):\n{output}")


@pytest.fixture(scope="session")
def ipfs_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (`http://127.0.0.1:<port>`) of an offline js-ipfs node's RPC API."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed: cannot start the IPFS daemon from tools/ipfs")
    if not _ipfs_tool_installed():
        _install_ipfs_tool()
    workdir = tmp_path_factory.mktemp("ipfs")
    port = free_port()
    server = ServerProcess(
        [node, str(IPFS_TOOL / "start.mjs"), str(workdir / "repo"), str(port)],
        workdir / "daemon.log",
        cwd=IPFS_TOOL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_until(f"{url}/api/v0/version", timeout=90, method="POST")
        yield url
    finally:
        server.stop()
