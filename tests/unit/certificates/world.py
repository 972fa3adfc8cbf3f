"""The ledger's world with certificates: a project whose PoAI proof is really signed
(by the fake HMAC key the checks trust), the `certificates.issue` job subscribed to the
indexer's confirmations, and a verifier over the fake chain."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.auth.principal import Principal
from app.domain.certificates.checks import Keys, Node
from app.domain.certificates.jobs import Issuer, issue_due
from app.domain.certificates.model import Certificate
from app.domain.certificates.proofs import Verifier
from app.domain.credits import retirements, services
from app.domain.credits.model import Retirement
from app.domain.documents.model import Document, DocumentKind
from app.domain.poai.model import Case, CaseStatus
from app.domain.poai.verification import TrustedKey
from app.domain.shared.quantity import Quantity
from app.ports.repositories.poai import StoredProof
from app.workers import EVENT_SUBSCRIPTIONS
from app.workers import certificates as certificate_jobs
from tests.fakes.certificates import FakeCertificatesUoW
from tests.fakes.documents import fake_storage
from tests.fakes.registry import decode
from tests.fakes.signing import FakeHmacChecker, FakeHmacSigner
from tests.unit.builders import NOW, ORG, PID
from tests.unit.ledger_world import BUNDLE_HASH, FINANCE, LedgerWorld

SIGNER = FakeHmacSigner(b"platform-key", "key-1")
BASE_URL = "https://carbon.example"


@dataclass(frozen=True)
class _Deps:
    certificate_issuer: Issuer


class CertificatesWorld(LedgerWorld):
    UOW = FakeCertificatesUoW
    uow: FakeCertificatesUoW

    def __init__(self, *, confirmations: int = 0) -> None:
        super().__init__()
        self.config = type(self.config)(
            self.config.contracts, confirmations=confirmations, reorg_window=64
        )
        self.uow.subscriptions = {
            "credits.retirement_confirmed": EVENT_SUBSCRIPTIONS["credits.retirement_confirmed"]
        }
        self.storage = fake_storage()
        self.issuer = Issuer(SIGNER, self.storage, self.clock, BASE_URL)
        trusted = [TrustedKey(SIGNER.key_id, SIGNER.public_key())]
        self.keys = Keys(trusted, FakeHmacChecker())
        self.verifier = Verifier(self.keys, Node(self.chain, decode, confirmations))

    def add_proof(self) -> None:
        self.uow.poai.add_case(
            Case("case-1", PID, ORG, NOW, status=CaseStatus.APPROVED, decided_at=NOW)
        )
        self.uow.documents.add(
            Document("doc-proof", PID, ORG, DocumentKind.POAI_BUNDLE, 1, "platform", NOW, NOW)
        )
        signature = SIGNER.sign(BUNDLE_HASH.encode())
        self.uow.poai.save_proof(
            StoredProof(
                "case-1", BUNDLE_HASH, "doc-proof", signature, SIGNER.public_key(), SIGNER.key_id
            )
        )

    def retire(  # type: ignore[override]
        self, principal: Principal = FINANCE, *, kg: int, beneficiary_visibility: str = "public"
    ) -> Retirement:
        return retirements.retire(
            principal,
            project_id=PID,
            vintage=2024,
            quantity=Quantity(kg),
            beneficiary="Acme Ltd",
            purpose="2025 scope 1",
            owner=services.authorize_holding(principal, ORG),
            uow=self.uow,
            clock=self.clock,
            custody=self.custody,
            beneficiary_visibility=beneficiary_visibility,  # type: ignore[arg-type]
        )

    def run_certificate_jobs(self) -> list[str]:
        return self.run_jobs(certificate_jobs.handlers(_Deps(self.issuer)))  # type: ignore[arg-type]

    def sweep(self) -> int:
        return issue_due(uow=self.uow, issuer=self.issuer, on_error=self._failed)

    def _failed(self, retirement_id: str, error: Exception) -> None:
        raise AssertionError(f"{retirement_id}: {error}")

    def certified(self, kg: int = 2_500, **retire: object) -> Certificate:
        """A retirement of `kg` confirmed on chain and its certificate issued."""
        retirement = self.retire(kg=kg, **retire)  # type: ignore[arg-type]
        assert retirement.beneficiary_visibility == retire.get("beneficiary_visibility", "public")
        self.settle()
        assert self.run_certificate_jobs() == ["certificates.issue"]
        certificate = self.uow.certificates.of_retirement(retirement.id)
        assert certificate is not None
        return certificate
