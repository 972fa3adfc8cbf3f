"""The platform: the one object every driver shares (HTTP views through
`app.http.common.deps`, workers, commands), holding the adapters `bootstrap` picked and
wiring the use cases over them: units of work, job running, the chain and the indexer.
The modules' own wiring (market and payments, certificates, notifications) is inherited
from `app.main.wiring_modules`."""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import dramatiq

from app.adapters.chain.chain_lock import ChainDirLock
from app.adapters.chain.consistency import disagreement
from app.adapters.chain.custody import EthCustodialWallets
from app.adapters.chain.setup import ChainSetup, chain_project_key, decode, deploy_new
from app.adapters.crypto import eth_signatures
from app.adapters.crypto.ed25519 import (
    Ed25519BundleSigner,
    Ed25519SignatureChecker,
    parse_public_keys,
)
from app.adapters.geography.countries import NaturalEarthCountryGeometry
from app.adapters.payments.sandbox import SandboxGateway
from app.adapters.reports.files import FileReportWriter
from app.adapters.security.passwords import Argon2PasswordHasher
from app.adapters.sql.contract_registry import SqlContractRegistry
from app.adapters.sql.database import Database
from app.adapters.sql.idempotency import SqlIdempotencyStore
from app.adapters.sql.reads import SqlReads, sql_reads
from app.adapters.sql.uow import SqlUnitOfWork
from app.adapters.tasks.dramatiq_queue import DramatiqTaskQueue, declare_job_actors
from app.domain.auth.policy import AuthPolicy
from app.domain.auth.throttle import LoginThrottle
from app.domain.chain.services import WaitPolicy
from app.domain.credits.custody import CustodialAccounts
from app.domain.credits.jobs import ChainWrites
from app.domain.documents.services import Storage
from app.domain.indexer.model import FollowedContract, StepResult
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import IndexerConfig, index_step
from app.domain.marketplace.services import MarketSettings
from app.domain.payments.transfers import BankDetails
from app.domain.platform import services as platform_services
from app.domain.platform.jobs import JobHandler
from app.domain.poai.verification import platform_keys
from app.domain.shared.chain import ChainEvent
from app.domain.shared.events import DomainEvent
from app.domain.shared.jobs import Job
from app.main.backends import ChainFactory, PaymentFactory, PaymentWiring, envelope_cipher
from app.main.config import Settings
from app.main.gc_pause import cyclic_gc_paused
from app.main.wiring_governance import GovernanceWiring
from app.main.wiring_modules import (
    CertificatesWiring,
    MarketWiring,
    NotificationsWiring,
    RetirementsWiring,
    derive_key,
)
from app.ports.chain import RawLog
from app.ports.health import HealthProbe
from app.ports.market_feed import MarketFeed
from app.ports.notifier import Mailer
from app.ports.payment_gateway import PaymentGateway
from app.ports.rates import MarketRates
from app.ports.revocation import RevocationList
from app.ports.storage import BlobStore
from app.workers import JobsUoW

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Platform(
    MarketWiring, RetirementsWiring, CertificatesWiring, NotificationsWiring, GovernanceWiring
):
    settings: Settings
    db: Database
    broker: dramatiq.Broker
    mailer: Mailer
    revocations: RevocationList
    blob_store: BlobStore
    open_chain: ChainFactory
    make_payment_gateway: PaymentFactory
    market_feed: MarketFeed
    rates: MarketRates
    clock: SystemClock = field(default_factory=SystemClock)
    handlers: dict[str, JobHandler[JobsUoW]] = field(default_factory=dict)
    subscriptions: dict[str, list[str]] = field(default_factory=dict)
    probes: list[HealthProbe] = field(default_factory=list)
    chain_lock: ChainDirLock | None = None  # this process's hold on the embedded chain
    wsgi_app: Any = None  # the application serving this platform, once one is built

    def __post_init__(self) -> None:
        settings = self.settings
        self.queue = DramatiqTaskQueue(self.broker)
        self.hasher = Argon2PasswordHasher(fast=settings.password_hash_fast)
        self.auth_policy = AuthPolicy(
            public_base_url=settings.public_base_url,
            chain_id=settings.chain_id,
            token_key=derive_key(settings.secret_key, b"one-time-tokens"),
            login_throttle=LoginThrottle(
                free_failures=settings.login_free_failures,
                account_free_failures=settings.login_account_free_failures,
                max_wait=timedelta(seconds=settings.login_backoff_max_seconds),
            ),
        )
        self.signatures = eth_signatures.EthSignatureVerifier()
        self.checksum_address = eth_signatures.checksum_address
        self.is_checksum_address = eth_signatures.is_checksum_address
        self.wallets = EthCustodialWallets()
        self.signer = Ed25519BundleSigner(
            settings.poai_signing_key
            or base64.b64encode(derive_key(settings.secret_key, b"poai-signing")).decode(),
            settings.poai_signing_key_id,
        )
        self.poai_keys = platform_keys(
            self.signer, parse_public_keys(settings.poai_retired_public_keys)
        )
        self.signature_checker = Ed25519SignatureChecker()
        self.geometry = NaturalEarthCountryGeometry()
        self.idempotency = SqlIdempotencyStore(self.db)
        self.contracts = SqlContractRegistry(self.db)
        self.storage = Storage(
            store=self.blob_store,
            cipher=envelope_cipher(settings),
            link_key=derive_key(settings.secret_key, b"document-links"),
        )
        self.custody = CustodialAccounts(self.wallets, self.storage.cipher)
        self.report_writer = FileReportWriter()
        self.market = MarketSettings(
            rates=self.rates,
            feed=self.market_feed,
            quote_ttl=timedelta(seconds=settings.market_quote_ttl_seconds),
            payment_ttl=timedelta(seconds=settings.market_payment_ttl_seconds),
        )
        gateway = self.make_payment_gateway(
            settings, PaymentWiring(uow=self.uow, clock=self.clock, own_app=self.own_app)
        )
        self.payment_gateway: PaymentGateway = gateway
        self.payment_gateways: dict[str, PaymentGateway] = {gateway.name: gateway}
        self.payment_sandbox = gateway if isinstance(gateway, SandboxGateway) else None
        bank = (settings.payments_bank_beneficiary, settings.payments_bank_iban)
        self.bank_details = (
            BankDetails(*bank, settings.payments_bank_bic)
            if all((*bank, settings.payments_bank_bic))
            else None
        )

    def own_app(self) -> WSGIApplication:
        """The WSGI application serving this platform (built here in a worker process)."""
        if self.wsgi_app is None:
            from app.main.app_factory import create_app

            create_app(platform=self)
        app: WSGIApplication = self.wsgi_app
        return app

    def uow(self, request_id: str | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db,
            clock=self.clock,
            subscriptions=self.subscriptions,
            after_commit=self._after_commit,
            request_id=request_id,
        )

    @contextmanager
    def reads(self) -> Iterator[SqlReads]:
        with sql_reads(self.db) as reads:
            yield reads

    def _after_commit(self, _events: Sequence[DomainEvent], jobs: Sequence[Job]) -> None:
        if jobs:
            self.flush_outbox()

    def flush_outbox(self) -> int:
        """Send committed jobs now; a failure leaves them for the periodic relay."""
        try:
            return platform_services.relay_outbox(
                uow=self.uow(), queue=self.queue, clock=self.clock
            )
        except Exception:
            log.exception("outbox relay failed; jobs stay queued for the next pass")
            return 0

    def run_job(self, job_id: str) -> None:
        try:
            platform_services.run_job(
                job_id,
                uow=self.uow(request_id=f"job:{job_id}"),
                handlers=self.handlers,
                clock=self.clock,
            )
        except Exception as exc:
            platform_services.record_job_failure(job_id, repr(exc), uow=self.uow())
            raise

    def declare_actors(self) -> None:
        declare_job_actors(self.broker, self.handlers, self.run_job)

    @functools.cached_property
    def chain(self) -> ChainSetup:
        """The chain adapters, built on first use (the embedded EVM deploys the contracts)."""
        return self.open_chain(self.settings, self.contracts, self.chain_lock)

    def chain_problem(self) -> str | None:
        """Why chain writes must be refused now (the embedded chain disagrees with the
        database, or cannot be opened), or None. A node (`rpc`) is not checked here."""
        if self.settings.chain_backend != "embedded":
            return None
        try:
            chain = self.chain.embedded
            with self.reads() as reads:
                checkpoint = reads.ledger.checkpoint()
        except Exception as exc:  # a chain that cannot open is the reason itself
            return f"the embedded chain cannot be opened: {exc}"
        assert chain is not None
        return disagreement(chain, checkpoint, self.settings.chain_id)

    def deploy_contracts(self) -> list[FollowedContract]:
        """Deploy a new version of the contracts and record it (`flask chain deploy`)."""
        chain = deploy_new(
            str(self.settings.chain_rpc_url), str(self.settings.operator_private_key)
        )
        followed = chain.followed()
        self.contracts.record(followed, chain.reader.chain_id())
        return followed

    @functools.cached_property
    def chain_writes(self) -> ChainWrites:
        """The operator's encoded calls and signer, for the write-ahead path of chain jobs."""
        chain = self.chain
        return ChainWrites(
            calls=chain.calls,
            writer=chain.writer,
            clock=self.clock,
            wait=WaitPolicy(receipt_seconds=self.settings.chain_receipt_seconds),
        )

    @staticmethod
    def decode_event(raw: RawLog) -> ChainEvent | None:
        return decode(raw)

    def chain_project_key(self, project_id: str) -> str:
        return chain_project_key(project_id)

    @property
    def public_base_url(self) -> str:
        return self.settings.public_base_url

    def project_uri(self, project_id: str) -> str:
        return f"{self.settings.public_base_url}/api/v1/projects/{project_id}"

    def indexer_config(self) -> IndexerConfig:
        chain = self.chain
        recorded = self.contracts.followed(chain.reader.chain_id())
        known = {c.address.lower() for c in recorded}
        contracts = recorded + [c for c in chain.followed() if c.address.lower() not in known]
        return IndexerConfig(
            contracts=contracts,
            confirmations=self.settings.chain_confirmations,
            reorg_window=self.settings.indexer_reorg_window,
            start_block=min(c.from_block for c in contracts),
        )

    def index_step(self) -> StepResult:
        with cyclic_gc_paused():
            return index_step(
                uow=self.uow(request_id="indexer"),
                chain=self.chain.reader,
                decode=decode,
                project=platform_projector(self.clock),
                config=self.indexer_config(),
            )

    def close(self) -> None:
        built = self.__dict__.get("chain")
        if built is not None and built.embedded is not None:
            built.embedded.close()
        if self.chain_lock is not None:
            self.chain_lock.release()
        self.db.dispose()
        self.broker.close()
