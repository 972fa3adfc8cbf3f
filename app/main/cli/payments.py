"""Payments: importing a bank statement to match pending bank transfers."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

import click
from flask.cli import AppGroup

from app.domain.payments.statement import parse_statement
from app.domain.payments.transfers import import_statement
from app.domain.shared.errors import DomainError
from app.main.cli.context import current_platform


@click.group(cls=AppGroup, help="Payments.")
def payments() -> None:
    pass


@payments.command(
    "import-statement",
    help="Match a bank statement CSV (reference, amount, currency columns) against pending "
    "bank transfers: a line with a payment's reference and exact amount pays it. Prints one "
    "JSON line per statement line, then the counts; exit 1 when a line did not match.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_statement_command(path: str) -> None:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = parse_statement(handle.read())
    except (OSError, UnicodeDecodeError, DomainError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    platform = current_platform()
    results = import_statement(lines, uow=platform.uow(), clock=platform.clock)
    for result in results:
        click.echo(json.dumps(asdict(result)))
    counts = Counter(result.outcome for result in results)
    click.echo(json.dumps(dict(sorted(counts.items()))))
    raise SystemExit(0 if set(counts) <= {"matched", "already_paid"} else 1)
