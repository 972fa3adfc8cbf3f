"""The proof bundle of a decided case, from what the platform holds about it: the one
place that turns a case, its project, checks and documents into bundle inputs.

An approval and its proof are one outcome, so the approval builds the bundle once inside
its own unit of work (and throws it away): whatever the proof job would refuse is refused
at the decision instead, while the reviewer can still request changes. The proof job
builds it again, from the same code, and signs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.documents.model import DocumentKind
from app.domain.poai.bundle import Bundle, build_bundle, signing_problems
from app.domain.poai.bundle_shape import PROJECT_TEXT
from app.domain.poai.model import Case, Check
from app.domain.projects.model import Project, review_gaps
from app.domain.projects.services import snapshot
from app.domain.shared.errors import InvalidValue, NotFound, RuleViolation
from app.ports.repositories.poai import PoaiUoW


def case_bundle(case: Case, *, uow: PoaiUoW, issued_at: datetime) -> Bundle:
    """The unsigned bundle of the case as decided; RuleViolation when the project lacks
    what the proof certifies, InvalidValue when the builder refuses an input."""
    project = uow.projects.get(case.project_id)
    if project is None:
        raise NotFound("project not found")
    gaps = review_gaps(project)
    if gaps:
        raise RuleViolation(
            "the project lacks what its proof certifies ("
            + ", ".join(sorted(gaps))
            + "): request changes so that the issuer completes it",
            code="project_incomplete",
            errors=gaps,
        )
    return build_bundle(
        case={"id": case.id, "round": case.round},
        project=_project(project),
        checks=[_check(c) for c in uow.poai.checks(case.id, case.round)],
        reviewers=list(case.reviewer_ids),
        decision={
            "decision": case.decision.value if case.decision else None,
            "reason": case.decision_reason,
            "decided_by": case.decided_by,
            "decided_at": case.decided_at,
        },
        documents=_documents(project.id, uow),
        issued_at=issued_at,
    )


def ensure_provable(case: Case, *, uow: PoaiUoW, issued_at: datetime) -> None:
    """Refuse the approval of a case whose proof could not be built or signed (called in
    the approval's unit of work, after the decision is taken on the case)."""
    try:
        bundle = case_bundle(case, uow=uow, issued_at=issued_at)
    except InvalidValue as exc:
        raise _unprovable(exc.detail, exc.errors) from None
    problems = signing_problems(bundle)
    if problems:
        raise _unprovable("; ".join(problems), {"bundle": problems})


def _unprovable(detail: str, errors: dict[str, list[str]]) -> RuleViolation:
    return RuleViolation(
        f"the case cannot be approved: its proof bundle would be refused ({detail})",
        code="proof_inputs_invalid",
        errors=errors,
    )


def _project(project: Project) -> dict[str, object]:
    """The project snapshot with blank optional text (no standard, no region) as null,
    which is how a bundle says "not given"."""
    values = snapshot(project)
    for name in PROJECT_TEXT:
        if isinstance(values.get(name), str) and not str(values[name]).strip():
            values[name] = None
    return values


def _check(check: Check) -> dict[str, Any]:
    return {
        "category": check.category.value,
        "name": check.name,
        "mode": check.mode.value,
        "required": check.required,
        "result": check.result.value,
        "notes": check.notes or None,
        "evidence": list(check.evidence_document_ids),
    }


def _documents(project_id: str, uow: PoaiUoW) -> list[dict[str, Any]]:
    """The current version of every document the issuer uploaded (earlier proof
    bundles are the platform's own output, not evidence)."""
    documents = []
    for document in uow.documents.list_for_project(project_id):
        version = uow.documents.version(document.id, document.current_version)
        if version is not None and document.kind != DocumentKind.POAI_BUNDLE:
            documents.append(
                {
                    "id": document.id,
                    "kind": document.kind.value,
                    "version": version.version,
                    "sha256": version.sha256,
                }
            )
    return documents
