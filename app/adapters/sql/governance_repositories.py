"""SQL repository of governance proposals and votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_auth import user_roles, users
from app.adapters.sql.tables_governance import governance_proposals as gp
from app.adapters.sql.tables_governance import governance_votes as gv
from app.domain.governance.errors import AlreadyVoted
from app.domain.governance.model import Proposal, ProposalStatus, Support, Vote, VoteStatus

_MEMBER_ROLES = ("governance_member", "platform_admin")


def _proposal(row: Any) -> Proposal:
    return Proposal(
        id=row.id,
        title=row.title,
        description=row.description,
        proposer_id=row.proposer_id,
        voting_ends_at=row.voting_ends_at,
        quorum=int(row.quorum),
        created_at=row.created_at,
        status=ProposalStatus(row.status),
        votes_for=int(row.votes_for),
        votes_against=int(row.votes_against),
        votes_abstain=int(row.votes_abstain),
        chain_proposal_id=None if row.chain_proposal_id is None else int(row.chain_proposal_id),
        chain_contract=row.chain_contract,
        tx_hash=row.tx_hash,
        announced=bool(row.announced),
        closed_at=row.closed_at,
        error=row.error,
    )


def _proposal_values(p: Proposal) -> dict[str, Any]:
    return {
        "title": p.title,
        "description": p.description,
        "proposer_id": p.proposer_id,
        "status": p.status.value,
        "content_hash": "0x" + p.content_hash.hex(),
        "quorum": p.quorum,
        "votes_for": p.votes_for,
        "votes_against": p.votes_against,
        "votes_abstain": p.votes_abstain,
        "voting_ends_at": p.voting_ends_at,
        "chain_proposal_id": p.chain_proposal_id,
        "chain_contract": p.chain_contract.lower() if p.chain_contract else None,
        "tx_hash": p.tx_hash,
        "announced": p.announced,
        "error": p.error,
        "created_at": p.created_at,
        "closed_at": p.closed_at,
    }


def _vote(row: Any) -> Vote:
    return Vote(
        id=row.id,
        proposal_id=row.proposal_id,
        voter_id=row.voter_id,
        support=Support(row.support),
        created_at=row.created_at,
        status=VoteStatus(row.status),
        voter_address=row.voter_address,
        tx_hash=row.tx_hash,
        error=row.error,
    )


def _vote_values(v: Vote) -> dict[str, Any]:
    return {
        "proposal_id": v.proposal_id,
        "voter_id": v.voter_id,
        "support": v.support.value,
        "status": v.status.value,
        "voter_address": v.voter_address.lower() if v.voter_address else None,
        "tx_hash": v.tx_hash,
        "error": v.error,
        "created_at": v.created_at,
    }


class SqlGovernanceRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, proposal: Proposal) -> None:
        self._db.execute(sa.insert(gp).values(id=proposal.id, **_proposal_values(proposal)))

    def _one(self, query: sa.Select[Any]) -> Proposal | None:
        row = self._db.execute(query).first()
        return None if row is None else _proposal(row)

    def get(self, proposal_id: str) -> Proposal | None:
        return self._one(sa.select(gp).where(gp.c.id == proposal_id))

    def get_for_update(self, proposal_id: str) -> Proposal | None:
        return self._one(sa.select(gp).where(gp.c.id == proposal_id).with_for_update())

    def save(self, proposal: Proposal) -> None:
        values = _proposal_values(proposal)
        self._db.execute(sa.update(gp).where(gp.c.id == proposal.id).values(**values))

    def newest(self, offset: int, limit: int) -> tuple[list[Proposal], int]:
        query = sa.select(gp).order_by(gp.c.created_at.desc(), gp.c.id.desc())
        rows, total = page_of(self._db, query, offset, limit)
        return [_proposal(r) for r in rows], total

    def by_content_hash(self, content_hash: bytes) -> Proposal | None:
        key = "0x" + content_hash.hex()
        return self._one(sa.select(gp).where(gp.c.content_hash == key).with_for_update())

    def by_chain_id(self, contract: str, chain_proposal_id: int) -> Proposal | None:
        query = sa.select(gp).where(
            (gp.c.chain_contract == contract.lower())
            & (gp.c.chain_proposal_id == chain_proposal_id)
        )
        return self._one(query.with_for_update())

    def due_for_closing(self, now: datetime, limit: int) -> list[str]:
        query = (
            sa.select(gp.c.id)
            .where((gp.c.status == ProposalStatus.ACTIVE.value) & (gp.c.voting_ends_at <= now))
            .order_by(gp.c.voting_ends_at, gp.c.id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())

    def member_count(self) -> int:
        query = (
            sa.select(sa.func.count(sa.distinct(user_roles.c.user_id)))
            .select_from(user_roles.join(users, users.c.id == user_roles.c.user_id))
            .where(user_roles.c.role.in_(_MEMBER_ROLES) & users.c.disabled.is_(False))
        )
        return int(self._db.execute(query).scalar_one())

    def add_vote(self, vote: Vote) -> None:
        try:
            self._db.execute(sa.insert(gv).values(id=vote.id, **_vote_values(vote)))
        except IntegrityError as exc:  # the unique (proposal, voter): the unit is spoilt
            raise AlreadyVoted("you already voted on this proposal") from exc

    def get_vote(self, vote_id: str) -> Vote | None:
        row = self._db.execute(sa.select(gv).where(gv.c.id == vote_id)).first()
        return None if row is None else _vote(row)

    def get_vote_for_update(self, vote_id: str) -> Vote | None:
        row = self._db.execute(sa.select(gv).where(gv.c.id == vote_id).with_for_update()).first()
        return None if row is None else _vote(row)

    def save_vote(self, vote: Vote) -> None:
        self._db.execute(sa.update(gv).where(gv.c.id == vote.id).values(**_vote_values(vote)))

    def vote_of(self, proposal_id: str, voter_address: str) -> Vote | None:
        query = sa.select(gv).where(
            (gv.c.proposal_id == proposal_id) & (gv.c.voter_address == voter_address.lower())
        )
        row = self._db.execute(query.with_for_update()).first()
        return None if row is None else _vote(row)

    def uncounted_votes(self, proposal_id: str) -> int:
        query = sa.select(sa.func.count()).where(
            (gv.c.proposal_id == proposal_id) & (gv.c.status == VoteStatus.PENDING.value)
        )
        return int(self._db.execute(query).scalar_one())
