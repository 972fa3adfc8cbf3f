"""Review cases, their checks and decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.domain.poai.errors import CaseStateConflict
from app.domain.shared.errors import Conflict, InvalidValue


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class Category(StrEnum):
    ASSET = "asset"
    DATA = "data"
    PROCESS = "process"


class Mode(StrEnum):
    AUTOMATED = "automated"
    MANUAL = "manual"


class Result(StrEnum):
    PENDING = "pending"
    PASS = "pass"  # noqa: S105 (a check result)
    FAIL = "fail"
    NA = "n/a"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


ACTIVE = frozenset({CaseStatus.OPEN, CaseStatus.IN_REVIEW, CaseStatus.CHANGES_REQUESTED})
C, M = Category, Mode
# name, category, mode, required
DEFAULT_CHECKLIST: list[tuple[str, Category, Mode, bool]] = [
    ("coordinates_in_country", C.ASSET, M.AUTOMATED, True),
    ("no_duplicate_project", C.ASSET, M.AUTOMATED, True),
    ("land_tenure_reviewed", C.ASSET, M.MANUAL, True),
    ("required_documents_present", C.DATA, M.AUTOMATED, True),
    ("document_hashes_match", C.DATA, M.AUTOMATED, True),
    ("vintages_consistent", C.DATA, M.AUTOMATED, True),
    ("monitoring_data_reviewed", C.DATA, M.MANUAL, True),
    ("methodology_correctly_applied", C.PROCESS, M.MANUAL, True),
    ("stakeholder_consultation", C.PROCESS, M.MANUAL, False),
]


@dataclass
class Check:
    id: str
    case_id: str
    round: int
    category: Category
    name: str
    mode: Mode
    required: bool
    result: Result = Result.PENDING
    notes: str = ""
    evidence_document_ids: list[str] = field(default_factory=list)
    evidence: dict[str, object] = field(default_factory=dict)
    updated_by: str | None = None
    updated_at: datetime | None = None

    def record(
        self,
        result: Result,
        *,
        notes: str,
        evidence: dict[str, object] | None,
        by: str | None,
        at: datetime,
        documents: list[str] | None = None,
    ) -> None:
        self.result, self.notes, self.updated_by, self.updated_at = result, notes, by, at
        if evidence is not None:
            self.evidence = evidence
        if documents is not None:
            self.evidence_document_ids = documents


@dataclass
class Case:
    id: str
    project_id: str
    organization_id: str
    opened_at: datetime
    status: CaseStatus = CaseStatus.OPEN
    round: int = 1
    reviewer_ids: list[str] = field(default_factory=list)
    decision: Decision | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    bundle_hash: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def start_review(self) -> bool:
        if self.status == CaseStatus.OPEN:
            self.status = CaseStatus.IN_REVIEW
            return True
        return False

    def resubmitted(self) -> None:
        if self.status != CaseStatus.CHANGES_REQUESTED:
            raise CaseStateConflict("only a case awaiting changes takes a resubmission")
        self.round += 1
        self.status = CaseStatus.IN_REVIEW if self.reviewer_ids else CaseStatus.OPEN
        self.decision = self.decision_reason = self.decided_by = None
        self.decided_at = None

    def decide(
        self, decision: Decision, *, checks: list[Check], reason: str | None, by: str, at: datetime
    ) -> CaseStatus:
        if self.status != CaseStatus.IN_REVIEW:
            raise CaseStateConflict(f"a {self.status.value} case takes no decision")
        if reason is not None and not reason.strip():
            reason = None  # a blank reason is no reason (and the proof holds none)
        if decision == Decision.APPROVE:
            missing = [c.name for c in checks if c.required and c.result != Result.PASS]
            if missing:
                raise Conflict(
                    "every required check must pass first: " + ", ".join(sorted(missing)),
                    code="checks_incomplete",
                )
        elif not reason:
            raise InvalidValue("give a reason", code="reason_required")
        self.decision, self.decision_reason, self.decided_by, self.decided_at = (
            decision,
            reason,
            by,
            at,
        )
        self.status = {
            Decision.APPROVE: CaseStatus.APPROVED,
            Decision.REJECT: CaseStatus.REJECTED,
            Decision.REQUEST_CHANGES: CaseStatus.CHANGES_REQUESTED,
        }[decision]
        return self.status


@dataclass(frozen=True)
class CaseHistoryEntry:
    case_id: str
    round: int
    from_status: CaseStatus | None
    to_status: CaseStatus
    actor_id: str | None
    reason: str | None
    at: datetime
