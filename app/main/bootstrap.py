"""The composition root: reads settings, picks each adapter, builds the `Platform`.

Nothing else constructs adapters; those a setting chooses between are picked from the
registries in `app.main.backends`. HTTP views reach the platform through
`app.http.common.deps`; workers get it from `app.main.worker`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dramatiq

from app.adapters.sql.database import Database, DatabaseProbe
from app.adapters.tasks.dramatiq_queue import BrokerProbe
from app.domain.platform.jobs import JobHandler
from app.main.backends import (
    BROKER_BACKENDS,
    CHAIN_BACKENDS,
    FEED_BACKENDS,
    MAIL_BACKENDS,
    PAYMENT_BACKENDS,
    REVOCATION_BACKENDS,
    STORAGE_BACKENDS,
    exchange_rates,
    mail_backend,
    pick,
    shared_state_backend,
)
from app.main.config import Settings
from app.main.embedded_chain import EmbeddedChainProbe, claim_embedded_chain
from app.main.platform import Platform
from app.workers import EVENT_SUBSCRIPTIONS, JobsUoW, job_handlers


def bootstrap(
    settings: Settings,
    *,
    handlers: Mapping[str, JobHandler[JobsUoW]] | None = None,
    subscriptions: Mapping[str, Sequence[str]] | None = None,
    broker_factory: Callable[[Settings], dramatiq.Broker] | None = None,
) -> Platform:
    settings.validate()
    storage = pick(STORAGE_BACKENDS, "STORAGE_BACKEND", settings.storage_backend)
    open_chain = pick(CHAIN_BACKENDS, "CHAIN_BACKEND", settings.chain_backend)
    payments = pick(PAYMENT_BACKENDS, "PAYMENTS_BACKEND", settings.payments_backend)
    shared = shared_state_backend(settings)
    chain_lock = claim_embedded_chain(settings)
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    broker = (broker_factory or BROKER_BACKENDS[shared])(settings)
    mail = MAIL_BACKENDS[mail_backend(settings)](settings)
    store = storage(settings)
    platform = Platform(
        settings=settings,
        db=db,
        broker=broker,
        mailer=mail.adapter,
        revocations=REVOCATION_BACKENDS[shared](settings, db),
        blob_store=store.adapter,
        open_chain=open_chain,
        make_payment_gateway=payments,
        market_feed=FEED_BACKENDS[shared](settings),
        rates=exchange_rates(settings),
        chain_lock=chain_lock,
        subscriptions={
            **EVENT_SUBSCRIPTIONS,
            **{k: list(v) for k, v in (subscriptions or {}).items()},
        },
    )
    platform.handlers = {**job_handlers(platform), **(handlers or {})}
    platform.probes = [DatabaseProbe(db), BrokerProbe(broker), *store.probes]
    if settings.chain_backend == "embedded":
        platform.probes.append(EmbeddedChainProbe(platform.chain_problem))
    platform.probes += mail.probes
    platform.declare_actors()
    return platform
