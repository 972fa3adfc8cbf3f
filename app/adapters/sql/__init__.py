"""SQLAlchemy adapters: tables, repositories, the unit of work and read connections."""

from app.adapters.sql import (  # register their tables
    tables_analytics,
    tables_auth,
    tables_certificates,
    tables_chain,
    tables_chain_writes,
    tables_documents,
    tables_governance,
    tables_idempotency,
    tables_marketplace,
    tables_notifications,
    tables_payments,
    tables_poai,
    tables_projects,
    tables_reports,
    tables_schedules,
)
from app.adapters.sql.tables import metadata

__all__ = [
    "metadata",
    "tables_analytics",
    "tables_auth",
    "tables_certificates",
    "tables_chain",
    "tables_chain_writes",
    "tables_documents",
    "tables_governance",
    "tables_idempotency",
    "tables_marketplace",
    "tables_notifications",
    "tables_payments",
    "tables_poai",
    "tables_projects",
    "tables_reports",
    "tables_schedules",
]
