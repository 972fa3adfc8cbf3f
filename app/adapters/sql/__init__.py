"""SQLAlchemy adapters: tables, repositories, the unit of work and read connections."""

from app.adapters.sql.tables import metadata

__all__ = ["metadata"]
