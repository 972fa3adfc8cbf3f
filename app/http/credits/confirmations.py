"""The request's safe block: the highest block past the confirmation depth, which the
domain's rules (`status_at_depth`, `depth_status`) compare blocks with."""

from __future__ import annotations

from flask import g

from app.http.common.deps import read


def safe_block() -> int | None:
    """The highest block past the confirmation depth, None before anything was indexed
    (per request, cached on `g`)."""
    if "safe_block" not in g:
        with read() as reads:
            g.safe_block = (reads.ledger.checkpoint() or {}).get("safe_block")
    return None if g.safe_block is None else int(g.safe_block)
