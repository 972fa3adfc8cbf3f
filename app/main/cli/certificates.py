"""`flask certificates verify FILE.json`: check a certificate document anyone holds."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from web3 import Web3

from app.adapters.chain.rpc import Web3ChainReader
from app.adapters.chain.setup import decode
from app.adapters.crypto.ed25519 import Ed25519SignatureChecker
from app.domain.certificates.checks import Keys, Node
from app.domain.certificates.proofs import Verifier, verify_document
from app.domain.poai.verification import TrustedKey
from app.http.common.json_limits import MAX_DEPTH, json_depth
from app.main.cli.context import current_platform


@click.group(cls=AppGroup, help="Retirement certificates.")
def certificates() -> None:
    pass


@certificates.command(
    "verify",
    help="Check a certificate file (the JSON of GET /certificates/{id} or of "
    "GET /public/certificates/{id}): offline its signature, its PoAI bundle hash and "
    "signature, and its serial arithmetic; with --rpc-url also its CreditsRetired log on "
    "that node. Prints each check; exit 0 only when every one holds.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--rpc-url", default=None, help="a JSON-RPC node to read the retirement's log from")
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    help="trust this base64 Ed25519 key instead of the configured platform keys; repeatable",
)
def certificates_verify(path: str, rpc_url: str | None, public_keys: tuple[str, ...]) -> None:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        if json_depth(raw) > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        document = json.loads(raw)
    except (OSError, ValueError) as exc:
        click.echo(f"cannot read {path}: {exc}", err=True)
        sys.exit(1)
    if isinstance(document, dict) and isinstance(document.get("certificate"), dict):
        document = document["certificate"]  # a saved GET /public/certificates/{id} answer
    if not isinstance(document, dict):
        click.echo(f"{path} is not a certificate document", err=True)
        sys.exit(1)
    platform = current_platform()
    trusted = [TrustedKey(None, key, trusted_as="explicit") for key in public_keys]
    keys = Keys(trusted or platform.poai_keys, Ed25519SignatureChecker())
    node = None
    if rpc_url:
        reader = Web3ChainReader(Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30})))
        node = Node(reader, decode, platform.settings.chain_confirmations)
    result = verify_document(document, verifier=Verifier(keys, node))
    for proof, check in result.checks.items():
        click.echo(f"{proof}: {'valid' if check.valid else 'INVALID'} - {check.detail}")
    click.echo("certificate valid" if result.valid else "certificate NOT valid")
    sys.exit(0 if result.valid else 1)
