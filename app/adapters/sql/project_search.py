"""Project search: PostgreSQL full-text (a stored, weighted `tsvector` with a GIN index)
or SQLite FTS5, with the same filters, sorts and visibility rules.

Ranking all matches of a common word is what makes full-text search slow, so a ranked
search ranks a capped candidate set: the first `CANDIDATES` matches by recency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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


FILTERS = ("type", "country", "status", "standard", "organization_id")
PUBLIC = [s.value for s in PUBLIC_STATUSES]
REVIEW = [s.value for s in REVIEW_STATUSES]


@dataclass(frozen=True)
class _Shape:
    """What decides a search statement's text (the values travel as parameters): building
    and compiling a statement per request was a millisecond of a search."""

    pg: bool
    text: bool
    sort: str
    filters: tuple[str, ...]
    vintage: bool
    see_all: bool
    orgs: bool
    review: bool


def _shape_and_params(pg: bool, q: ProjectQuery, terms: list[str]) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {
        name: getattr(q, name) for name in FILTERS if getattr(q, name) is not None
    }
    shape = _Shape(
        pg=pg,
        text=bool(terms),
        sort=q.sort if q.sort in SORTS else ("relevance" if terms else "-created"),
        filters=tuple(params),
        vintage=q.vintage is not None,
        see_all=q.see_all,
        orgs=bool(q.orgs) and not q.see_all,
        review=q.review_states and not q.see_all,
    )
    if shape.vintage:
        params["vintage"] = q.vintage
    if shape.orgs:
        params["orgs"] = list(q.orgs)
    if terms:
        params["terms"] = " ".join(terms) if pg else _fts_expression(terms)
    return shape, params


def _filters(shape: _Shape) -> list[sa.ColumnElement[bool]]:
    c = projects.c
    where: list[sa.ColumnElement[bool]] = [c[name] == sa.bindparam(name) for name in shape.filters]
    if shape.vintage:
        v = project_vintages.c
        where.append(
            sa.exists().where((v.project_id == c.id) & (v.year == sa.bindparam("vintage")))
        )
    if not shape.see_all:
        visible = [c.status.in_(PUBLIC)]
        if shape.orgs:
            visible.append(c.organization_id.in_(sa.bindparam("orgs", expanding=True)))
        if shape.review:
            visible.append(c.status.in_(REVIEW))
        where.append(sa.or_(*visible))
    return where


@lru_cache(maxsize=512)
def _statements(shape: _Shape) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """(page, total alone) for this shape. The page carries each row's vintages and the
    total as columns: one round trip instead of three (a CTE used twice is computed once)."""
    where = _filters(shape)
    if shape.text:
        match, rank = _pg_match() if shape.pg else _sqlite_match()
        candidates = (
            sa.select(projects.c.id, rank.label("rank"))
            .where(match, *where)
            .order_by(projects.c.created_at.desc())
            .limit(CANDIDATES)
            .cte("candidates")
        )
        order: tuple[Any, ...] = (
            (candidates.c.rank.desc(), projects.c.id.asc())
            if shape.sort == "relevance"
            else SORTS[shape.sort]
        )
        total = sa.select(sa.func.count()).select_from(candidates).scalar_subquery()
        page = sa.select(projects).join(candidates, candidates.c.id == projects.c.id)
    else:
        # Counting every match of a broad filter costs more than the page itself: count up
        # to a cap, like text search does (the total then reads COUNT_CAP).
        capped = sa.select(projects.c.id).where(*where).limit(COUNT_CAP).subquery()
        total = sa.select(sa.func.count()).select_from(capped).scalar_subquery()
        page = sa.select(projects).where(*where)
        order = SORTS[shape.sort]  # "relevance" without text is "-created" by now
    v = project_vintages.c
    year = sa.cast(v.year, sa.String)
    joined = (
        sa.func.string_agg(year, sa.literal_column("','"))
        if shape.pg
        else sa.func.group_concat(year, ",")
    )
    years = sa.select(joined).where(v.project_id == projects.c.id).scalar_subquery()
    page = (
        page.add_columns(years.label("years"), total.label("total"))
        .order_by(*order)
        .offset(sa.bindparam("offset"))
        .limit(sa.bindparam("limit"))
    )
    return page, sa.select(total)


def _pg_match() -> tuple[Any, Any]:
    # The words become quoted lexemes joined with AND: user text never reaches the tsquery
    # parser as syntax.
    tsquery = sa.func.plainto_tsquery(sa.literal_column("'english'"), sa.bindparam("terms"))
    vector: Any = sa.literal_column("projects.fts_vector")
    return vector.op("@@")(tsquery), sa.func.ts_rank_cd(vector, tsquery)


def _sqlite_match() -> tuple[Any, Any]:
    fts = (
        sa.select(
            sa.literal_column("rowid").label("rid"),
            sa.literal_column("-bm25(fts_projects, 10.0, 1.0, 4.0, 4.0)").label("score"),
        )
        .select_from(sa.text("fts_projects"))
        .where(sa.text("fts_projects MATCH :terms"))
        .subquery()
    )
    rowid: Any = sa.literal_column("projects.rowid")
    score = sa.select(fts.c.score).where(fts.c.rid == rowid).scalar_subquery()
    return rowid.in_(sa.select(fts.c.rid)), score


def _fts_expression(terms: list[str]) -> str:
    """Each word an FTS5 string (quotes doubled), joined with AND: never FTS5 syntax."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


class SqlProjectSearch:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pg = conn.dialect.name == "postgresql"

    def search(self, query: ProjectQuery, offset: int, limit: int) -> tuple[list[Project], int]:
        terms = WORD.findall(query.text or "")
        shape, params = _shape_and_params(self._pg, query, terms)
        page, total_alone = _statements(shape)
        rows = self._conn.execute(page, {**params, "offset": offset, "limit": limit}).all()
        if rows:
            total = int(rows[0].total)
        else:  # past the last page (or nothing matches): the total alone
            total = int(self._conn.execute(total_alone, params).scalar_one())
        return [project_from_row(r, _years(r.years)) for r in rows], total


def _years(joined: str | None) -> list[int]:
    return [int(y) for y in joined.split(",")] if joined else []
