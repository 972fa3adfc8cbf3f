"""Repository of PoAI cases, checks, history and proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.domain.poai.model import Case, CaseHistoryEntry, Check
from app.ports.repositories.auth import AuthUoW
from app.ports.repositories.documents import DocumentRepository, ProjectDocumentsUoW


@dataclass(frozen=True)
class StoredProof:
    case_id: str
    bundle_hash: str
    document_id: str
    signature: str
    public_key: str
    key_id: str


class PoaiRepository(Protocol):
    def add_case(self, case: Case) -> None: ...

    def get_case(self, case_id: str) -> Case | None: ...

    def case_for_update(self, case_id: str) -> Case | None: ...

    def active_case_for(self, project_id: str) -> Case | None: ...

    def list_cases(
        self,
        *,
        reviewer_id: str | None,
        organization_ids: list[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Case], int]:
        """Cases assigned to the reviewer or of these organizations (both None: all), newest
        first: the page from `offset` and how many there are in all."""
        ...

    def save_case(self, case: Case) -> None: ...

    def add_checks(self, checks: list[Check]) -> None: ...

    def checks(self, case_id: str, round: int | None = None) -> list[Check]: ...

    def check_for_update(self, check_id: str) -> Check | None: ...

    def save_check(self, check: Check) -> None: ...

    def add_history(self, entry: CaseHistoryEntry) -> None: ...

    def history(self, case_id: str) -> list[CaseHistoryEntry]: ...

    def save_proof(self, proof: StoredProof) -> None: ...

    def proof(self, case_id: str) -> StoredProof | None: ...

    def proof_for_project(self, project_id: str) -> StoredProof | None:
        """The proof of the project's approved case (the latest decided, if several)."""
        ...


class PoaiUoW(ProjectDocumentsUoW, AuthUoW, Protocol):
    @property
    def poai(self) -> PoaiRepository: ...


class ProofsUoW(Protocol):
    """What reading a project's proof needs, for modules with a unit of work of their own
    (credits waits for the proof before registering or minting)."""

    @property
    def poai(self) -> PoaiRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...
