"""Credits: minting batches, holdings, retirements; the chain indexer's status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from marshmallow import validate

from app.domain.credits import services
from app.domain.credits.access import balance_holders, own_holders
from app.domain.credits.custody import custodial_address
from app.domain.credits.model import CreditBatch, Retirement, status_at_depth
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import resync
from app.domain.poai.proofs import signed_bundle_hash
from app.domain.shared.chain import depth_status
from app.domain.shared.errors import PermissionDenied
from app.domain.shared.quantity import Quantity
from app.http.common.auth import current_principal, public, requires
from app.http.common.chain_writes import requires_chain
from app.http.common.deps import platform, read, uow
from app.http.common.idempotency import idempotent
from app.http.common.pagination import Page, paginated
from app.http.common.schemas import MAX_BLOCK, Text, TonnesField, Vintage, WholeNumber

blp = Blueprint("credits", __name__, description="Credit batches, holdings, retirements, chain")


def tonnes(kg: int) -> str:
    return Quantity(abs(int(kg))).tonnes_str() if kg >= 0 else "-" + Quantity(-int(kg)).tonnes_str()


class MintSchema(ma.Schema):
    vintage = Vintage(required=True)
    quantity = TonnesField(required=True, metadata={"example": "1000"})
    monitoring_period = Text(max_length=64, load_default="")


class BatchSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    monitoring_period = ma.fields.String()
    token_id = ma.fields.Integer()
    serial_start = ma.fields.Integer()
    serial_end = ma.fields.Integer(
        metadata={"description": "one serial per started tonne: the last may be partial"}
    )
    quantity = ma.fields.Function(lambda b: tonnes(_get(b, "issued_kg")))
    retired = ma.fields.Function(lambda b: tonnes(_get(b, "retired_kg")))
    next_kg = ma.fields.Integer(
        metadata={"description": "the batch's next kilogram to retire (self-custody retirements)"}
    )
    status = ma.fields.String(
        metadata={
            "description": "pending until the mint is indexed and past the confirmation depth"
        }
    )
    mint_tx = ma.fields.String(allow_none=True)
    mint_block = ma.fields.Integer(allow_none=True)


def _safe_block() -> int | None:
    """The highest block past the confirmation depth, None before anything was indexed
    (per request, cached on `g`)."""
    if "safe_block" not in g:
        with read() as reads:
            g.safe_block = (reads.ledger.checkpoint() or {}).get("safe_block")
    return None if g.safe_block is None else int(g.safe_block)


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class RetireSchema(ma.Schema):
    project_id = ma.fields.String(required=True, validate=validate.Length(max=64))
    vintage = Vintage(required=True)
    quantity = TonnesField(required=True, metadata={"example": "2.5"})
    beneficiary = Text(max_length=300, blank=False, required=True)
    purpose = Text(max_length=1000, load_default="")
    organization_id = ma.fields.String(load_default=None, validate=validate.Length(max=64))
    tx_hash = ma.fields.String(
        load_default=None,
        validate=[validate.Length(equal=66), validate.Regexp(r"^0x[0-9a-fA-F]{64}$")],
        metadata={"description": "self-custody: your own retirement transaction"},
    )


class RetirementSchema(ma.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    quantity = ma.fields.Function(lambda r: tonnes(r.quantity_kg))
    beneficiary = ma.fields.String()
    purpose = ma.fields.String()
    serial_start = ma.fields.Integer(metadata={"description": "the first tonne touched"})
    serial_end = ma.fields.Integer(metadata={"description": "the last tonne touched"})
    kg_start = ma.fields.Integer(
        metadata={"description": "first kilogram retired (kilogram k is of serial k // 1000)"}
    )
    kg_end = ma.fields.Integer(metadata={"description": "last kilogram retired"})
    token_id = ma.fields.Integer()
    holder = ma.fields.String(attribute="holder_address")
    tx_hash = ma.fields.String(allow_none=True)
    status = ma.fields.Method("depth_status")
    certificate_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    confirmed_at = ma.fields.DateTime(allow_none=True)
    failure = ma.fields.String(allow_none=True)

    def depth_status(self, retirement: Retirement) -> str:
        return status_at_depth(retirement.status, retirement.confirmed_block, _safe_block())


class BalanceSchema(ma.Schema):
    holder = ma.fields.String(attribute="address")
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    token_id = ma.fields.Integer()
    quantity = ma.fields.Function(lambda b: tonnes(b["onchain_kg"]))
    available = ma.fields.Function(lambda b: tonnes(b["onchain_kg"] - b["pending_out_kg"]))


class BalanceArgs(ma.Schema):
    holder = ma.fields.String(validate=validate.Length(max=64))
    project_id = ma.fields.String(validate=validate.Length(max=64))


class StatusSchema(ma.Schema):
    chain_id = ma.fields.Integer(allow_none=True)
    head_block = ma.fields.Integer()
    indexed_block = ma.fields.Integer()
    safe_block = ma.fields.Integer()
    lag = ma.fields.Integer()
    reorgs = ma.fields.Integer()
    confirmations = ma.fields.Integer()
    halted = ma.fields.String(allow_none=True)


class ResyncSchema(ma.Schema):
    from_block = WholeNumber(required=True, validate=validate.Range(min=0, max=MAX_BLOCK))


class ResyncResultSchema(ma.Schema):
    rolled_back = ma.fields.Integer(metadata={"description": "events undone"})


class TransactionArgs(ma.Schema):
    address = ma.fields.String(validate=validate.Length(max=64))
    project_id = ma.fields.String(validate=validate.Length(max=64))


class ChainEventSchema(ma.Schema):
    name = ma.fields.String()
    block_number = ma.fields.Integer()
    log_index = ma.fields.Integer()
    tx_hash = ma.fields.String()
    address = ma.fields.String()
    args = ma.fields.Dict()
    status = ma.fields.String()


def _custody(kind: str, owner_id: str, unit: Any) -> str:
    p = platform()
    return custodial_address(kind, owner_id, uow=unit, wallets=p.wallets, cipher=p.storage.cipher)


@blp.route("/projects/<project_id>/mint", methods=["POST"])
@requires("credits:mint")
@requires_chain
@idempotent
@blp.arguments(MintSchema)
@blp.response(202, BatchSchema)
def mint(body: dict[str, Any], project_id: str) -> CreditBatch:
    """Issue a vintage batch (decimal tonnes, to the kilogram) to the project
    organization's custodial holding: serials (one per started tonne) and token id are
    reserved now, the chain confirms later. The project needs its signed PoAI proof."""
    quantity = body["quantity"]
    period = body["monitoring_period"] or str(body["vintage"])
    return services.mint_batch(
        current_principal(),
        project_id,
        vintage=body["vintage"],
        quantity=quantity,
        monitoring_period=period,
        uow=uow(),
        clock=platform().clock,
        custody=_custody,
        project_key=platform().chain_project_key,
        proof_of=_signed_bundle_hash,
    )


def _signed_bundle_hash(project_id: str, unit: Any) -> bytes | None:
    return signed_bundle_hash(project_id, uow=unit)


@blp.route("/credits/batches", methods=["GET"])
@public
@blp.arguments(BalanceArgs, location="query")
@blp.response(200, BatchSchema(many=True))
@paginated(blp)
def batches(args: dict[str, Any], page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """Credit batches with their serial ranges and token ids, by token id."""
    with read() as reads:
        rows, total = reads.ledger.batches(args.get("project_id"), page.offset, page.limit)
    for row in rows:
        row["status"] = status_at_depth(row["status"], row["mint_block"], _safe_block())
    return rows, total


@blp.route("/credits/balances", methods=["GET"])
@requires("credits:read")
@blp.arguments(BalanceArgs, location="query")
@blp.response(200, BalanceSchema(many=True))
@paginated(blp)
def balances(args: dict[str, Any], page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """Holdings per holder and batch, as the chain says (`available` excludes what
    pending retirements already reserved). Without `holder`: your own and your
    organizations' holdings."""
    principal = current_principal()
    with read() as reads:
        mine = reads.ledger.custodial_addresses(list(own_holders(principal)))
        holders = balance_holders(principal, args.get("holder"), mine)
        return reads.ledger.balances(holders, args.get("project_id"), page.offset, page.limit)


