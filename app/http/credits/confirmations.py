"""Whether a block is past the confirmation depth: what the ledger shows as confirmed."""

from __future__ import annotations

from flask import g

from app.http.common.deps import read


def safe_block() -> int:
    """The highest block past the confirmation depth (per request, cached on `g`)."""
    if "safe_block" not in g:
        with read() as reads:
            g.safe_block = (reads.ledger.checkpoint() or {}).get("safe_block", -1)
    return int(g.safe_block)


def settled(block: int | None) -> bool:
    return block is not None and block <= safe_block()
