"""Alembic environment: the metadata comes from `app.adapters.sql`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.adapters.sql import metadata
from app.adapters.sql.schema_filter import include_object


def run_migrations() -> None:
    config = context.config
    connectable = config.attributes.get("connection") or engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