@blp.route("/retirements", methods=["POST"])
@requires("credits:retire")
@requires_chain
@idempotent
@blp.arguments(RetireSchema)
@blp.response(202, RetirementSchema)
@blp.alt_response(
    404,
    description="No such project or vintage batch, or no such transaction (unknown_transaction)",
)
def retire(body: dict[str, Any]) -> Retirement:
    """Retire decimal tonnes (to the kilogram) from your holding (or an organization's,
    as its admin or finance): the batch's next kilograms are reserved at once (two
    fractional retirements may share a serial, never a kilogram); the retirement is
    `pending` until the chain's CreditsRetired event is indexed. Self-custody holders
    retire from their own wallet and send `tx_hash` (the batch's next kilograms,
    `next_kg` in GET /credits/batches). Accepts Idempotency-Key."""
    principal = current_principal()
    if body["tx_hash"]:
        p = platform()
        return services.record_self_custody_retirement(
            principal,
            tx_hash=body["tx_hash"].lower(),
            project_id=body["project_id"],
            vintage=body["vintage"],
            beneficiary=body["beneficiary"],
            purpose=body["purpose"],
            uow=uow(),
            clock=p.clock,
            chain=p.chain.reader,
            decode=p.decode_event,
        )
    owner = services.authorize_holding(principal, body["organization_id"])
    return services.retire(
        principal,
        project_id=body["project_id"],
        vintage=body["vintage"],
        quantity=body["quantity"],
        beneficiary=body["beneficiary"],
        purpose=body["purpose"],
        owner=owner,
        uow=uow(),
        clock=platform().clock,
        custody=_custody,
    )


@blp.route("/retirements", methods=["GET"])
@requires("credits:read")
@blp.response(200, RetirementSchema(many=True))
@paginated(blp)
def list_retirements(page: Page) -> tuple[Sequence[Retirement], int]:
    """Your retirements and your organizations', newest first."""
    return services.list_retirements(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )


@blp.route("/retirements/<retirement_id>", methods=["GET"])
@requires("credits:read")
@blp.response(200, RetirementSchema)
def get_retirement(retirement_id: str) -> Retirement:
    """One retirement with its serial range, transaction and status."""
    return services.get_retirement(current_principal(), retirement_id, uow=uow())


@blp.route("/chain/status", methods=["GET"])
@public
@blp.response(200, StatusSchema)
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
@blp.arguments(TransactionArgs, location="query")
@blp.response(200, ChainEventSchema(many=True))
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
@blp.arguments(ResyncSchema)
@blp.response(200, ResyncResultSchema)
def admin_resync(body: dict[str, Any]) -> dict[str, int]:
    """Index again from `from_block` (undoing what was indexed above it; clears a halt)."""
    if not current_principal().is_admin:
        raise PermissionDenied("platform admins only")
    count = resync(body["from_block"], uow=uow(), project=platform_projector(platform().clock))
    return {"rolled_back": count}
