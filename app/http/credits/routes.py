"""Credits: minting batches, holdings, retirements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.credits import retirements, services
from app.domain.credits.access import balance_holders, own_holders
from app.domain.credits.custody import custodial_address
from app.domain.credits.model import CreditBatch, Retirement, status_at_depth
from app.domain.credits.services import LedgerUoW
from app.domain.poai.proofs import signed_bundle_hash
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.chain_writes import requires_chain
from app.http.common.deps import platform, read, uow
from app.http.common.idempotency import idempotent
from app.http.common.pagination import Page, paginated
from app.http.credits import schemas as s
from app.http.credits.confirmations import safe_block
from app.ports.repositories.credits import CreditsUoW

blp = ApiBlueprint("credits", __name__, description="Credit batches, holdings, retirements, chain")


def custody(kind: str, owner_id: str, unit: CreditsUoW) -> str:
    p = platform()
    return custodial_address(kind, owner_id, uow=unit, wallets=p.wallets, cipher=p.storage.cipher)


@blp.route("/projects/<project_id>/mint", methods=["POST"])
@requires("credits:mint")
@requires_chain
@idempotent
@blp.arguments(s.MintSchema)
@blp.response(202, s.BatchSchema)
def mint(body: dict[str, Any], project_id: str) -> CreditBatch:
    """Issue a vintage batch (decimal tonnes, to the kilogram) to the project
    organization's custodial holding: serials (one per started tonne) and token id are
    reserved now, the chain confirms later. The project needs its signed PoAI proof."""
    quantity = body["quantity"]
    period = body["monitoring_period"] or str(body["vintage"])
    unit = uow()

    def proof_of(of_project: str, _unit: LedgerUoW) -> bytes | None:
        # The service hands `unit` back typed as its ledger's; the proof reads PoAI's.
        return signed_bundle_hash(of_project, uow=unit)

    return services.mint_batch(
        current_principal(),
        project_id,
        vintage=body["vintage"],
        quantity=quantity,
        monitoring_period=period,
        uow=unit,
        clock=platform().clock,
        custody=custody,
        project_key=platform().chain_project_key,
        proof_of=proof_of,
    )


@blp.route("/credits/batches", methods=["GET"])
@public
@blp.arguments(s.BalanceArgs, location="query")
@blp.response(200, s.BatchSchema(many=True))
@paginated(blp)
def batches(args: dict[str, Any], page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """Credit batches with their serial ranges and token ids, by token id."""
    with read() as reads:
        rows, total = reads.ledger.batches(args.get("project_id"), page.offset, page.limit)
    for row in rows:
        row["status"] = status_at_depth(row["status"], row["mint_block"], safe_block())
    return rows, total


@blp.route("/credits/balances", methods=["GET"])
@requires("credits:read")
@blp.arguments(s.BalanceArgs, location="query")
@blp.response(200, s.BalanceSchema(many=True))
@paginated(blp)
def balances(args: dict[str, Any], page: Page) -> tuple[Sequence[dict[str, Any]], int]:
    """Holdings per holder and batch, as the chain says (`available` excludes what
    pending retirements already reserved). Without `holder`: your own (custodial and
    linked wallets) and your organizations' holdings."""
    principal = current_principal()
    with read() as reads:
        mine = reads.ledger.holder_addresses(list(own_holders(principal)))
        holders = balance_holders(principal, args.get("holder"), mine)
        return reads.ledger.balances(holders, args.get("project_id"), page.offset, page.limit)


@blp.route("/retirements", methods=["POST"])
@requires("credits:retire")
@requires_chain
@idempotent
@blp.arguments(s.RetireSchema)
@blp.response(202, s.RetirementSchema)
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
        return retirements.record_self_custody_retirement(
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
            beneficiary_visibility=body["beneficiary_visibility"],
        )
    owner = services.authorize_holding(principal, body["organization_id"])
    return retirements.retire(
        principal,
        project_id=body["project_id"],
        vintage=body["vintage"],
        quantity=body["quantity"],
        beneficiary=body["beneficiary"],
        purpose=body["purpose"],
        owner=owner,
        uow=uow(),
        clock=platform().clock,
        custody=custody,
        beneficiary_visibility=body["beneficiary_visibility"],
    )


@blp.route("/retirements", methods=["GET"])
@requires("credits:read")
@blp.response(200, s.RetirementSchema(many=True))
@paginated(blp)
def list_retirements(page: Page) -> tuple[Sequence[Retirement], int]:
    """Your retirements and your organizations', newest first."""
    return retirements.list_retirements(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )


@blp.route("/retirements/<retirement_id>", methods=["GET"])
@requires("credits:read")
@blp.response(200, s.RetirementSchema)
def get_retirement(retirement_id: str) -> Retirement:
    """One retirement with its serial range, transaction and status."""
    return retirements.get_retirement(current_principal(), retirement_id, uow=uow())
