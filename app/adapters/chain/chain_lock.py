"""One process per embedded chain: an exclusive lock on a file in the chain's folder.

Two processes over the same chain file would each run their own EVM from it and write
diverging blocks, so the second one is refused at start. The kernel drops the lock when
the holder exits (even on a crash): no stale lock to clean up. The file's text names the
holder, for the refusal message."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "chain.lock"

ONE_PROCESS_ADVICE = (
    "the embedded chain (CHAIN_BACKEND=embedded) lives in one process only. Stop that "
    "process first, or, to run `make worker` or several server processes, use a node: "
    "CHAIN_BACKEND=rpc with CHAIN_RPC_URL and OPERATOR_PRIVATE_KEY"
)


class ChainInUse(RuntimeError):
    """Another process holds the embedded chain."""


class ChainDirLock:
    def __init__(self, directory: Path, fd: int) -> None:
        self.directory = directory
        self.pid = os.getpid()
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, directory: Path) -> ChainDirLock:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise ChainInUse(
                f"the embedded chain in {directory} is open in another process "
                f"({holder}): {ONE_PROCESS_ADVICE}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_me()).encode())
        return cls(directory, fd)

    @property
    def held(self) -> bool:
        """Held, and by this process (a forked child shares the descriptor, not the chain)."""
        return self._fd is not None and os.getpid() == self.pid

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if os.getpid() == self.pid:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _me() -> dict[str, object]:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    return {"pid": os.getpid(), "command": command, "since": datetime.now(UTC).isoformat()}


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "a process that is still starting"
    return f"pid {info.get('pid')}: {info.get('command')}, since {info.get('since')}"
