"""Jobs of the auth module: the emails, sent after the transaction that asked for them."""

from __future__ import annotations

from app.domain.auth import jobs
from app.domain.platform.jobs import JobHandler
from app.domain.shared.json import JSON
from app.ports.repositories.auth import AuthUoW
from app.workers.deps import WorkerDeps


def handlers(deps: WorkerDeps) -> dict[str, JobHandler[AuthUoW]]:
    def verification(payload: dict[str, JSON], uow: AuthUoW) -> None:
        jobs.send_verification(
            str(payload["token_id"]),
            uow=uow,
            mailer=deps.mailer,
            clock=deps.clock,
            policy=deps.auth_policy,
        )

    def password_reset(payload: dict[str, JSON], uow: AuthUoW) -> None:
        jobs.send_password_reset(
            str(payload["token_id"]),
            uow=uow,
            mailer=deps.mailer,
            clock=deps.clock,
            policy=deps.auth_policy,
        )

    def already_registered(payload: dict[str, JSON], uow: AuthUoW) -> None:
        jobs.send_already_registered(
            str(payload["user_id"]), uow=uow, mailer=deps.mailer, policy=deps.auth_policy
        )

    def invitation(payload: dict[str, JSON], uow: AuthUoW) -> None:
        jobs.send_invitation(
            str(payload["invitation_id"]), uow=uow, mailer=deps.mailer, policy=deps.auth_policy
        )

    return {
        "auth.send_verification": verification,
        "auth.send_password_reset": password_reset,
        "auth.send_already_registered": already_registered,
        "auth.send_invitation": invitation,
    }
