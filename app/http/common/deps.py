"""The one door from views to the composition root's adapters, and what views use of it.

`ViewDeps` lists exactly what views and the request machinery reach through the door;
`app.main` installs its `Platform`, which mypy checks against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from flask import Flask, current_app, g

from app.domain.auth.policy import AuthPolicy
from app.domain.certificates.proofs import Verifier
from app.domain.certificates.verification import CertificateVerification
from app.domain.credits.custody import Custody
from app.domain.credits.services import LedgerUoW
from app.domain.documents.services import Storage
from app.domain.marketplace.services import MarketSettings
from app.domain.notifications.jobs import Outlets
from app.domain.payments.crypto import CryptoDesk
from app.domain.payments.transfers import BankDetails
from app.domain.poai.verification import TrustedKey
from app.domain.shared.chain import ChainEvent
from app.domain.shared.json import JSON
from app.ports.analytics import AnalyticsReads
from app.ports.certificates import CertificateRenderer
from app.ports.chain import ChainReader, CustodialWallets, RawLog
from app.ports.clock import Clock
from app.ports.health import HealthProbe
from app.ports.idempotency import IdempotencyStore
from app.ports.ledger_reads import LedgerReads
from app.ports.passwords import PasswordHasher
from app.ports.payment_gateway import PaymentGateway, SandboxPages
from app.ports.repositories.certificates import CertificatesUoW
from app.ports.repositories.governance import GovernanceUoW
from app.ports.repositories.indexer import IndexerUoW
from app.ports.repositories.marketplace import MarketUoW
from app.ports.repositories.notifications import NotificationsUoW
from app.ports.repositories.payments import PaymentsUoW
from app.ports.repositories.platform import AuditRepository
from app.ports.repositories.poai import PoaiUoW
from app.ports.repositories.projects import ProjectSearch
from app.ports.repositories.reports import ReportsUoW
from app.ports.repositories.schedules import SchedulesUoW
from app.ports.revocation import RevocationList
from app.ports.signatures import SignatureVerifier
from app.ports.signing import SignatureChecker

EXTENSION = "platform"


class RequestUoW(
    PoaiUoW,
    LedgerUoW,
    IndexerUoW,
    MarketUoW,
    PaymentsUoW,
    ReportsUoW,
    CertificatesUoW,
    NotificationsUoW,
    SchedulesUoW,
    GovernanceUoW,
    Protocol,
):
    """A request's unit of work: what the use cases the views call work in (PoAI cases
    over projects, documents and accounts; the credit ledger; the indexer's resync; the
    marketplace and its payments; reports; certificates; notifications; scheduled
    retirements; governance)."""


class ReadSide(Protocol):
    """Read-side repositories on one autocommit connection."""

    @property
    def audit_log(self) -> AuditRepository: ...

    @property
    def project_search(self) -> ProjectSearch: ...

    @property
    def ledger(self) -> LedgerReads: ...

    @property
    def analytics(self) -> AnalyticsReads: ...


class ViewSettings(Protocol):
    @property
    def public_base_url(self) -> str: ...

    @property
    def access_token_minutes(self) -> int: ...

    @property
    def chain_confirmations(self) -> int: ...


class ChainAccess(Protocol):
    @property
    def reader(self) -> ChainReader: ...


class ViewDeps(Protocol):
    @property
    def settings(self) -> ViewSettings: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def auth_policy(self) -> AuthPolicy: ...

    @property
    def hasher(self) -> PasswordHasher: ...

    @property
    def revocations(self) -> RevocationList: ...

    @property
    def signatures(self) -> SignatureVerifier: ...

    @property
    def checksum_address(self) -> Callable[[str], str]: ...

    @property
    def is_checksum_address(self) -> Callable[[str], bool]: ...

    @property
    def storage(self) -> Storage: ...

    @property
    def wallets(self) -> CustodialWallets: ...

    @property
    def poai_keys(self) -> Sequence[TrustedKey]: ...

    @property
    def signature_checker(self) -> SignatureChecker: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def probes(self) -> Sequence[HealthProbe]: ...

    @property
    def chain(self) -> ChainAccess: ...

    @property
    def custody(self) -> Custody: ...

    @property
    def market(self) -> MarketSettings: ...

    @property
    def notify_outlets(self) -> Outlets: ...

    @property
    def payment_gateway(self) -> PaymentGateway:
        """The provider new payments go through."""
        ...

    @property
    def payment_gateways(self) -> Mapping[str, PaymentGateway]:
        """Every provider whose webhooks are taken, by name."""
        ...

    @property
    def payment_sandbox(self) -> SandboxPages | None: ...

    @property
    def bank_details(self) -> BankDetails | None:
        """The account bank transfers are paid to, if set up."""
        ...

    def send_test_coins(self, to: str, wei: int) -> str | None:
        """ETH from a funded account of the embedded chain, None elsewhere."""
        ...

    @property
    def crypto_desk(self) -> CryptoDesk:
        """What starting a crypto payment needs (deposit keys, the coin's rate)."""
        ...

    def chain_problem(self) -> str | None:
        """Why chain writes must be refused now, or None."""
        ...

    def chain_project_key(self, project_id: str) -> str: ...

    @property
    def certificate_verifier(self) -> Verifier: ...

    @property
    def certificate_renderer(self) -> CertificateRenderer: ...

    def decode_event(self, raw: RawLog) -> ChainEvent | None: ...

    def verify_certificate(self, certificate_id: str) -> CertificateVerification:
        """An issued certificate's proofs checked now (`NotFound` when there is none)."""
        ...

    def verify_document(self, document: Mapping[str, JSON]) -> CertificateVerification:
        """The proofs of a certificate document someone holds, checked now."""
        ...

    def uow(self, request_id: str | None = None) -> RequestUoW: ...

    def reads(self) -> AbstractContextManager[ReadSide]: ...


def install(app: Flask, deps: ViewDeps) -> None:
    """Open the door: the views of `app` reach `deps` through `platform()`."""
    app.extensions[EXTENSION] = deps


def platform() -> ViewDeps:
    """What `install` gave this app (the `Platform` built by `app.main.bootstrap`)."""
    deps: ViewDeps = current_app.extensions[EXTENSION]
    return deps


def uow() -> RequestUoW:
    """A new unit of work carrying this request's id into the audit log."""
    return platform().uow(request_id=g.get("request_id"))


@contextmanager
def read() -> Iterator[ReadSide]:
    """Read-side repositories on an autocommit connection (no transaction to pay for)."""
    with platform().reads() as reads:
        yield reads
