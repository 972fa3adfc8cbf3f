"""`flask` commands: database migrations, serving the embedded platform, operations.

About 320 lines: ten small command groups, each a few lines over one service or the
platform, listed once in `register_cli`."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import replace

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.serving import run_simple

from app.adapters.crypto.ed25519 import Ed25519SignatureChecker
from app.domain.documents.maintenance import rotate_keys
from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import resync
from app.domain.platform.services import verify_audit_chain
from app.domain.poai.verification import TrustedKey, verify_bundle
from app.domain.shared.audit import AuditRecord
from app.http.common.json_limits import MAX_DEPTH, json_depth
from app.main import background, migrations
from app.main.bootstrap import Platform
from app.main.config import Settings
from app.main.embedded_chain import reset_embedded_chain, reset_plan


def _platform() -> Platform:
    platform: Platform = current_app.extensions["platform"]
    return platform


def register_cli(app: Flask) -> None:
    app.cli.add_command(db)
    app.cli.add_command(serve)
    app.cli.add_command(seed)
    app.cli.add_command(audit)
    app.cli.add_command(outbox)
    app.cli.add_command(documents)
    app.cli.add_command(indexer)
    app.cli.add_command(chain)
    app.cli.add_command(credits)
    app.cli.add_command(poai)


@click.group(cls=AppGroup, help="Database migrations (Alembic).")
def db() -> None:
    pass


@db.command("upgrade", help="Migrate the database to REVISION (default: head).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    migrations.upgrade(_platform().settings.database_url, revision)


@db.command("downgrade", help="Migrate the database down to REVISION.")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrations.downgrade(_platform().settings.database_url, revision)


@db.command("check", help="Fail if the migrated database and the models disagree.")
def db_check() -> None:
    diffs = migrations.drift(_platform().db.engine)
    for diff in diffs:
        click.echo(f"drift: {diff}")
    sys.exit(1 if diffs else 0)


@click.command(help="Load demo data (idempotent).")
@with_appcontext
def seed() -> None:
    from app.main.seed import run_seeders

    for line in run_seeders(_platform()):
        click.echo(line)


def served_settings(settings: Settings, host: str, port: int, env: Mapping[str, str]) -> Settings:
    """Without PUBLIC_BASE_URL, the platform's public address is the one being served."""
    if env.get("PUBLIC_BASE_URL"):
        return settings
    shown = f"[{host}]" if ":" in host else host
    return replace(settings, public_base_url=f"http://{shown}:{port}")


