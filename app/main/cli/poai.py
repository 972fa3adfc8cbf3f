"""Proof-of-Asset-Integrity: checking a proof bundle offline."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.adapters.crypto.ed25519 import Ed25519SignatureChecker
from app.domain.poai.verification import TrustedKey, verify_bundle
from app.http.common.json_limits import MAX_DEPTH, json_depth
from app.main.cli.context import current_platform


@click.group(cls=AppGroup, help="Proof-of-Asset-Integrity.")
def poai() -> None:
    pass


_PROOF_CLAIMS = ("signature", "public_key", "key_id", "algorithm", "hashes")


@poai.command(
    "verify",
    help="Check a proof bundle file offline (no database): its hashes, its signature, and "
    "that a platform key (from this configuration) signed it. Exit 0 only when valid.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    help="trust this base64 Ed25519 key instead of the configured platform keys (say, one "
    "listed by GET /api/v1/poai/keys); repeatable. The report marks it trusted_as explicit.",
)
def poai_verify(path: str, public_keys: tuple[str, ...]) -> None:
    """FILE is what GET /poai/cases/{id}/proof returns, or a bare bundle."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        if json_depth(raw) > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        document = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    signed = isinstance(document, dict) and "bundle" in document
    claims = {name: document.get(name) if signed else None for name in _PROOF_CLAIMS}
    trusted = [TrustedKey(None, key, trusted_as="explicit") for key in public_keys]
    result = verify_bundle(
        document["bundle"] if signed else document,
        **claims,
        trusted=trusted or current_platform().poai_keys,
        checker=Ed25519SignatureChecker(),
    )
    click.echo(json.dumps(result.report(), indent=2))
    sys.exit(0 if result.valid else 1)
