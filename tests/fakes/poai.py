"""In-memory PoAI repository, and a unit of work holding it with the documents."""

from __future__ import annotations

import copy

from app.domain.poai.model import Case, CaseHistoryEntry, CaseStatus, Check
from app.ports.repositories.poai import StoredProof
from tests.fakes.documents import FakeDocumentRepository
from tests.fakes.platform import FakeUnitOfWork


class FakePoaiRepository:
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.check_rows: dict[str, Check] = {}
        self.entries: list[CaseHistoryEntry] = []
        self.proofs: dict[str, StoredProof] = {}

    def add_case(self, case: Case) -> None:
        if case.id in self.cases:
            raise KeyError(f"duplicate case {case.id}")
        self.cases[case.id] = copy.deepcopy(case)

    def get_case(self, case_id: str) -> Case | None:
        return copy.deepcopy(self.cases.get(case_id))

    case_for_update = get_case

    def active_case_for(self, project_id: str) -> Case | None:
        found = [c for c in self.cases.values() if c.project_id == project_id and c.active]
        return copy.deepcopy(found[0]) if found else None

    def list_cases(
        self,
        *,
        reviewer_id: str | None,
        organization_ids: list[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Case], int]:
        cases = sorted(self.cases.values(), key=lambda c: c.opened_at, reverse=True)
        if reviewer_id is not None or organization_ids is not None:
            cases = [
                c
                for c in cases
                if reviewer_id in c.reviewer_ids or c.organization_id in (organization_ids or [])
            ]
        return copy.deepcopy(cases[offset : offset + limit]), len(cases)

    def save_case(self, case: Case) -> None:
        self.cases[case.id] = copy.deepcopy(case)

    def add_checks(self, checks: list[Check]) -> None:
        for check in checks:
            self.check_rows[check.id] = copy.deepcopy(check)

    def checks(self, case_id: str, round: int | None = None) -> list[Check]:
        found = [
            c
            for c in self.check_rows.values()
            if c.case_id == case_id and (round is None or c.round == round)
        ]
        return copy.deepcopy(sorted(found, key=lambda c: (c.round, c.id)))

    def check_for_update(self, check_id: str) -> Check | None:
        return copy.deepcopy(self.check_rows.get(check_id))

    def save_check(self, check: Check) -> None:
        self.check_rows[check.id] = copy.deepcopy(check)

    def add_history(self, entry: CaseHistoryEntry) -> None:
        self.entries.append(entry)

    def history(self, case_id: str) -> list[CaseHistoryEntry]:
        return [e for e in self.entries if e.case_id == case_id]

    def save_proof(self, proof: StoredProof) -> None:
        if proof.case_id in self.proofs:
            raise KeyError(f"case {proof.case_id} already has a proof")
        if any(p.bundle_hash == proof.bundle_hash for p in self.proofs.values()):
            raise KeyError("duplicate bundle hash")
        self.proofs[proof.case_id] = proof

    def proof(self, case_id: str) -> StoredProof | None:
        return self.proofs.get(case_id)

    def proof_for_project(self, project_id: str) -> StoredProof | None:
        approved = [
            c
            for c in self.cases.values()
            if c.project_id == project_id
            and c.status == CaseStatus.APPROVED
            and c.id in self.proofs
        ]
        if not approved:
            return None
        latest = max(approved, key=lambda c: c.decided_at or c.opened_at)
        return self.proofs[latest.id]


class FakePoaiUnitOfWork(FakeUnitOfWork):
    """The platform fake with the documents and PoAI repositories (rolled back alike)."""

    REPOSITORIES = (*FakeUnitOfWork.REPOSITORIES, "documents", "poai")

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.documents = FakeDocumentRepository()
        self.poai = FakePoaiRepository()
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
