"""In-memory certificates, template and custom fields, refusing a second certificate of
a retirement as the unique constraint does; the reads of other modules' records go to
the ledger's, indexer's and marketplace's fakes of the same unit."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from app.domain.certificates.errors import CertificateExists
from app.domain.certificates.model import Certificate, CertificateTemplate, OrganizationFields
from app.domain.credits.model import RetirementStatus
from app.domain.shared.json import JSON
from app.ports.certificates import CertificateLayout
from app.ports.repositories.certificates import Delivery, IndexedEvent
from tests.fakes.clock import FakeClock
from tests.fakes.credits import FakeCreditRepository
from tests.fakes.indexer import FakeIndexerRepository
from tests.fakes.ledger import FakeLedgerUoW
from tests.fakes.marketplace import FakeMarketRepository


class FakeCertificateRepository:
    def __init__(
        self,
        credits: FakeCreditRepository,
        indexer: FakeIndexerRepository,
        market: FakeMarketRepository,
    ) -> None:
        self._credits, self._indexer, self._market = credits, indexer, market
        self.certificates: dict[str, Certificate] = {}
        self._template: CertificateTemplate | None = None
        self.fields: dict[str, OrganizationFields] = {}

    def add(self, certificate: Certificate) -> None:
        if any(c.retirement_id == certificate.retirement_id for c in self.certificates.values()):
            raise CertificateExists("the retirement has a certificate")
        self.certificates[certificate.id] = copy.deepcopy(certificate)

    def get(self, certificate_id: str) -> Certificate | None:
        return copy.deepcopy(self.certificates.get(certificate_id))

    def of_retirement(self, retirement_id: str) -> Certificate | None:
        found = [c for c in self.certificates.values() if c.retirement_id == retirement_id]
        return copy.deepcopy(found[0]) if found else None

    def list_for(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Certificate], int]:
        found = [
            c for c in self.certificates.values() if owner_ids is None or c.owner_id in owner_ids
        ]
        found.sort(key=lambda c: (c.issued_at, c.id), reverse=True)
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def template(self) -> CertificateTemplate | None:
        return self._template

    def save_template(self, template: CertificateTemplate) -> None:
        self._template = template

    def organization_fields(self, organization_id: str) -> OrganizationFields | None:
        return self.fields.get(organization_id)

    def save_organization_fields(self, fields: OrganizationFields) -> None:
        self.fields[fields.organization_id] = fields

    def safe_block(self) -> int | None:
        checkpoint = self._indexer.checkpoint
        return checkpoint.safe_block if checkpoint else None

    def uncertified(self, safe_block: int, limit: int) -> list[str]:
        due = [
            r
            for r in self._credits.retirements.values()
            if r.status == RetirementStatus.CONFIRMED
            and r.certificate_id is None
            and r.confirmed_block is not None
            and r.confirmed_block <= safe_block
        ]
        return [r.id for r in sorted(due, key=lambda r: (r.confirmed_block or 0, r.id))][:limit]

    def retirement_event(self, tx_hash: str, token_id: int, kg_start: int) -> IndexedEvent | None:
        checkpoint = self._indexer.checkpoint
        for event in self._indexer.events.values():
            if (
                event.name == "CreditsRetired"
                and event.transaction_hash == tx_hash
                and str(event.args["tokenId"]) == str(token_id)
                and str(event.args["kgStart"]) == str(kg_start)
            ):
                chain_id = checkpoint.chain_id if checkpoint else 0
                return IndexedEvent(chain_id, event.address, event.block_number, event.log_index)
        return None

    def overlapping(self, token_id: int, kg_start: int, kg_end: int) -> list[str]:
        return [
            r.id
            for r in self._credits.retirements.values()
            if r.token_id == token_id
            and r.status != RetirementStatus.FAILED
            and r.kg_start <= kg_end
            and kg_start <= r.kg_end
        ]

    def deliveries(self, token_id: int, to_address: str) -> list[Delivery]:
        orders = [
            o
            for o in self._market.orders.values()
            if o.token_id == token_id
            and o.transfer_tx
            and o.fulfilled_at
            and (o.buyer_address or "").lower() == to_address.lower()
        ]
        return [
            Delivery(
                o.id,
                str(o.transfer_tx),
                o.seller_address,
                str(o.buyer_address),
                o.quantity_kg,
                o.fulfilled_at,
            )
            for o in sorted(orders, key=lambda o: (o.fulfilled_at, o.id))
        ]


class FakeCertificatesUoW(FakeLedgerUoW):
    """The ledger's fake (projects, documents, PoAI, credits, indexer, marketplace) with
    the certificates repository."""

    REPOSITORIES = (*FakeLedgerUoW.REPOSITORIES, "certificates")

    certificates: FakeCertificateRepository

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.certificates = None  # type: ignore[assignment]  # built over the ledger's below
        super().__init__(clock)
        self.certificates = FakeCertificateRepository(self.credits, self.indexer, self.market)
        self._snapshot = self._take()


class FakeCertificateRenderer:
    """A `CertificateRenderer` that records what it was asked to draw."""

    def __init__(self) -> None:
        self.drawn: list[tuple[dict[str, JSON], CertificateLayout]] = []

    def render_pdf(self, document: Mapping[str, JSON], layout: CertificateLayout) -> bytes:
        self.drawn.append((dict(document), layout))
        return b"%PDF-1.7\n% certificate " + str(document.get("id")).encode() + b"\n%%EOF\n"
