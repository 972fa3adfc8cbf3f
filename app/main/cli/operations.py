"""Operating the platform: database migrations, demo data, the audit chain, the outbox."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from app.domain.platform.services import verify_audit_chain
from app.main import migrations
from app.main.cli.context import current_platform


@click.group(cls=AppGroup, help="Database migrations (Alembic).")
def db() -> None:
    pass


@db.command("upgrade", help="Migrate the database to REVISION (default: head).")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    migrations.upgrade(current_platform().settings.database_url, revision)


@db.command("downgrade", help="Migrate the database down to REVISION.")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrations.downgrade(current_platform().settings.database_url, revision)


@db.command("check", help="Fail if the migrated database and the models disagree.")
def db_check() -> None:
    diffs = migrations.drift(current_platform().db.engine)
    for diff in diffs:
        click.echo(f"drift: {diff}")
    sys.exit(1 if diffs else 0)


@click.command(help="Load demo data (idempotent).")
@with_appcontext
def seed() -> None:
    from app.main.seed import run_seeders

    for line in run_seeders(current_platform()):
        click.echo(line)


@click.group(cls=AppGroup, help="Audit log.")
def audit() -> None:
    pass


@audit.command("verify", help="Recompute the whole hash chain; exit 1 on the first broken link.")
def audit_verify() -> None:
    report = verify_audit_chain(uow=current_platform().uow())
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
    while sent := current_platform().flush_outbox():
        total += sent
    click.echo(f"sent {total} job(s)")
