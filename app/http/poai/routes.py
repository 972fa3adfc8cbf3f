"""PoAI: review cases, reviewer assignment, checks, decisions, proof bundles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.poai import checks as case_checks
from app.domain.poai import proofs, services
from app.domain.poai.model import Case, CaseHistoryEntry, Category, Check, Decision, Result
from app.domain.poai.verification import TrustedKey, VerificationResult, verify_bundle
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.common.schemas import ProblemSchema
from app.http.poai import schemas as s

blp = ApiBlueprint("poai", __name__, description="Proof-of-Asset-Integrity review")


@blp.route("/poai/cases", methods=["POST"])
@requires("poai:manage")
@blp.arguments(s.OpenCaseSchema)
@blp.response(201, s.CaseSchema)
def open_case(body: dict[str, Any]) -> Case:
    """Open a case by hand for a submitted project (cases also open on submission)."""
    return services.open_case_by_hand(
        current_principal(), body["project_id"], uow=uow(), clock=platform().clock
    )


@blp.route("/poai/cases", methods=["GET"])
@requires("poai:read")
@blp.response(200, s.CaseSchema(many=True))
@paginated(blp)
def list_cases(page: Page) -> tuple[Sequence[Case], int]:
    """Cases you review, of your organizations, or all (admins), newest first."""
    return services.list_cases(current_principal(), offset=page.offset, limit=page.limit, uow=uow())


@blp.route("/poai/cases/<case_id>", methods=["GET"])
@requires("poai:read")
@blp.response(200, s.CaseSchema)
def get_case(case_id: str) -> Case:
    """One case."""
    return services.get_case(current_principal(), case_id, uow=uow())


@blp.route("/poai/cases/<case_id>/assignments", methods=["POST"])
@requires("poai:manage")
@blp.arguments(s.AssignSchema)
@blp.response(200, s.CaseSchema)
def assign(body: dict[str, Any], case_id: str) -> Case:
    """Assign a reviewer (a poai_reviewer outside the issuing organization); the case and
    the project go into review."""
    return services.assign_reviewer(
        current_principal(), case_id, body["reviewer_id"], uow=uow(), clock=platform().clock
    )


@blp.route("/poai/cases/<case_id>/checks", methods=["GET"])
@requires("poai:read")
@blp.response(200, s.CheckSchema(many=True))
@paginated(blp)
def checks(case_id: str, page: Page) -> tuple[Sequence[Check], int]:
    """Checks of every round, with results and evidence."""
    return page.of(case_checks.list_checks(current_principal(), case_id, uow=uow()))


@blp.route("/poai/cases/<case_id>/checks", methods=["POST"])
@requires("poai:review")
@blp.arguments(s.NewCheckSchema)
@blp.response(201, s.CheckSchema)
@blp.alt_response(
    409, schema=ProblemSchema, description="The round already has a check of that name"
)
def add_check(body: dict[str, Any], case_id: str) -> Check:
    """Add a custom manual check to the current round."""
    return case_checks.add_check(
        current_principal(),
        case_id,
        category=Category(body["category"]),
        name=body["name"],
        required=body["required"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/poai/checks/<check_id>", methods=["PATCH"])
@requires("poai:review")
@blp.arguments(s.CheckUpdateSchema)
@blp.response(200, s.CheckSchema)
def record_check(body: dict[str, Any], check_id: str) -> Check:
    """Record a manual check's result, notes and evidence documents."""
    return case_checks.record_manual_check(
        current_principal(),
        check_id,
        result=Result(body["result"]),
        notes=body["notes"],
        evidence_document_ids=body["evidence_document_ids"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/poai/cases/<case_id>/decision", methods=["POST"])
@requires("poai:review")
@rule_codes("reason_required", "project_incomplete", "proof_inputs_invalid")
@blp.arguments(s.DecisionSchema)
@blp.response(200, s.CaseSchema)
@blp.alt_response(
    409,
    schema=ProblemSchema,
    description="The case is not in review (case_state), or a required check has not passed "
    "(checks_incomplete)",
)
@blp.alt_response(
    422,
    schema=ProblemSchema,
    description="No reason for a rejection or a request for changes (reason_required), or an "
    "approval whose proof could not be issued: the project lacks what the proof certifies "
    "(project_incomplete) or a bundle input is refused (proof_inputs_invalid)",
)
def decide(body: dict[str, Any], case_id: str) -> Case:
    """Approve (every required check passed, and the proof can be issued), reject, or
    request changes (with a reason). The case stays in review when an approval is refused."""
    return services.decide(
        current_principal(),
        case_id,
        Decision(body["decision"]),
        reason=body["reason"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/poai/cases/<case_id>/history", methods=["GET"])
@requires("poai:read")
@blp.response(200, s.CaseHistorySchema(many=True))
@paginated(blp)
def history(case_id: str, page: Page) -> tuple[Sequence[CaseHistoryEntry], int]:
    """Every status change of the case, round by round."""
    return page.of(services.case_history(current_principal(), case_id, uow=uow()))


@blp.route("/poai/cases/<case_id>/proof", methods=["GET"])
@requires("poai:read")
@blp.response(200, s.ProofSchema)
def proof(case_id: str) -> dict[str, Any]:
    """The signed proof bundle of an approved case, with its section hashes."""
    return proofs.get_proof(current_principal(), case_id, uow=uow(), storage=platform().storage)


@blp.route("/poai/proofs/verify", methods=["POST"])
@public
@blp.arguments(s.VerifyRequestSchema)
@blp.response(200, s.VerifyResultSchema)
def verify(body: dict[str, Any]) -> VerificationResult:
    """Check a bundle's own hashes, its signature, and that a platform key made it;
    `valid` only when all three hold (no database involved)."""
    p = platform()
    return verify_bundle(
        body["bundle"],
        signature=body["signature"],
        public_key=body["public_key"],
        key_id=body["key_id"],
        algorithm=body["algorithm"],
        hashes=body["hashes"],
        trusted=p.poai_keys,
        checker=p.signature_checker,
    )


@blp.route("/poai/keys", methods=["GET"])
@public
@blp.response(200, s.SigningKeySchema(many=True))
@paginated(blp)
def signing_keys(page: Page) -> tuple[Sequence[TrustedKey], int]:
    """The platform's proof-signing public keys by key id: the current one and the
    retired ones that still check older proofs."""
    return page.of(list(platform().poai_keys))
