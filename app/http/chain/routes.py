"""The chain as the platform indexed it: the indexer's status, the indexed platform
events, and an admin's resync."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import resync
from app.domain.shared.chain import depth_status
from app.domain.shared.errors import PermissionDenied
from app.http.chain import schemas as s
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, read, uow
from app.http.common.pagination import Page, paginated

blp = ApiBlueprint("chain", __name__, description="Chain indexer status, events and resync")


@blp.route("/chain/status", methods=["GET"])
@public
@blp.response(200, s.StatusSchema)
def chain_status() -> dict[str, Any]:
    """Where the indexer stands: head, indexed and safe blocks, lag, reorgs, halt reason."""
    with read() as reads:
        cp = reads.ledger.checkpoint() or {}
    head, indexed = cp.get("head_block", 0), cp.get("block_number", -1)
    return {
        "chain_id": cp.get("chain_id"),
        "head_block": head,
        "indexed_block": indexed,
        "safe_block": cp.get("safe_block", 0),
        "lag": max(0, head - indexed),
        "reorgs": cp.get("reorgs", 0),
        "confirmations": platform().settings.chain_confirmations,
        "halted": cp.get("halted"),
    }


@blp.route("/chain/transactions", methods=["GET"])
@public
@blp.arguments(s.TransactionArgs, location="query")
@blp.response(200, s.ChainEventSchema(many=True))
@paginated(blp)
def transactions(args: dict[str, Any], page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """Indexed platform events, newest first; `pending` until past the confirmation depth."""
    with read() as reads:
        token_ids = None
        if args.get("project_id"):
            token_ids = reads.ledger.token_ids(args["project_id"])
        events, total = reads.ledger.transactions(
            args.get("address"), token_ids, page.offset, page.limit
        )
        safe = (reads.ledger.checkpoint() or {}).get("safe_block")
    for event in events:
        event["status"] = depth_status(event["block_number"], safe)
    return events, total


@blp.route("/admin/indexer/resync", methods=["POST"])
@requires("indexer:manage")
@blp.arguments(s.ResyncSchema)
@blp.response(200, s.ResyncResultSchema)
def admin_resync(body: dict[str, Any]) -> dict[str, int]:
    """Index again from `from_block` (undoing what was indexed above it; clears a halt)."""
    if not current_principal().is_admin:
        raise PermissionDenied("platform admins only")
    count = resync(body["from_block"], uow=uow(), project=platform_projector(platform().clock))
    return {"rolled_back": count}
