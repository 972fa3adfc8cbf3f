"""The business modules' wiring that `Platform` inherits, one mixin per module family:
what the payments, certificates and notifications use cases need from the adapters the
platform holds. Each method's `self` is a `PlatformParts`, the part of the platform it
reads, so a mixin names its needs without importing `Platform`."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol

from app.adapters.chain.custody import EthCustodialWallets
from app.adapters.chain.setup import ChainSetup, decode
from app.adapters.crypto.ed25519 import Ed25519BundleSigner, Ed25519SignatureChecker
from app.adapters.notifications.templates import JinjaNotificationTemplates
from app.adapters.pdf.certificate import ReportlabCertificateRenderer
from app.adapters.sql.uow import SqlUnitOfWork
from app.domain.certificates import proofs
from app.domain.certificates.checks import Keys, Node
from app.domain.certificates.jobs import Issuer, issue_due
from app.domain.certificates.proofs import Verifier
from app.domain.certificates.verification import CertificateVerification
from app.domain.credits import schedule_runs
from app.domain.documents.services import Storage
from app.domain.marketplace import orders
from app.domain.marketplace.services import MarketSettings
from app.domain.notifications import jobs as notification_jobs
from app.domain.notifications.jobs import Outlets
from app.domain.payments import crypto, invoices
from app.domain.payments.crypto import CryptoDesk
from app.domain.poai.verification import TrustedKey
from app.domain.shared.json import JSON
from app.main.backends import notification_senders
from app.main.config import Settings
from app.ports.certificates import CertificateRenderer
from app.ports.clock import Clock
from app.ports.notifier import Mailer
from app.ports.rates import MarketRates

log = logging.getLogger(__name__)


class PlatformParts(Protocol):
    """What the mixins read of the platform (read-only, so any narrower type will do)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def mailer(self) -> Mailer: ...

    @property
    def rates(self) -> MarketRates: ...

    @property
    def storage(self) -> Storage: ...

    @property
    def wallets(self) -> EthCustodialWallets: ...

    @property
    def signer(self) -> Ed25519BundleSigner: ...

    @property
    def poai_keys(self) -> tuple[TrustedKey, ...]: ...

    @property
    def signature_checker(self) -> Ed25519SignatureChecker: ...

    @property
    def market(self) -> MarketSettings: ...

    @property
    def chain(self) -> ChainSetup: ...

    @property
    def certificate_issuer(self) -> Issuer: ...

    @property
    def certificate_verifier(self) -> Verifier: ...

    @property
    def notify_outlets(self) -> Outlets: ...

    def uow(self, request_id: str | None = None) -> SqlUnitOfWork: ...


def derive_key(secret: str, purpose: bytes) -> bytes:
    """A separate key per purpose from SECRET_KEY (one leaked use does not expose another)."""
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


class MarketWiring:
    """Orders that expire unpaid, and the payments module's crypto desk and watches."""

    @functools.cached_property
    def crypto_desk(self: PlatformParts) -> CryptoDesk:
        """Deposit keys made and sealed as custodial keys are, ETH at the platform's rate."""
        return CryptoDesk(
            wallets=self.wallets,
            cipher=self.storage.cipher,
            rates=self.rates,
            ttl=timedelta(seconds=self.settings.payments_crypto_ttl_seconds),
            chain_id=self.settings.chain_id,
        )

    def watch_crypto_payments(self: PlatformParts) -> int:
        """Apply pending crypto payments' deposits as of the safe block."""
        return crypto.watch_deposits(
            uow=self.uow(),
            clock=self.clock,
            reader=self.chain.reader,
            confirmations=self.settings.chain_confirmations,
        )

    def flag_overdue_invoices(self: PlatformParts) -> int:
        return invoices.flag_overdue(uow=self.uow(), clock=self.clock)

    def send_test_coins(self: PlatformParts, to: str, wei: int) -> str | None:
        """ETH from a pre-funded account of the embedded chain (its transaction hash); None
        on a real node or in production, where the platform holds no such account."""
        if self.settings.chain_backend != "embedded" or self.settings.app_env == "production":
            return None
        embedded = self.chain.embedded
        assert embedded is not None
        return embedded.send_coins(to, wei)

    def expire_orders(self: PlatformParts) -> int:
        return orders.expire_orders(uow=self.uow(), clock=self.clock, market=self.market)


class RetirementsWiring:
    """Scheduled retirements' reminders and runs."""

    def run_due_schedules(self: PlatformParts) -> int:
        """Remind and run the scheduled retirements that are due now."""
        return schedule_runs.run_due_schedules(
            uow=self.uow(), clock=self.clock, on_error=_schedule_not_handled
        )


class CertificatesWiring:
    """Certificates issued with the platform's key, checked against its records and its
    chain (live), drawn by reportlab."""

    @functools.cached_property
    def certificate_issuer(self: PlatformParts) -> Issuer:
        """The platform key signs certificates as it signs PoAI proofs."""
        base_url = self.settings.public_base_url
        return Issuer(self.signer, self.storage, self.clock, base_url)

    @functools.cached_property
    def certificate_verifier(self: PlatformParts) -> Verifier:
        node = Node(self.chain.reader, decode, self.settings.chain_confirmations)
        keys = Keys(self.poai_keys, self.signature_checker)
        return Verifier(keys, node, self.storage)

    @functools.cached_property
    def certificate_renderer(self) -> CertificateRenderer:
        return ReportlabCertificateRenderer()

    def issue_due_certificates(self: PlatformParts) -> int:
        """Certificates of confirmed retirements past the depth still without one."""
        return issue_due(uow=self.uow(), issuer=self.certificate_issuer, on_error=_not_issued)

    def verify_certificate(self: PlatformParts, certificate_id: str) -> CertificateVerification:
        """An issued certificate's proofs checked now, against the platform's records and
        its chain (what `/verify/<id>` shows); `NotFound` when there is none."""
        return proofs.verify_certificate(
            certificate_id, uow=self.uow(), verifier=self.certificate_verifier
        )

    def verify_document(
        self: PlatformParts, document: Mapping[str, JSON]
    ) -> CertificateVerification:
        """A certificate document someone holds, checked as `verify_certificate` checks."""
        return proofs.verify_document(document, uow=self.uow(), verifier=self.certificate_verifier)


class NotificationsWiring:
    """Where notifications go, and the retries and digests that are due."""

    @functools.cached_property
    def notify_outlets(self: PlatformParts) -> Outlets:
        """The platform's mailer with the branded templates, and the SMS and push webhooks
        that are configured."""
        return Outlets(
            mailer=self.mailer,
            templates=JinjaNotificationTemplates(),
            senders=notification_senders(self.settings),
            public_base_url=self.settings.public_base_url,
            unsubscribe_key=derive_key(self.settings.secret_key, b"unsubscribe-links"),
            digest_hour=self.settings.notify_digest_hour,
        )

    def deliver_notifications(self: PlatformParts) -> int:
        """Retry deliveries whose next attempt is due, then send the digests that are."""
        outlets, uow = self.notify_outlets, self.uow(request_id="notifications")
        tried = notification_jobs.deliver_due(uow=uow, outlets=outlets, clock=self.clock)
        return tried + notification_jobs.send_digests(uow=uow, outlets=outlets, clock=self.clock)


def _not_issued(retirement_id: str, error: Exception) -> None:
    log.warning("certificate of retirement %s not issued: %s", retirement_id, error)


def _schedule_not_handled(schedule_id: str, error: Exception) -> None:
    log.exception("scheduled retirement %s not handled (tried again later)", schedule_id)
