"""Worker entry point: `dramatiq app.main.worker` (needs `REDIS_URL`).

Each worker process also runs the outbox relay, so jobs committed by a web process
that died before sending them are still delivered."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from app.adapters.tasks.dramatiq_queue import declare_periodic_actor
from app.http.common.json_limits import cap_recursion_limit
from app.main.background import Background, expire_unpaid_orders
from app.main.bootstrap import bootstrap
from app.main.config import ConfigError, Settings
from app.main.logging import configure_logging
from app.main.platform import Platform
from app.main.wiring_analytics import REFRESH_SECONDS, refresh_analytics
from app.main.wiring_governance import CLOSE_POLL_SECONDS


class OutboxRelayMiddleware(Middleware):
    def __init__(self, platform: Platform, on_boot: list[Any]) -> None:
        # the relay only: the periodic actors below index, expire orders, watch crypto
        # deposits, flag overdue invoices and deliver notifications
        self._background = Background(
            platform,
            embedded_worker=False,
            expiry=False,
            watch_crypto=False,
            certificates=False,
            notifications=False,
            schedules=False,
            governance=False,
            analytics=False,
        )
        self._on_boot = on_boot

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._background.start()
        for actor in self._on_boot:
            actor.send()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._background.stop()


settings = Settings.from_env()
if not settings.redis_url:
    raise ConfigError("dramatiq workers need REDIS_URL; the embedded mode runs one in-process")
configure_logging(settings.log_format, settings.log_level)
platform = bootstrap(settings)
cap_recursion_limit()  # after the imports that raise it (py_ecc): see json_limits
broker = platform.broker
indexer_tick = declare_periodic_actor(
    broker, "indexer.tick", platform.index_step, settings.indexer_poll_seconds
)
expiry_tick = declare_periodic_actor(
    broker,
    "market.expire_orders",
    lambda: expire_unpaid_orders(platform),
    settings.market_expiry_poll_seconds,
)
crypto_tick = declare_periodic_actor(
    broker,
    "payments.watch_crypto",
    platform.watch_crypto_payments,
    settings.payments_crypto_poll_seconds,
)
overdue_tick = declare_periodic_actor(
    broker, "payments.flag_overdue", platform.flag_overdue_invoices, 300
)
certificates_tick = declare_periodic_actor(
    broker,
    "certificates.issue_due",
    platform.issue_due_certificates,
    settings.certificates_poll_seconds,
)
notify_tick = declare_periodic_actor(
    broker,
    "notifications.deliver_due",
    platform.deliver_notifications,
    settings.notify_poll_seconds,
)
schedules_tick = declare_periodic_actor(
    broker,
    "retirements.run_schedules",
    platform.run_due_schedules,
    settings.schedules_poll_seconds,
)
governance_tick = declare_periodic_actor(
    broker, "governance.close_due", platform.close_proposals, CLOSE_POLL_SECONDS
)
analytics_tick = declare_periodic_actor(
    broker, "analytics.refresh", lambda: refresh_analytics(platform), REFRESH_SECONDS
)
periodic = [
    governance_tick,
    indexer_tick,
    expiry_tick,
    crypto_tick,
    overdue_tick,
    certificates_tick,
    notify_tick,
    schedules_tick,
    analytics_tick,
]
broker.add_middleware(OutboxRelayMiddleware(platform, periodic))
dramatiq.set_broker(broker)