def _app_serving(host: str, port: int) -> Flask:
    """This app, or one built again for the served address: the token issuer, the SIWE
    domain, signed links and metadata URIs are all fixed when the platform is built."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = served_settings(_platform().settings, host, port, os.environ)
    if settings == _platform().settings:
        return app
    from app.main.app_factory import create_app  # it imports this module

    _platform().close()  # the embedded chain admits one platform per process
    return create_app(settings)


@click.command(
    help="Serve the platform with its background threads (embedded mode). Without "
    "PUBLIC_BASE_URL, links, tokens and SIWE messages name http://HOST:PORT."
)
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    app = _app_serving(host, port)
    platform: Platform = app.extensions["platform"]
    loops = background.Background(
        platform, embedded_worker=not platform.settings.redis_url, indexer=True
    )
    loops.start()
    click.echo(f"API docs: http://{host}:{port}/api/v1/docs")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        loops.stop()
        if app is not current_app._get_current_object():  # type: ignore[attr-defined]
            platform.close()


@click.group(cls=AppGroup, help="Audit log.")
def audit() -> None:
    pass


@audit.command("verify", help="Recompute the whole hash chain; exit 1 on the first broken link.")
def audit_verify() -> None:
    report = verify_audit_chain(uow=_platform().uow())
    click.echo(f"valid={report.valid} length={report.length} head={report.head_hash}")
    if not report.valid:
        click.echo(f"broken at entry {report.broken_at}: {report.reason}", err=True)
        sys.exit(1)


@click.group(cls=AppGroup, help="The job outbox.")
def outbox() -> None:
    pass


@outbox.command("relay", help="Send every committed, unsent job to the broker once.")
def outbox_relay() -> None:
    total = 0
    while sent := _platform().flush_outbox():
        total += sent
    click.echo(f"sent {total} job(s)")


@click.group(cls=AppGroup, help="Documents.")
def documents() -> None:
    pass


@documents.command(
    "rotate-keys", help="Re-wrap every data key under MASTER_KEY_ID (ciphertexts untouched)."
)
def documents_rotate_keys() -> None:
    platform = _platform()
    storage = platform.storage
    count = rotate_keys(uow=platform.uow(), cipher=storage.cipher, store=storage.store)
    click.echo(
        f"re-wrapped {count} document version(s) under {platform.storage.cipher.active_key_id}"
    )


@click.group(cls=AppGroup, help="The chain indexer.")
def indexer() -> None:
    pass


@indexer.command("run", help="Follow the chain until interrupted.")
def indexer_run() -> None:
    stop = threading.Event()
    click.echo("indexing; Ctrl-C to stop")
    try:
        background.index_forever(_platform(), stop)
    except KeyboardInterrupt:
        stop.set()


@indexer.command("backfill", help="Index blocks FROM..TO now (re-indexing them if needed).")
@click.option("--from", "from_block", type=int, required=True)
@click.option("--to", "to_block", type=int, default=None, help="default: the head")
def indexer_backfill(from_block: int, to_block: int | None) -> None:
    platform = _platform()
    resync(from_block, uow=platform.uow(), project=platform_projector(platform.clock))
    target = to_block if to_block is not None else platform.chain.reader.head()
    events = 0
    with click.progressbar(length=max(1, target - from_block + 1), label="blocks") as bar:
        position = from_block - 1
        while position < target:
            result = platform.index_step()
            if result.halted:
                raise click.ClickException(result.halted)
            if result.to_block < result.from_block:
                break
            bar.update(result.to_block - position)
            position, events = result.to_block, events + result.new_events
    click.echo(f"indexed {events} new event(s) up to block {position}")


@indexer.command("status", help="Checkpoint, head and lag.")
def indexer_status() -> None:
    with _platform().reads() as reads:
        click.echo(json.dumps(reads.ledger.checkpoint(), default=str, indent=2))


@click.group(cls=AppGroup, help="The platform contracts.")
def chain() -> None:
    pass


@chain.command(
    "deploy",
    help="Deploy a new version of the contracts to CHAIN_RPC_URL with OPERATOR_PRIVATE_KEY "
    "and record it: the indexer follows every recorded version over its block range.",
)
def chain_deploy() -> None:
    platform = _platform()
    if platform.settings.chain_backend != "rpc":
        raise click.ClickException("the embedded chain deploys itself; set CHAIN_BACKEND=rpc")
    for contract in platform.deploy_contracts():
        click.echo(f"{contract.name} {contract.address} from block {contract.from_block}")


@chain.command(
    "reset-embedded",
    help="Start over on a new embedded chain: delete the chain file (EMBEDDED_CHAIN_DIR) and "
    "the ledger rows that only existed on it (indexed events and blocks, the indexer "
    "checkpoint, holdings, batches, retirements, projects' chain registrations, signed "
    "chain transactions and nonces). Projects, accounts and the audit log stay. Run it "
    "with the server stopped.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def chain_reset_embedded(yes: bool) -> None:
    platform = _platform()
    settings = platform.settings
    if settings.chain_backend != "embedded":
        raise click.ClickException("CHAIN_BACKEND is not embedded: there is no chain file")
    if not settings.embedded_chain_dir:
        raise click.ClickException("EMBEDDED_CHAIN_DIR=memory: the chain is not kept anyway")
    click.echo("This discards, for good:")
    for line in reset_plan(settings, platform.db.engine):
        click.echo(f"  - {line}")
    if not yes:
        click.confirm("Reset the embedded chain?", abort=True)
    deleted = reset_embedded_chain(settings, platform.db.engine)
    with platform.uow(request_id="cli:chain reset-embedded") as unit:
        unit.audit(
            AuditRecord(
                "chain.embedded_reset", "chain", str(settings.chain_id), None, after=deleted
            )
        )
        unit.commit()
    click.echo(
        f"removed the chain file and {sum(deleted.values())} ledger row(s); the next start "
        "makes a new chain and deploys the contracts"
    )


@click.group(cls=AppGroup, help="The credit ledger.")
def credits() -> None:
    pass


@credits.command("check", help="Check issued = available + reserved + retired for every batch.")
def credits_check() -> None:
    with _platform().reads() as reads:
        problems = reads.ledger.invariant_violations()
    for problem in problems:
        click.echo(f"mismatch: {problem}", err=True)
    click.echo(f"{len(problems)} mismatch(es)")
    sys.exit(1 if problems else 0)


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
        trusted=trusted or _platform().poai_keys,
        checker=Ed25519SignatureChecker(),
    )
    click.echo(json.dumps(result.report(), indent=2))
    sys.exit(0 if result.valid else 1)
