"""Project search: PostgreSQL full-text (a stored, weighted `tsvector` with a GIN index)
or SQLite FTS5, with the same filters, sorts and visibility rules.

Ranking all matches of a common word is what makes full-text search slow, so a ranked
search ranks a capped candidate set: the first `CANDIDATES` matches by recency."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.adapters.sql.project_repositories import project_from_row
from app.adapters.sql.tables_projects import project_vintages, projects
from app.domain.projects.access import REVIEW_STATUSES
from app.domain.projects.model import PUBLIC_STATUSES, Project
from app.ports.repositories.projects import ProjectQuery

CANDIDATES = 2000
COUNT_CAP = 10_000
SORTS = {
    "name": (projects.c.name.asc(), projects.c.id.asc()),
    "-name": (projects.c.name.desc(), projects.c.id.desc()),
    "created": (projects.c.created_at.asc(), projects.c.id.asc()),
    "-created": (projects.c.created_at.desc(), projects.c.id.desc()),
    "vintage": (projects.c.first_vintage.asc(), projects.c.id.asc()),
    "-vintage": (projects.c.first_vintage.desc(), projects.c.id.desc()),
}
WORD = re.compile(r"\w+", re.UNICODE)


def _filters(q: ProjectQuery) -> list[sa.ColumnElement[bool]]:
    c = projects.c
    where: list[sa.ColumnElement[bool]] = []
    for column, value in [
        (c.type, q.type),
        (c.country, q.country),
        (c.status, q.status),
        (c.standard, q.standard),
        (c.organization_id, q.organization_id),
    ]:
        if value is not None:
            where.append(column == value)
    if q.vintage is not None:
        where.append(
            sa.exists().where(
                (project_vintages.c.project_id == c.id) & (project_vintages.c.year == q.vintage)
            )
        )
    if not q.see_all:
        visible = [c.status.in_([s.value for s in PUBLIC_STATUSES])]
        if q.orgs:
            visible.append(c.organization_id.in_(q.orgs))
        if q.review_states:
            visible.append(c.status.in_([s.value for s in REVIEW_STATUSES]))
        where.append(sa.or_(*visible))
    return where


class SqlProjectSearch:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pg = conn.dialect.name == "postgresql"

    def search(self, query: ProjectQuery, offset: int, limit: int) -> tuple[list[Project], int]:
        where = _filters(query)
        terms = WORD.findall(query.text or "")
        if not terms:
            return self._plain(query, where, offset, limit)
        return self._ranked(query, terms, where, offset, limit)

    def _plain(
        self, query: ProjectQuery, where: list[Any], offset: int, limit: int
    ) -> tuple[list[Project], int]:
        # Counting every match of a broad filter costs more than the page itself: count up
        # to a cap, like text search does (the total then reads COUNT_CAP).
        capped = sa.select(projects.c.id).where(*where).limit(COUNT_CAP).subquery()
        total = sa.select(sa.func.count()).select_from(capped).scalar_subquery()
        page = sa.select(projects).where(*where)
        order = SORTS.get(query.sort, SORTS["-created"])
        return self._page(page, order, total, offset, limit)

    def _ranked(
        self, query: ProjectQuery, terms: list[str], where: list[Any], offset: int, limit: int
    ) -> tuple[list[Project], int]:
        match, rank = self._pg_match(terms) if self._pg else self._sqlite_match(terms)
        candidates = (
            sa.select(projects.c.id, rank.label("rank"))
            .where(match, *where)
            .order_by(projects.c.created_at.desc())
            .limit(CANDIDATES)
            .cte("candidates")
        )
        if query.sort == "relevance" or query.sort not in SORTS:
            order: tuple[Any, ...] = (candidates.c.rank.desc(), projects.c.id.asc())
        else:
            order = SORTS[query.sort]
        total = sa.select(sa.func.count()).select_from(candidates).scalar_subquery()
        page = sa.select(projects).join(candidates, candidates.c.id == projects.c.id)
        return self._page(page, order, total, offset, limit)

    def _page(
        self, page: sa.Select[Any], order: tuple[Any, ...], total: Any, offset: int, limit: int
    ) -> tuple[list[Project], int]:
        """One statement: the page's rows, each with its vintages and the total (a CTE used
        twice is computed once), instead of a round trip each."""
        v = project_vintages.c
        years = sa.select(self._joined(v.year)).where(v.project_id == projects.c.id)
        rows = self._conn.execute(
            page.add_columns(years.scalar_subquery().label("years"), total.label("total"))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        ).all()
        if rows:
            count = int(rows[0].total)
        else:  # past the last page (or nothing matches): the total alone
            count = int(self._conn.execute(sa.select(total)).scalar_one())
        return [project_from_row(r, _years(r.years)) for r in rows], count

    def _joined(self, year: Any) -> Any:
        text = sa.cast(year, sa.String)
        if self._pg:
            return sa.func.string_agg(text, sa.literal_column("','"))
        return sa.func.group_concat(text, ",")

    @staticmethod
    def _pg_match(terms: list[str]) -> tuple[Any, Any]:
        # Each word becomes a quoted lexeme joined with AND: user text never reaches the
        # tsquery parser as syntax.
        tsquery = sa.func.plainto_tsquery(sa.literal_column("'english'"), " ".join(terms))
        vector: Any = sa.literal_column("projects.fts_vector")
        return vector.op("@@")(tsquery), sa.func.ts_rank_cd(vector, tsquery)

    @staticmethod
    def _sqlite_match(terms: list[str]) -> tuple[Any, Any]:
        expression = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        fts = (
            sa.select(
                sa.literal_column("rowid").label("rid"),
                sa.literal_column("-bm25(fts_projects, 10.0, 1.0, 4.0, 4.0)").label("score"),
            )
            .select_from(sa.text("fts_projects"))
            .where(sa.text("fts_projects MATCH :expr").bindparams(expr=expression))
            .subquery()
        )
        rowid: Any = sa.literal_column("projects.rowid")
        score = sa.select(fts.c.score).where(fts.c.rid == rowid).scalar_subquery()
        return rowid.in_(sa.select(fts.c.rid)), score


def _years(joined: str | None) -> list[int]:
    return [int(y) for y in joined.split(",")] if joined else []
