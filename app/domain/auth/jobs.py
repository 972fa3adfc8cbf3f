"""Emails of the auth module, sent by background jobs. The raw tokens exist only in the
job's memory and the message: the database keeps their hashes."""

from __future__ import annotations

from app.domain.auth.model import User, derive_token
from app.domain.auth.policy import AuthPolicy
from app.ports.clock import Clock
from app.ports.notifier import EmailMessage, Mailer
from app.ports.repositories.auth import AuthUoW

SIGNATURE = "\n\n— The carbon credit platform"


def _token_mail(
    token_id: str, *, uow: AuthUoW, clock: Clock, policy: AuthPolicy
) -> tuple[User, str] | None:
    """The user and the token's secret while the token can still be used (a job delivered
    again for a used or expired token sends nothing)."""
    token = uow.tokens.get(token_id)
    if token is None or token.used_at is not None or clock.now() >= token.expires_at:
        return None
    user = uow.users.get(token.user_id)
    if user is None or user.email is None or user.disabled:
        return None
    return user, derive_token(policy.token_key, token_id)


def send_verification(
    token_id: str, *, uow: AuthUoW, mailer: Mailer, clock: Clock, policy: AuthPolicy
) -> None:
    found = _token_mail(token_id, uow=uow, clock=clock, policy=policy)
    if found is None or found[0].email_verified:
        return
    user, token = found
    hours = int(policy.verify_email_ttl.total_seconds() // 3600)
    mailer.send(
        EmailMessage(
            to=str(user.email),
            subject="Confirm your email address",
            text=(
                f"Hello {user.display_name},\n\nconfirm your email address with this link:\n"
                f"{policy.public_base_url}/verify-email?token={token}\n\n"
                f"or send this code to POST /api/v1/auth/verify-email:\n{token}\n\n"
                f"The link works once and expires in {hours} hours." + SIGNATURE
            ),
        )
    )


def send_password_reset(
    token_id: str, *, uow: AuthUoW, mailer: Mailer, clock: Clock, policy: AuthPolicy
) -> None:
    found = _token_mail(token_id, uow=uow, clock=clock, policy=policy)
    if found is None:
        return
    user, token = found
    minutes = int(policy.reset_password_ttl.total_seconds() // 60)
    mailer.send(
        EmailMessage(
            to=str(user.email),
            subject="Reset your password",
            text=(
                f"Hello {user.display_name},\n\nsomeone asked to reset your password. "
                f"If it was you, use this link:\n"
                f"{policy.public_base_url}/reset-password?token={token}\n\n"
                f"or send this code with your new password to "
                f"POST /api/v1/auth/password/reset:\n{token}\n\n"
                f"It works once and expires in {minutes} minutes. If it was not you, "
                "ignore this message: your password stays as it is." + SIGNATURE
            ),
        )
    )


def send_already_registered(
    user_id: str, *, uow: AuthUoW, mailer: Mailer, policy: AuthPolicy
) -> None:
    user = uow.users.get(user_id)
    if user is None or user.email is None:
        return
    mailer.send(
        EmailMessage(
            to=user.email,
            subject="Someone tried to register with your email address",
            text=(
                f"Hello {user.display_name},\n\nsomeone tried to create an account with this "
                "address, which already has one. If it was you, sign in, or reset your "
                f"password at {policy.public_base_url}/forgot-password. Otherwise you can "
                "ignore this message." + SIGNATURE
            ),
        )
    )


def send_invitation(
    invitation_id: str, *, uow: AuthUoW, mailer: Mailer, policy: AuthPolicy
) -> None:
    invitation = uow.organizations.get_invitation(invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return
    org = uow.organizations.get(invitation.organization_id)
    if org is None:
        return
    mailer.send(
        EmailMessage(
            to=invitation.email,
            subject=f"You are invited to {org.name}",
            text=(
                f"Hello,\n\nyou are invited to join {org.name} as {invitation.role.value} on "
                f"the carbon credit platform. Register (or verify your account) with this "
                f"address at {policy.public_base_url} and you will be a member." + SIGNATURE
            ),
        )
    )
