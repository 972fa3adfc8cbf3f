"""The chain side: the indexer, the platform contracts, the credit ledger's invariant."""

from __future__ import annotations

import json
import sys
import threading

import click
from flask.cli import AppGroup

from app.domain.indexer.projection import platform_projector
from app.domain.indexer.services import resync
from app.domain.shared.audit import AuditRecord
from app.main import background
from app.main.cli.context import current_platform
from app.main.embedded_chain import reset_embedded_chain, reset_plan


@click.group(cls=AppGroup, help="The chain indexer.")
def indexer() -> None:
    pass


@indexer.command("run", help="Follow the chain until interrupted.")
def indexer_run() -> None:
    stop = threading.Event()
    click.echo("indexing; Ctrl-C to stop")
    try:
        background.index_forever(current_platform(), stop)
    except KeyboardInterrupt:
        stop.set()


@indexer.command("backfill", help="Index blocks FROM..TO now (re-indexing them if needed).")
@click.option("--from", "from_block", type=int, required=True)
@click.option("--to", "to_block", type=int, default=None, help="default: the head")
def indexer_backfill(from_block: int, to_block: int | None) -> None:
    platform = current_platform()
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
    with current_platform().reads() as reads:
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
    platform = current_platform()
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
    platform = current_platform()
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
    with current_platform().reads() as reads:
        problems = reads.ledger.invariant_violations()
    for problem in problems:
        click.echo(f"mismatch: {problem}", err=True)
    click.echo(f"{len(problems)} mismatch(es)")
    sys.exit(1 if problems else 0)
