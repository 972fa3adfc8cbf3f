"""Use cases of sessions: refresh with rotation and reuse detection, logout, listing and
revoking one's own sessions, and turning a token or key into a `Principal`."""

from __future__ import annotations

from app.domain.auth.errors import InvalidToken, SessionRevoked
from app.domain.auth.model import User
from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.auth.results import SessionGrant, SessionView
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW
from app.ports.revocation import RevocationList


def refresh(
    session_id: str,
    presented_jti: str,
    *,
    uow: AuthUoW,
    clock: Clock,
    revocations: RevocationList,
) -> SessionGrant:
    """Rotate the refresh token. Presenting an already-rotated one revokes the family."""
    now = clock.now()
    with uow:
        session = uow.sessions.get_for_update(session_id)
        if session is None:
            raise InvalidToken("unknown session")
        was_revoked = session.revoked_at is not None
        try:
            session.rotate(presented_jti, new_id(), now)
        except InvalidToken:
            if not was_revoked and session.revoked_at is not None:  # reuse detected
                uow.sessions.save(session)
                uow.audit(
                    AuditRecord(
                        "session.revoked",
                        "session",
                        session.id,
                        session.user_id,
                        after={"reason": "refresh_token_reuse"},
                    )
                )
                uow.commit()
                revocations.revoke([session.id], session.expires_at)
            raise
        user = uow.users.get(session.user_id)
        if user is None or user.disabled:
            raise InvalidToken("this account is disabled")
        uow.sessions.save(session)
        uow.commit()
        return SessionGrant(session.user_id, session.id, session.refresh_jti, session.expires_at)


def revoke_session(
    principal: Principal,
    session_id: str,
    *,
    reason: str,
    uow: AuthUoW,
    clock: Clock,
    revocations: RevocationList,
) -> None:
    """End one of the caller's own sessions (logout is the current one)."""
    with uow:
        session = uow.sessions.get_for_update(session_id)
        if session is None or session.user_id != principal.user_id:
            raise NotFound("session not found")
        if session.revoke(clock.now(), reason):
            uow.sessions.save(session)
            uow.audit(
                AuditRecord(
                    "session.revoked",
                    "session",
                    session.id,
                    principal.user_id,
                    after={"reason": reason},
                )
            )
            uow.commit()
        revocations.revoke([session.id], session.expires_at)


def list_sessions(principal: Principal, *, uow: AuthUoW, clock: Clock) -> list[SessionView]:
    if principal.user_id is None:
        return []
    now = clock.now()
    with uow:
        sessions = uow.sessions.list_for_user(principal.user_id)
    active = [s for s in sessions if s.active(now)]
    active.sort(key=lambda s: s.last_used_at, reverse=True)
    return [SessionView.of(s, principal.session_id) for s in active]


def principal_for_session(
    user_id: str, session_id: str, *, uow: AuthUoW, revocations: RevocationList, clock: Clock
) -> Principal:
    """The caller behind an access token, loaded fresh: a revoked or ended session, a
    removed role or membership takes effect on the next request. The session must be the
    user's own: a token naming one user and another user's session is refused like a
    revoked one."""
    if not revocations.is_sessions_table and revocations.is_revoked(session_id):
        raise SessionRevoked("this session has been revoked")
    with uow:
        session = uow.sessions.get(session_id)
        if session is None or session.user_id != user_id or not session.active(clock.now()):
            raise SessionRevoked("this session has been revoked")
        user = uow.users.get(user_id)
        if user is None or user.disabled:
            raise SessionRevoked("this account is not active")
        memberships = uow.organizations.memberships_of(user.id)
    return principal_of(user, memberships, session_id)


def principal_of(user: User, memberships: dict[str, str], session_id: str | None) -> Principal:
    return Principal(
        id=user.id,
        kind="user",
        roles=frozenset(user.roles),
        memberships={org: OrgRole(role) for org, role in memberships.items()},
        session_id=session_id,
    )
