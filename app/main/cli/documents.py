"""Documents at rest: re-wrapping their data keys under the active master key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.domain.documents.maintenance import rotate_keys
from app.main.cli.context import current_platform


@click.group(cls=AppGroup, help="Documents.")
def documents() -> None:
    pass


@documents.command(
    "rotate-keys", help="Re-wrap every data key under MASTER_KEY_ID (ciphertexts untouched)."
)
def documents_rotate_keys() -> None:
    platform = current_platform()
    storage = platform.storage
    count = rotate_keys(uow=platform.uow(), cipher=storage.cipher, store=storage.store)
    click.echo(
        f"re-wrapped {count} document version(s) under {platform.storage.cipher.active_key_id}"
    )
