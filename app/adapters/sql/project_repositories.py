"""SQL repository of projects (rows <-> `Project`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.adapters.sql.tables_documents import project_documents
from app.adapters.sql.tables_poai import poai_assignments, poai_cases
from app.adapters.sql.tables_projects import (
    project_status_history,
    project_vintages,
    projects,
)
from app.domain.projects.model import REMOVAL_KINDS, HistoryEntry, Project, ProjectType, Status
from app.domain.shared.quantity import Quantity

FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "methodology",
    "standard",
    "country",
    "region",
    "latitude",
    "longitude",
    "created_by",
    "created_at",
    "updated_at",
    "metadata",
    "mitigation",
    "ccp_approved",
    "corsia_eligible",
    "corresponding_adjustment",
    "removal_kind",
)


def project_row(p: Project) -> dict[str, Any]:
    row = {f: getattr(p, f) for f in FIELDS}
    row.update(
        type=p.type.value,
        status=p.status.value,
        expected_annual_reductions_kg=p.expected_annual_reductions.kg,
        first_vintage=p.vintages[0] if p.vintages else None,
    )
    return row


def load_projects(db: Session | Connection, rows: Sequence[Any]) -> list[Project]:
    """Projects from their rows, with their vintages in one more query."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    years: dict[str, list[int]] = {i: [] for i in ids}
    query = sa.select(project_vintages).where(project_vintages.c.project_id.in_(ids))
    for v in db.execute(query):
        years[v.project_id].append(v.year)
    return [project_from_row(r, years[r.id]) for r in rows]


def project_from_row(r: Any, vintages: list[int]) -> Project:
    return Project(
        id=r.id,
        organization_id=r.organization_id,
        name=r.name,
        description=r.description,
        type=ProjectType(r.type),
        methodology=r.methodology,
        standard=r.standard,
        country=r.country,
        region=r.region,
        latitude=r.latitude,
        longitude=r.longitude,
        vintages=sorted(vintages),
        expected_annual_reductions=Quantity(int(r.expected_annual_reductions_kg)),
        created_by=r.created_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
        status=Status(r.status),
        metadata=dict(r.metadata or {}),
        mitigation="removal" if r.mitigation == "removal" else "reduction",
        ccp_approved=bool(r.ccp_approved),
        corsia_eligible=bool(r.corsia_eligible),
        corresponding_adjustment=bool(r.corresponding_adjustment),
        removal_kind=r.removal_kind if r.removal_kind in REMOVAL_KINDS else None,
    )


class SqlProjectRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, project: Project) -> None:
        self._db.execute(sa.insert(projects).values(project_row(project)))
        self._write_vintages(project)

    def get(self, project_id: str) -> Project | None:
        return self._one(project_id, lock=False)

    def get_for_update(self, project_id: str) -> Project | None:
        return self._one(project_id, lock=True)

    def save(self, project: Project) -> None:
        self._db.execute(
            sa.update(projects).where(projects.c.id == project.id).values(project_row(project))
        )
        self._db.execute(
            sa.delete(project_vintages).where(project_vintages.c.project_id == project.id)
        )
        self._write_vintages(project)

    def add_history(self, project_id: str, entry: HistoryEntry) -> None:
        self._db.execute(
            sa.insert(project_status_history).values(
                project_id=project_id,
                from_status=entry.from_status.value if entry.from_status else None,
                to_status=entry.to_status.value,
                actor_id=entry.actor_id,
                reason=entry.reason,
                at=entry.at,
            )
        )

    def history(self, project_id: str) -> list[HistoryEntry]:
        rows = self._db.execute(
            sa.select(project_status_history)
            .where(project_status_history.c.project_id == project_id)
            .order_by(project_status_history.c.id)
        )
        return [
            HistoryEntry(
                Status(r.from_status) if r.from_status else None,
                Status(r.to_status),
                r.actor_id,
                r.reason,
                r.at,
            )
            for r in rows
        ]

    def similar(self, project: Project, *, radius_degrees: float) -> list[Project]:
        c = projects.c
        near: sa.ColumnElement[bool] = sa.false()
        if project.latitude is not None and project.longitude is not None:
            r = radius_degrees
            near = c.latitude.between(
                float(project.latitude) - r, float(project.latitude) + r
            ) & c.longitude.between(float(project.longitude) - r, float(project.longitude) + r)
        shared_vintage = sa.exists().where(
            (project_vintages.c.project_id == c.id) & project_vintages.c.year.in_(project.vintages)
        )
        query = (
            sa.select(projects)
            .where(c.id != project.id)
            .where(sa.or_(sa.func.lower(c.name) == project.name.lower(), near))
            .where(shared_vintage)
            .limit(20)
        )
        return load_projects(self._db, self._db.execute(query).all())

    def reviewer_ids(self, project_id: str) -> set[str]:
        query = (
            sa.select(poai_assignments.c.reviewer_id)
            .join(poai_cases, poai_cases.c.id == poai_assignments.c.case_id)
            .where(poai_cases.c.project_id == project_id)
        )
        return set(self._db.execute(query).scalars())

    def count_documents(self, project_id: str, kind: str) -> int:
        query = sa.select(sa.func.count()).where(
            (project_documents.c.project_id == project_id) & (project_documents.c.kind == kind)
        )
        return int(self._db.execute(query).scalar_one())

    def _write_vintages(self, project: Project) -> None:
        if project.vintages:
            rows = [{"project_id": project.id, "year": y} for y in project.vintages]
            self._db.execute(sa.insert(project_vintages), rows)

    def _one(self, project_id: str, *, lock: bool) -> Project | None:
        query = sa.select(projects).where(projects.c.id == project_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        found = load_projects(self._db, [row]) if row else []
        return found[0] if found else None
