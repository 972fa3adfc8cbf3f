"""The embedded chain in the composition root: the one-process guard taken at start, the
chain opened in the folder that guard holds, its readiness probe, and the reset that
starts over on a new chain."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from app.adapters.chain.chain_lock import ONE_PROCESS_ADVICE, ChainDirLock, ChainInUse
from app.adapters.chain.chain_store import chain_files, discard_chain_files
from app.adapters.chain.consistency import SHORT_RECOVERY
from app.adapters.chain.setup import ChainSetup, embedded_chain
from app.adapters.sql.ledger_reset import count_chain_rows, discard_chain_rows
from app.main.config import ConfigError, Settings


def claim_embedded_chain(settings: Settings) -> ChainDirLock | None:
    """The start-up guard: hold the chain folder for this process's lifetime, or refuse
    to start (a worker, a second server, a command while the server runs). Held before
    the chain is built, which happens on first use."""
    if settings.chain_backend != "embedded" or not settings.embedded_chain_dir:
        return None
    try:
        return ChainDirLock.acquire(Path(settings.embedded_chain_dir))
    except ChainInUse as exc:
        raise ConfigError(f"refusing to start: {exc}") from None


def open_embedded_chain(settings: Settings, lock: ChainDirLock | None) -> ChainSetup:
    if lock is not None and not lock.held:
        raise ChainInUse(
            f"process {os.getpid()} was forked from the one that holds the embedded chain "
            f"in {lock.directory}: {ONE_PROCESS_ADVICE}"
        )
    return embedded_chain(settings.embedded_chain_dir, settings.chain_id, lock)


class ChainDisagrees(RuntimeError):
    """The embedded chain and the database tell different stories."""


class EmbeddedChainProbe:
    """Ready only while the chain agrees with the database (opens the chain if needed)."""

    name = "chain"

    def __init__(self, problem: Callable[[], str | None]) -> None:
        self._problem = problem

    def check(self) -> None:
        reason = self._problem()
        if reason:
            raise ChainDisagrees(f"{reason}; {SHORT_RECOVERY}")


def reset_plan(settings: Settings, engine: sa.Engine) -> list[str]:
    """What `reset_embedded_chain` would discard, one line each."""
    directory = Path(str(settings.embedded_chain_dir))
    present = [path for path in chain_files(directory) if path.exists()]
    lines = [f"the chain file {path} ({path.stat().st_size} bytes)" for path in present]
    if not present:
        lines.append(f"no chain file in {directory} (already gone)")
    counts = count_chain_rows(engine)
    lines += [f"{count} row(s) of {table}" for table, count in counts.items() if count]
    return lines


def reset_embedded_chain(settings: Settings, engine: sa.Engine) -> dict[str, int]:
    """The chain file first, then the rows: interrupted in between, the next start sees
    a new chain against the old rows (refused, and the reset can simply run again)."""
    discard_chain_files(Path(str(settings.embedded_chain_dir)))
    return discard_chain_rows(engine)
