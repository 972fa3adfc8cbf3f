"""Background work of one process: the outbox relay loop, the expiry of unpaid orders,
the watch over crypto deposits and overdue invoices, the certificates sweep, scheduled
retirements' reminders and runs, notification retries and digests, the indexer loop
and, in the embedded mode, a Dramatiq worker consuming the in-process broker.

`flask serve` runs them in threads through `Background`; a Dramatiq worker process
(`app.main.worker`) runs the relay the same way and ticks the indexer and the order
expiry as periodic actors; `flask indexer run` runs `index_forever` in the foreground."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.main.platform import Platform
from app.main.wiring_analytics import refresh_analytics_forever
from app.main.wiring_governance import close_proposals_forever

log = logging.getLogger(__name__)

Loop = Callable[[Platform, threading.Event], None]


def relay_forever(platform: Platform, stop: threading.Event) -> None:
    """The periodic relay: picks up jobs whose immediate send did not happen."""
    while not stop.is_set():
        while platform.flush_outbox() > 0 and not stop.is_set():
            pass
        stop.wait(platform.settings.outbox_poll_seconds)


def index_forever(platform: Platform, stop: threading.Event) -> None:
    """The indexer loop: catch up quickly, then poll."""
    poll = platform.settings.indexer_poll_seconds
    while not stop.is_set():
        try:
            result = platform.index_step()
        except Exception:
            log.exception("indexer step failed; retrying")
            stop.wait(poll)
            continue
        if result.halted or result.to_block < result.from_block:
            stop.wait(poll)


def expire_unpaid_orders(platform: Platform, stop: threading.Event | None = None) -> None:
    """Unpaid orders past their expiry end and give their reservation back, batch after
    batch until none is left (safe in several processes at once: each order is locked and
    checked again). What the worker's periodic actor `market.expire_orders` does."""
    while platform.expire_orders() > 0 and not (stop and stop.is_set()):
        pass


def expire_orders_forever(platform: Platform, stop: threading.Event) -> None:
    """`expire_unpaid_orders` every `MARKET_EXPIRY_POLL_SECONDS` (`flask serve`)."""
    while not stop.is_set():
        try:
            expire_unpaid_orders(platform, stop)
        except Exception:
            log.exception("expiring unpaid orders failed; retrying")
        stop.wait(platform.settings.market_expiry_poll_seconds)


def watch_payments_forever(platform: Platform, stop: threading.Event) -> None:
    """Pending crypto payments' deposit addresses read at the safe block, and invoices past
    their due date flagged, every PAYMENTS_CRYPTO_POLL_SECONDS (safe in several processes:
    each payment and invoice is locked and checked again)."""
    while not stop.is_set():
        for work, what in (
            (platform.watch_crypto_payments, "watching crypto deposits"),
            (platform.flag_overdue_invoices, "flagging overdue invoices"),
        ):
            try:
                work()
            except Exception:
                log.exception("%s failed; retrying", what)
        stop.wait(platform.settings.payments_crypto_poll_seconds)


def issue_certificates_forever(platform: Platform, stop: threading.Event) -> None:
    """Certificates of confirmed retirements past the confirmation depth that have none,
    every CERTIFICATES_POLL_SECONDS: the `certificates.issue` job issues them as soon as
    the indexer confirms; this catches those whose block was not deep enough yet (safe in
    several processes: each retirement is locked and has one certificate)."""
    while not stop.is_set():
        try:
            while platform.issue_due_certificates() > 0 and not stop.is_set():
                pass
        except Exception:
            log.exception("issuing certificates failed; retrying")
        stop.wait(platform.settings.certificates_poll_seconds)


def run_schedules_forever(platform: Platform, stop: threading.Event) -> None:
    """Scheduled retirements whose reminder or run is due, every SCHEDULES_POLL_SECONDS
    (safe in several processes: each schedule is locked and checked again, and runs once).
    The worker's `retirements.run_schedules`."""
    while not stop.is_set():
        try:
            while platform.run_due_schedules() > 0 and not stop.is_set():
                pass
        except Exception:
            log.exception("running scheduled retirements failed; retrying")
        stop.wait(platform.settings.schedules_poll_seconds)


def notify_forever(platform: Platform, stop: threading.Event) -> None:
    """Deliveries whose retry is due, and the daily digests whose hour came, every
    NOTIFY_POLL_SECONDS (safe in several processes: each delivery is locked and checked
    again, a digest is unique per user and day). The worker's `notifications.deliver_due`."""
    while not stop.is_set():
        try:
            platform.deliver_notifications()
        except Exception:
            log.exception("delivering notifications failed; retrying")
        stop.wait(platform.settings.notify_poll_seconds)


class Background:
    """The relay thread, and unless periodic actors do them the order-expiry and
    payments-watch threads, and on request the indexer thread and the embedded worker,
    started and stopped together."""

    def __init__(
        self,
        platform: Platform,
        *,
        embedded_worker: bool,
        indexer: bool = False,
        expiry: bool = True,
        watch_crypto: bool = True,
        certificates: bool = True,
        notifications: bool = True,
        schedules: bool = True,
        governance: bool = True,
        analytics: bool = True,
    ) -> None:
        self._stop = threading.Event()
        self._relay = self._thread(relay_forever, platform, "outbox-relay")
        self._expiry = (
            self._thread(expire_orders_forever, platform, "order-expiry") if expiry else None
        )
        self._crypto = (
            self._thread(watch_payments_forever, platform, "payments-watch")
            if watch_crypto
            else None
        )
        self._indexer = self._thread(index_forever, platform, "indexer") if indexer else None
        self._certificates = (
            self._thread(issue_certificates_forever, platform, "certificates")
            if certificates
            else None
        )
        self._notify = (
            self._thread(notify_forever, platform, "notifications") if notifications else None
        )
        self._schedules = (
            self._thread(run_schedules_forever, platform, "schedules") if schedules else None
        )
        self._governance = (
            self._thread(close_proposals_forever, platform, "governance") if governance else None
        )
        self._analytics = (
            self._thread(refresh_analytics_forever, platform, "analytics") if analytics else None
        )
        self._worker = EmbeddedWorker(platform.broker) if embedded_worker else None

    def _thread(self, loop: Loop, platform: Platform, name: str) -> threading.Thread:
        return threading.Thread(target=loop, args=(platform, self._stop), name=name, daemon=True)

    def start(self) -> None:
        if self._worker:
            self._worker.start()
            log.info("embedded Dramatiq worker started")
        self._relay.start()
        if self._expiry:
            self._expiry.start()
        if self._crypto:
            self._crypto.start()
        if self._notify:
            self._notify.start()
        if self._indexer:
            self._indexer.start()
            log.info("chain indexer started")
        if self._certificates:
            self._certificates.start()
        if self._schedules:
            self._schedules.start()
        if self._governance:
            self._governance.start()
        if self._analytics:
            self._analytics.start()

    def stop(self) -> None:
        self._stop.set()
        self._relay.join(timeout=10)
        if self._expiry:
            self._expiry.join(timeout=10)
        if self._crypto:
            self._crypto.join(timeout=10)
        if self._notify:
            self._notify.join(timeout=10)
        if self._indexer:
            self._indexer.join(timeout=10)
        if self._certificates:
            self._certificates.join(timeout=10)
        if self._schedules:
            self._schedules.join(timeout=10)
        if self._governance:
            self._governance.join(timeout=10)
        if self._analytics:
            self._analytics.join(timeout=10)
        if self._worker:
            self._worker.stop()
