"""SQL repository of PoAI cases, checks, history and proofs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_poai import (
    poai_assignments,
    poai_case_history,
    poai_cases,
    poai_checks,
    poai_proofs,
)
from app.domain.poai.model import (
    Case,
    CaseHistoryEntry,
    CaseStatus,
    Category,
    Check,
    Decision,
    Mode,
    Result,
)
from app.ports.repositories.poai import StoredProof


def _case_row(case: Case) -> dict[str, Any]:
    row = asdict(case)
    row.pop("reviewer_ids")
    row["status"] = case.status.value
    row["decision"] = case.decision.value if case.decision else None
    return row


def _check_row(check: Check) -> dict[str, Any]:
    row = asdict(check)
    row.update(category=check.category.value, mode=check.mode.value, result=check.result.value)
    return row


def _check(row: Any) -> Check:
    data = dict(row._mapping)
    data.update(
        category=Category(data["category"]),
        mode=Mode(data["mode"]),
        result=Result(data["result"]),
        evidence_document_ids=list(data["evidence_document_ids"] or []),
        evidence=dict(data["evidence"] or {}),
    )
    return Check(**data)


class SqlPoaiRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_case(self, case: Case) -> None:
        self._db.execute(sa.insert(poai_cases).values(_case_row(case)))
        self._write_reviewers(case)

    def get_case(self, case_id: str) -> Case | None:
        return self._one(poai_cases.c.id == case_id, lock=False)

    def case_for_update(self, case_id: str) -> Case | None:
        return self._one(poai_cases.c.id == case_id, lock=True)

    def active_case_for(self, project_id: str) -> Case | None:
        active = [
            s.value for s in (CaseStatus.OPEN, CaseStatus.IN_REVIEW, CaseStatus.CHANGES_REQUESTED)
        ]
        return self._one(
            (poai_cases.c.project_id == project_id) & poai_cases.c.status.in_(active), lock=True
        )

    def list_cases(
        self,
        *,
        reviewer_id: str | None,
        organization_ids: list[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Case], int]:
        query = sa.select(poai_cases).order_by(poai_cases.c.opened_at.desc(), poai_cases.c.id)
        if reviewer_id is not None or organization_ids is not None:
            assigned = sa.select(poai_assignments.c.case_id).where(
                poai_assignments.c.reviewer_id == reviewer_id
            )
            query = query.where(
                sa.or_(
                    poai_cases.c.id.in_(assigned),
                    poai_cases.c.organization_id.in_(organization_ids or []),
                )
            )
        rows, total = page_of(self._db, query, offset, limit)
        return [self._load(r) for r in rows], total

    def save_case(self, case: Case) -> None:
        self._db.execute(
            sa.update(poai_cases).where(poai_cases.c.id == case.id).values(_case_row(case))
        )
        self._db.execute(sa.delete(poai_assignments).where(poai_assignments.c.case_id == case.id))
        self._write_reviewers(case)

    def add_checks(self, checks: list[Check]) -> None:
        if checks:
            self._db.execute(sa.insert(poai_checks), [_check_row(c) for c in checks])

    def checks(self, case_id: str, round: int | None = None) -> list[Check]:
        query = sa.select(poai_checks).where(poai_checks.c.case_id == case_id)
        if round is not None:
            query = query.where(poai_checks.c.round == round)
        rows = self._db.execute(query.order_by(poai_checks.c.round, poai_checks.c.id))
        return [_check(r) for r in rows]

    def check_for_update(self, check_id: str) -> Check | None:
        row = self._db.execute(
            sa.select(poai_checks).where(poai_checks.c.id == check_id).with_for_update()
        ).first()
        return _check(row) if row else None

    def save_check(self, check: Check) -> None:
        self._db.execute(
            sa.update(poai_checks).where(poai_checks.c.id == check.id).values(_check_row(check))
        )

    def add_history(self, entry: CaseHistoryEntry) -> None:
        self._db.execute(sa.insert(poai_case_history).values(asdict(entry)))

    def history(self, case_id: str) -> list[CaseHistoryEntry]:
        rows = self._db.execute(
            sa.select(poai_case_history)
            .where(poai_case_history.c.case_id == case_id)
            .order_by(poai_case_history.c.id)
        )
        return [
            CaseHistoryEntry(
                r.case_id,
                r.round,
                CaseStatus(r.from_status) if r.from_status else None,
                CaseStatus(r.to_status),
                r.actor_id,
                r.reason,
                r.at,
            )
            for r in rows
        ]

    def save_proof(self, proof: StoredProof) -> None:
        self._db.execute(sa.insert(poai_proofs).values(asdict(proof)))

    def proof(self, case_id: str) -> StoredProof | None:
        row = self._db.execute(
            sa.select(poai_proofs).where(poai_proofs.c.case_id == case_id)
        ).first()
        return StoredProof(**dict(row._mapping)) if row else None

    def proof_for_project(self, project_id: str) -> StoredProof | None:
        row = self._db.execute(
            sa.select(poai_proofs)
            .join(poai_cases, poai_cases.c.id == poai_proofs.c.case_id)
            .where(
                poai_cases.c.project_id == project_id,
                poai_cases.c.status == CaseStatus.APPROVED.value,
            )
            .order_by(poai_cases.c.decided_at.desc().nulls_last())
            .limit(1)
        ).first()
        return StoredProof(**dict(row._mapping)) if row else None

    def _write_reviewers(self, case: Case) -> None:
        if case.reviewer_ids:
            rows = [
                {"case_id": case.id, "reviewer_id": r, "position": i}
                for i, r in enumerate(case.reviewer_ids)
            ]
            self._db.execute(sa.insert(poai_assignments), rows)

    def _one(self, where: sa.ColumnElement[bool], *, lock: bool) -> Case | None:
        query = sa.select(poai_cases).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return self._load(row) if row else None

    def _load(self, row: Any) -> Case:
        data = dict(row._mapping)
        data["status"] = CaseStatus(data["status"])
        data["decision"] = Decision(data["decision"]) if data["decision"] else None
        reviewers = self._db.execute(
            sa.select(poai_assignments.c.reviewer_id)
            .where(poai_assignments.c.case_id == data["id"])
            .order_by(poai_assignments.c.position)
        ).scalars()
        return Case(**data, reviewer_ids=list(reviewers))
