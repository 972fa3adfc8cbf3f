"""The registries of adapters that settings choose between: for each backend setting, a
small factory per name. `bootstrap` picks from them; a name a registry does not know
refuses to start, listing the names it knows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import dramatiq
import redis

from app.adapters.chain.chain_lock import ChainDirLock
from app.adapters.chain.rpc import GOVERNANCE, REGISTRY
from app.adapters.chain.setup import ChainSetup, rpc_chain, rpc_chain_id
from app.adapters.crypto.envelope import AesGcmEnvelopeCipher, parse_master_keys
from app.adapters.market.feed import LocalFeed, RedisFeed
from app.adapters.notifications.mailers import LogMailer, SmtpMailer, SmtpProbe
from app.adapters.notifications.webhooks import WebhookSender
from app.adapters.payments.delivery import HttpTransport, WsgiTransport
from app.adapters.payments.sandbox import WEBHOOK_PATH, SandboxGateway, WebhookTransport
from app.adapters.payments.stripe_gateway import StripeGateway
from app.adapters.rates.file import FileRates
from app.adapters.rates.static import BUILTIN_NATIVE, StaticRates
from app.adapters.redis.revocation import RedisRevocationList
from app.adapters.sql.contract_registry import SqlContractRegistry
from app.adapters.sql.database import Database
from app.adapters.sql.revocation import SqlRevocationList
from app.adapters.storage.ipfs import IpfsBlobStore, IpfsProbe
from app.adapters.storage.local import LocalBlobStore
from app.adapters.storage.s3 import S3BlobStore, S3Probe
from app.adapters.tasks.dramatiq_queue import redis_broker, stub_broker
from app.domain.notifications.model import Channel
from app.domain.payments.signature import parse_secrets
from app.main.config import ConfigError, Settings
from app.main.embedded_chain import open_embedded_chain
from app.ports.clock import Clock
from app.ports.health import HealthProbe
from app.ports.market_feed import MarketFeed
from app.ports.notifier import ChannelSender, Mailer
from app.ports.payment_gateway import PaymentGateway
from app.ports.rates import MarketRates
from app.ports.repositories.payments import SandboxUoW
from app.ports.revocation import RevocationList
from app.ports.storage import BlobStore

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

T = TypeVar("T")


@dataclass(frozen=True)
class Built(Generic[T]):
    """An adapter, and the readiness probes of the service it talks to."""

    adapter: T
    probes: tuple[HealthProbe, ...] = ()


def pick(registry: Mapping[str, T], setting: str, name: str) -> T:
    """The entry named `name`; an unknown name is a ConfigError naming the known ones."""
    if name not in registry:
        *others, last = registry
        known = f"{', '.join(others)} or {last}" if others else last
        raise ConfigError(f"refusing to start: {setting} must be {known}")
    return registry[name]


# STORAGE_BACKEND: where the encrypted documents go.


def _local_storage(settings: Settings) -> Built[BlobStore]:
    return Built(LocalBlobStore(Path(settings.storage_dir)))


def _s3_storage(settings: Settings) -> Built[BlobStore]:
    bucket, endpoint, region = settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region
    return Built(
        S3BlobStore(bucket, endpoint_url=endpoint, region=region),
        (S3Probe(bucket, endpoint_url=endpoint, region=region),),
    )


def _ipfs_storage(settings: Settings) -> Built[BlobStore]:
    return Built(IpfsBlobStore(settings.ipfs_api_url), (IpfsProbe(settings.ipfs_api_url),))


STORAGE_BACKENDS: Mapping[str, Callable[[Settings], Built[BlobStore]]] = {
    "local": _local_storage,
    "s3": _s3_storage,
    "ipfs": _ipfs_storage,
}

# CHAIN_BACKEND: the chain the ledger is written to, opened on first use.
ChainFactory = Callable[[Settings, SqlContractRegistry, ChainDirLock | None], ChainSetup]


def _embedded_chain(
    settings: Settings, _contracts: SqlContractRegistry, lock: ChainDirLock | None
) -> ChainSetup:
    return open_embedded_chain(settings, lock)


def _rpc_chain(
    settings: Settings, contracts: SqlContractRegistry, _lock: ChainDirLock | None
) -> ChainSetup:
    """The configured contract addresses, else the last deployment recorded (`flask chain
    deploy`), else contracts deployed now."""
    url = str(settings.chain_rpc_url)
    registry, governance = settings.chain_registry_address, settings.chain_governance_address
    start = settings.chain_start_block
    if not (registry and governance):
        recorded = _recorded_deployment(url, contracts)
        if recorded:
            registry, governance, start = recorded
    chain = rpc_chain(url, str(settings.operator_private_key), registry, governance, start)
    if not settings.chain_governance_address:  # a configured address is the operator's call
        upgraded = chain.upgrade_governance()
        if upgraded is not None:
            contracts.record([upgraded], chain.reader.chain_id())
    return chain


def _recorded_deployment(url: str, contracts: SqlContractRegistry) -> tuple[str, str, int] | None:
    chain_id = rpc_chain_id(url)
    registry = contracts.current(chain_id, REGISTRY)
    governance = contracts.current(chain_id, GOVERNANCE)
    if registry is None or governance is None:
        return None
    return registry.address, governance.address, min(registry.from_block, governance.from_block)


CHAIN_BACKENDS: Mapping[str, ChainFactory] = {"embedded": _embedded_chain, "rpc": _rpc_chain}


# Mail: `smtp` when SMTP_HOST is set, else `log` (emails are written to the log).
def mail_backend(settings: Settings) -> str:
    return "smtp" if settings.smtp_host else "log"


def _log_mailer(_settings: Settings) -> Built[Mailer]:
    return Built(LogMailer())


def _smtp_mailer(settings: Settings) -> Built[Mailer]:
    host, port = str(settings.smtp_host), settings.smtp_port
    mailer = SmtpMailer(
        host,
        port,
        settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
    return Built(mailer, (SmtpProbe(host, port),))


MAIL_BACKENDS: Mapping[str, Callable[[Settings], Built[Mailer]]] = {
    "log": _log_mailer,
    "smtp": _smtp_mailer,
}


def notification_senders(settings: Settings) -> dict[Channel, ChannelSender]:
    """SMS and push webhooks, each only when its URL is set."""
    hooks = {
        Channel.SMS: (settings.notify_sms_webhook_url, settings.notify_sms_webhook_secret),
        Channel.PUSH: (settings.notify_push_webhook_url, settings.notify_push_webhook_secret),
    }
    return {channel: WebhookSender(url, secret) for channel, (url, secret) in hooks.items() if url}


# The broker and the revoked tokens: `redis` when REDIS_URL is set, shared by every
# process; else `local`, an in-process broker and revocations kept in the database.
def shared_state_backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "local"


def _local_broker(_settings: Settings) -> dramatiq.Broker:
    return stub_broker()


def _redis_broker(settings: Settings) -> dramatiq.Broker:
    return redis_broker(str(settings.redis_url), namespace=settings.dramatiq_namespace)


BROKER_BACKENDS: Mapping[str, Callable[[Settings], dramatiq.Broker]] = {
    "local": _local_broker,
    "redis": _redis_broker,
}


def _sql_revocations(_settings: Settings, db: Database) -> RevocationList:
    return SqlRevocationList(db)


def _redis_revocations(settings: Settings, _db: Database) -> RevocationList:
    client = redis.Redis.from_url(str(settings.redis_url))
    return RedisRevocationList(client, namespace=settings.dramatiq_namespace)


REVOCATION_BACKENDS: Mapping[str, Callable[[Settings, Database], RevocationList]] = {
    "local": _sql_revocations,
    "redis": _redis_revocations,
}


FEED_BACKENDS: Mapping[str, Callable[[Settings], MarketFeed]] = {
    "local": lambda _settings: LocalFeed(),
    "redis": lambda settings: RedisFeed(str(settings.redis_url)),
}


def exchange_rates(settings: Settings) -> MarketRates:
    """The daily reference-rate file when FX_RATES_FILE names one, else the built-in table;
    ETH at FX_ETH_EUR euros when set, else the built-in demo price."""
    native = (
        BUILTIN_NATIVE if settings.fx_eth_eur is None else {"ETH": Decimal(settings.fx_eth_eur)}
    )
    if settings.fx_rates_file:
        return FileRates(settings.fx_rates_file, native)
    return StaticRates(native=native)


# PAYMENTS_BACKEND: the payment provider. `sandbox` (the default) is embedded: it keeps
# its state in the database and posts its signed events to PAYMENTS_SANDBOX_WEBHOOK_URL,
# or through this process's own application when that is not set.
@dataclass(frozen=True)
class PaymentWiring:
    uow: Callable[[], SandboxUoW]
    clock: Clock
    own_app: Callable[[], WSGIApplication]


def _sandbox_payments(settings: Settings, wiring: PaymentWiring) -> PaymentGateway:
    url = settings.payments_sandbox_webhook_url

    def transport() -> WebhookTransport:
        if url:
            return HttpTransport(url)
        return WsgiTransport(wiring.own_app, WEBHOOK_PATH)

    return SandboxGateway(
        wiring.uow,
        secrets=parse_secrets(settings.payments_sandbox_webhook_secret),
        public_base_url=settings.public_base_url,
        clock=wiring.clock,
        transport=transport,
    )


def _stripe_payments(settings: Settings, _wiring: PaymentWiring) -> PaymentGateway:
    return StripeGateway(
        api_key=str(settings.stripe_api_key),
        webhook_secrets=parse_secrets(settings.stripe_webhook_secrets),
        return_url=settings.payments_return_url or settings.public_base_url,
        api_base=settings.stripe_api_base,
        timeout_seconds=settings.stripe_timeout_seconds,
    )


PaymentFactory = Callable[[Settings, PaymentWiring], PaymentGateway]
PAYMENT_BACKENDS: Mapping[str, PaymentFactory] = {
    "sandbox": _sandbox_payments,
    "stripe": _stripe_payments,
}


def envelope_cipher(settings: Settings) -> AesGcmEnvelopeCipher:
    keys = parse_master_keys(settings.master_keys)
    active = settings.master_key_id or next(iter(keys))
    if active not in keys:
        raise ConfigError(f"MASTER_KEY_ID {active!r} is not in MASTER_KEYS")
    return AesGcmEnvelopeCipher(keys, active)
