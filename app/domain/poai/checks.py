"""Use cases of a case's checks: the reviewers add checks and record their results with
evidence from the project's documents, while the case is in review."""

from __future__ import annotations

from app.domain.auth.principal import Principal
from app.domain.documents.model import DocumentKind
from app.domain.poai.errors import CaseStateConflict
from app.domain.poai.model import (
    Case,
    CaseStatus,
    Category,
    Check,
    Mode,
    Result,
)
from app.domain.poai.services import can_see_case, case_for, require_reviewer
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, RuleViolation
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.poai import PoaiUoW


def list_checks(principal: Principal, case_id: str, *, uow: PoaiUoW) -> list[Check]:
    with uow:
        case = case_for(principal, case_id, uow)
        return uow.poai.checks(case.id)


def add_check(
    principal: Principal,
    case_id: str,
    *,
    category: Category,
    name: str,
    required: bool,
    uow: PoaiUoW,
    clock: Clock,
) -> Check:
    with uow:
        case = case_for(principal, case_id, uow, lock=True)
        require_reviewer(principal, case)
        if case.status != CaseStatus.IN_REVIEW:
            raise CaseStateConflict("checks are added while the case is in review")
        if any(c.name == name for c in uow.poai.checks(case.id, case.round)):
            raise Conflict(f"this round already has a check named {name!r}", code="duplicate_check")
        check = Check(new_id(), case.id, case.round, category, name, Mode.MANUAL, required)
        uow.poai.add_checks([check])
        uow.audit(
            AuditRecord(
                "poai.check_added",
                "poai_case",
                case.id,
                principal.id,
                after={"name": name, "category": category.value, "required": required},
                organization_id=case.organization_id,
            )
        )
        uow.commit()
        return check


def record_manual_check(
    principal: Principal,
    check_id: str,
    *,
    result: Result,
    notes: str,
    evidence_document_ids: list[str],
    uow: PoaiUoW,
    clock: Clock,
) -> Check:
    with uow:
        check = uow.poai.check_for_update(check_id)
        case = uow.poai.get_case(check.case_id) if check else None
        if check is None or case is None or not can_see_case(principal, case):
            raise NotFound("check not found")
        require_reviewer(principal, case)
        if case.status != CaseStatus.IN_REVIEW or check.round != case.round:
            raise CaseStateConflict("only checks of the current round of a case in review change")
        if check.mode != Mode.MANUAL:
            raise Conflict("automated checks are run by the platform", code="automated_check")
        _evidence_documents(uow, case, evidence_document_ids)
        before = check.result.value
        check.record(
            result,
            notes=notes,
            evidence=None,
            by=principal.id,
            at=clock.now(),
            documents=evidence_document_ids,
        )
        uow.poai.save_check(check)
        uow.audit(
            AuditRecord(
                "poai.check_recorded",
                "poai_check",
                check.id,
                principal.id,
                before={"result": before},
                after={"result": result.value, "notes": notes},
                organization_id=case.organization_id,
            )
        )
        uow.commit()
        return check


def _evidence_documents(uow: PoaiUoW, case: Case, document_ids: list[str]) -> None:
    """Evidence is a document the issuer uploaded to the project: the proof lists those
    documents with their hashes, and evidence must point among them."""
    for document_id in document_ids:
        document = uow.documents.get(document_id)
        if (
            document is None
            or document.project_id != case.project_id
            or document.kind == DocumentKind.POAI_BUNDLE
        ):
            raise RuleViolation(
                f"document {document_id} is not one of the project's", code="bad_evidence"
            )
