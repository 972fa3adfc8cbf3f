"""The one door from views to the composition root's adapters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g


def platform() -> Any:
    """The `Platform` built by `app.main.bootstrap` for this app."""
    return current_app.extensions["platform"]


def uow() -> Any:
    """A new unit of work carrying this request's id into the audit log."""
    return platform().uow(request_id=g.get("request_id"))


@contextmanager
def read() -> Iterator[Any]:
    """Read-side repositories on an autocommit connection (no transaction to pay for)."""
    with platform().reads() as reads:
        yield reads
