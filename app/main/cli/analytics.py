"""`flask analytics rebuild`: recompute the daily rollups of a range from the raw rows;
`flask analytics refresh`: what the periodic job does (yesterday, today, missing days)."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask.cli import AppGroup

from app.main.cli.context import current_platform
from app.main.wiring_analytics import recompute_analytics, refresh_analytics


@click.group(cls=AppGroup, help="Analytics rollups.")
def analytics() -> None:
    pass


@analytics.command("rebuild", help="Recompute every day's rollups from FROM to TO (included).")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
def rebuild(first: datetime, last: datetime) -> None:
    since, until = first.date(), last.date() + timedelta(days=1)
    done = recompute_analytics(current_platform(), since, until)
    click.echo(f"{done} days recomputed")


@analytics.command("refresh", help="Recompute yesterday, today and any day never summed.")
def refresh() -> None:
    click.echo(f"{refresh_analytics(current_platform())} days recomputed")
