"""Repository of certificates, the template and organizations' custom fields, and the
reads of other modules' records a certificate cites (the indexed retirement event, the
marketplace deliveries of the retired credits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.domain.certificates.model import Certificate, CertificateTemplate, OrganizationFields
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.documents import DocumentRepository
from app.ports.repositories.poai import PoaiRepository
from app.ports.repositories.projects import ProjectRepository


@dataclass(frozen=True)
class IndexedEvent:
    """Where the indexer stored a retirement's CreditsRetired event."""

    chain_id: int
    contract: str
    block_number: int
    log_index: int


@dataclass(frozen=True)
class Delivery:
    """A marketplace order's transfer of credits to a holder."""

    order_id: str
    tx_hash: str
    from_address: str
    to_address: str
    quantity_kg: int
    at: datetime | None


class CertificateRepository(Protocol):
    def add(self, certificate: Certificate) -> None:
        """Store a new certificate; a second one of the same retirement is refused
        (`CertificateExists`)."""
        ...

    def get(self, certificate_id: str) -> Certificate | None: ...

    def of_retirement(self, retirement_id: str) -> Certificate | None: ...

    def list_for(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Certificate], int]:
        """Newest first, of these owners (None: everyone's)."""
        ...

    def template(self) -> CertificateTemplate | None: ...

    def save_template(self, template: CertificateTemplate) -> None: ...

    def organization_fields(self, organization_id: str) -> OrganizationFields | None: ...

    def save_organization_fields(self, fields: OrganizationFields) -> None: ...

    def safe_block(self) -> int | None:
        """The indexer's highest block past the confirmation depth (None: nothing indexed)."""
        ...

    def uncertified(self, safe_block: int, limit: int) -> list[str]:
        """Ids of confirmed retirements at or below the safe block without a certificate,
        oldest first."""
        ...

    def retirement_event(
        self, tx_hash: str, token_id: int, kg_start: int
    ) -> IndexedEvent | None: ...

    def overlapping(self, token_id: int, kg_start: int, kg_end: int) -> list[str]:
        """Ids of retirements (failed ones aside) sharing a kilogram with this range."""
        ...

    def deliveries(self, token_id: int, to_address: str) -> list[Delivery]:
        """Fulfilled marketplace orders of this token delivered to the address, oldest first."""
        ...


class CertificatesUoW(CreditsUoW, Protocol):
    """The ledger's unit with the certificates, and what a certificate cites: projects,
    documents (the template's logo, the PoAI bundle) and PoAI proofs. Those are listed
    rather than inherited (`ProjectDocumentsUoW`, `ProofsUoW`): the units that run
    requests and jobs combine them in orders no single base order fits."""

    @property
    def certificates(self) -> CertificateRepository: ...

    @property
    def projects(self) -> ProjectRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def poai(self) -> PoaiRepository: ...
