"""SQLAlchemy adapters: tables, repositories, the unit of work and read connections."""

from app.adapters.sql import tables_auth, tables_chain, tables_projects  # register tables
from app.adapters.sql.tables import metadata

__all__ = ["metadata", "tables_auth", "tables_chain", "tables_projects"]
