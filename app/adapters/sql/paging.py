"""One page of a query and how many rows the whole query has: what list reads return
as `(rows, total)`, so that no list stops at a fixed number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session


def page_of(
    db: Connection | Session, query: sa.Select[Any], offset: int, limit: int
) -> tuple[Sequence[Row[Any]], int]:
    """`query` must be ordered (a page is only a page of a stable order)."""
    counted = query.order_by(None).subquery()
    total = db.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one()
    rows = db.execute(query.offset(offset).limit(limit)).all() if offset < total else []
    return rows, total
