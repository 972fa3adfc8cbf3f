"""Demo governance for the embedded mode: a proposal of governance@demo.carbon, written to
the governance contract and indexed, open for the members' votes. Idempotent: seeded
only while there is no proposal at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from app.domain.auth.principal import Principal
from app.domain.governance import services

if TYPE_CHECKING:
    from app.main.platform import Platform

DEMO_MEMBER = "governance@demo.carbon"
DEMO_PROPOSAL = (
    "Review the cookstove methodology in 2027",
    "Ask the PoAI reviewers to re-check the TPDDTEC baselines of every cookstove project "
    "before new vintages are minted.",
)


def _settle(platform: Platform) -> None:
    """Run the outbox's jobs and index, until nothing is left (the proposal on chain)."""
    for _ in range(10):
        with platform.db.engine.connect() as conn:
            pending = list(
                conn.execute(
                    sa.text("SELECT id FROM outbox WHERE done_at IS NULL ORDER BY created_at, id")
                ).scalars()
            )
        for job_id in pending:
            platform.run_job(job_id)
        platform.index_step()
        if not pending:
            return


def seed_governance(platform: Platform) -> list[str]:
    if platform.settings.chain_backend != "embedded" or platform.chain_problem() is not None:
        return ["Governance: skipped (the demo proposal needs the embedded chain)"]
    with platform.uow() as uow:
        member = uow.users.by_email(DEMO_MEMBER)
        existing = uow.governance.newest(0, 1)[1]
    if member is None or existing:
        return []
    title, description = DEMO_PROPOSAL
    proposal = services.create_proposal(
        Principal(member.id, "user", frozenset(member.roles)),
        title=title,
        description=description,
        uow=platform.uow(),
        clock=platform.clock,
    )
    _settle(platform)
    with platform.uow() as uow:
        stored = uow.governance.get(proposal.id)
    status = stored.status.value if stored else "missing"
    return [
        f"Governance proposal {proposal.id} by {DEMO_MEMBER}: '{title}' ({status}, "
        f"voting until {proposal.voting_ends_at:%Y-%m-%d %H:%M} UTC)"
    ]
