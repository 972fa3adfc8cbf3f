"""`flask` commands: database migrations, serving the embedded platform, operations.

Small command groups, each a few lines over one service or the platform, in a module per
concern and listed once in `register_cli`."""

from __future__ import annotations

from flask import Flask

from app.main.cli import (
    analytics,
    certificates,
    chain,
    documents,
    operations,
    payments,
    poai,
    serving,
)


def register_cli(app: Flask) -> None:
    app.cli.add_command(operations.db)
    app.cli.add_command(serving.serve)
    app.cli.add_command(operations.seed)
    app.cli.add_command(operations.audit)
    app.cli.add_command(operations.outbox)
    app.cli.add_command(documents.documents)
    app.cli.add_command(chain.indexer)
    app.cli.add_command(chain.chain)
    app.cli.add_command(chain.credits)
    app.cli.add_command(poai.poai)
    app.cli.add_command(payments.payments)
    app.cli.add_command(certificates.certificates)
    app.cli.add_command(analytics.analytics)
