"""Credits: minting batches, holdings, retirements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint
from marshmallow import validate

from app.domain.credits import services
from app.domain.credits.custody import custodial_address
from app.domain.credits.model import CreditBatch, Retirement
from app.domain.poai.proofs import signed_bundle_hash
from app.domain.shared.errors import NotFound
from app.domain.shared.quantity import Quantity
from app.http.common.auth import current_principal, public, requires
from app.http.common.chain_writes import requires_chain
from app.http.common.deps import platform, read, uow
from app.http.common.idempotency import idempotent
from app.http.common.pagination import Page, paginated
from app.http.common.schemas import Text, TonnesField, Vintage

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


def _safe_block() -> int:
    """The highest block past the confirmation depth (per request, cached on `g`)."""
    if "safe_block" not in g:
        with read() as reads:
            g.safe_block = (reads.ledger.checkpoint() or {}).get("safe_block", -1)
    return int(g.safe_block)


def _settled(block: int | None) -> bool:
    return block is not None and block <= _safe_block()


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
        if retirement.status.value == "confirmed" and not _settled(retirement.confirmed_block):
            return "pending"
        return retirement.status.value


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
        if row["status"] != "failed":
            settled = row["status"] == "confirmed" and _settled(row["mint_block"])
            row["status"] = "confirmed" if settled else "pending"
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
        owners = [("user", principal.id)] + [("organization", o) for o in principal.memberships]
        mine = reads.ledger.custodial_addresses(owners)
        if args.get("holder"):
            holder = args["holder"]
            if not principal.is_admin and holder.lower() not in {a.lower() for a in mine}:
                raise NotFound("no such holder among yours")
            holders: list[str] | None = [holder]
        else:
            holders = None if principal.is_admin and not mine else mine
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
