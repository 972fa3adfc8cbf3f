"""A pause of cyclic garbage collection around a bounded batch (an indexer step)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CyclicGcPause:
    """No cyclic garbage collection while a bounded batch runs (an indexer step builds tens
    of thousands of long-lived objects, and the collector rescanning them costs about a
    quarter of the step). Reference counting still frees everything as usual. Nested or
    concurrent pauses end with the last one; collection resumes only if it was on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._resume = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._active == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0 and self._resume:
                    gc.enable()


cyclic_gc_paused = _CyclicGcPause()
