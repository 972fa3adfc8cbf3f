"""Background threads of one process: the outbox relay and, in the embedded mode, a
Dramatiq worker consuming the in-process broker."""

from __future__ import annotations

import logging
import threading

from app.adapters.tasks.dramatiq_queue import EmbeddedWorker
from app.main.bootstrap import Platform

log = logging.getLogger(__name__)


class Background:
    def __init__(self, platform: Platform, *, embedded_worker: bool, indexer: bool = False) -> None:
        self._platform = platform
        self._stop = threading.Event()
        self._relay = threading.Thread(
            target=platform.relay_forever, args=(self._stop,), name="outbox-relay", daemon=True
        )
        self._worker = EmbeddedWorker(platform.broker) if embedded_worker else None
        self._indexer = (
            threading.Thread(
                target=platform.index_forever, args=(self._stop,), name="indexer", daemon=True
            )
            if indexer
            else None
        )

    def start(self) -> None:
        if self._worker:
            self._worker.start()
            log.info("embedded Dramatiq worker started")
        self._relay.start()
        if self._indexer:
            self._indexer.start()
            log.info("chain indexer started")

    def stop(self) -> None:
        self._stop.set()
        self._relay.join(timeout=10)
        if self._indexer:
            self._indexer.join(timeout=10)
        if self._worker:
            self._worker.stop()
