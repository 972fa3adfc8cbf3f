"""Use cases of accounts: registration, email verification, login, password reset,
profile. None of them tells a caller whether an email has an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.auth import login_limits
from app.domain.auth.errors import InvalidCredentials, InvalidToken
from app.domain.auth.model import (
    DISPLAY_NAME,
    OneTimeToken,
    Session,
    SessionMethod,
    TokenPurpose,
    User,
    check_password_policy,
    derive_token,
    hash_secret,
    new_secret,
    normalize_email,
)
from app.domain.auth.permissions import Role
from app.domain.auth.policy import AuthPolicy
from app.domain.auth.results import SessionGrant, UserView
from app.domain.auth.throttle import address_block
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import InvalidValue, Unauthenticated
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.passwords import PasswordHasher
from app.ports.repositories.auth import AuthUoW

# Hashed once so that a login for an unknown email costs as much as a real one.
_DUMMY_HASH: dict[str, str] = {}


@dataclass(frozen=True)
class ClientInfo:
    user_agent: str | None = None
    ip: str | None = None


def register(
    email: str,
    password: str,
    display_name: str,
    *,
    uow: AuthUoW,
    hasher: PasswordHasher,
    clock: Clock,
    policy: AuthPolicy,
) -> UserView:
    """Create an unverified account and send the verification email. For an email that
    already has an account the answer looks the same, and its owner gets a notice."""
    email = normalize_email(email)
    display_name = DISPLAY_NAME.clean(display_name, field="display_name")
    check_password_policy(password, email=email)
    password_hash = hasher.hash(password)
    now = clock.now()
    user = User(new_id(), email, display_name, password_hash, now, roles={Role.RETAIL})
    with uow:
        existing = uow.users.by_email(email)
        if existing is not None:
            uow.enqueue(Job("auth.send_already_registered", {"user_id": existing.id}))
            uow.commit()
            return UserView.of(user)  # never stored: same shape, nothing revealed
        uow.users.add(user)
        uow.audit(
            AuditRecord("user.registered", "user", user.id, user.id, after=public_fields(user))
        )
        token_id = issue_token(user, "verify_email", uow=uow, now=now, policy=policy)
        uow.enqueue(Job("auth.send_verification", {"user_id": user.id, "token_id": token_id}))
        uow.commit()
    return UserView.of(user)


def issue_token(
    user: User, purpose: TokenPurpose, *, uow: AuthUoW, now: datetime, policy: AuthPolicy
) -> str:
    """A fresh single-use token (inside the caller's transaction); older unused ones of
    the same purpose stop working. Returns its id, from which the email job derives it."""
    ttl = policy.verify_email_ttl if purpose == "verify_email" else policy.reset_password_ttl
    token_id = new_id()
    token_hash = hash_secret(derive_token(policy.token_key, token_id))
    uow.tokens.invalidate_for_user(user.id, purpose, now)
    uow.tokens.add(OneTimeToken(token_id, user.id, purpose, token_hash, now, now + ttl))
    return token_id


def verify_email(token: str, *, uow: AuthUoW, clock: Clock) -> UserView:
    with uow:
        user = _consume(token, "verify_email", uow=uow, clock=clock)
        if not user.email_verified:
            user.email_verified = True
            uow.users.save(user)
            uow.audit(AuditRecord("user.email_verified", "user", user.id, user.id))
            _accept_invitations(user, uow=uow, clock=clock)
        uow.commit()
        return UserView.of(user)


def _consume(token: str, purpose: TokenPurpose, *, uow: AuthUoW, clock: Clock) -> User:
    stored = uow.tokens.by_hash_for_update(hash_secret(token))
    if stored is None or stored.purpose != purpose:
        raise InvalidToken("this link is not valid")
    stored.consume(clock.now())
    uow.tokens.save(stored)
    user = uow.users.get_for_update(stored.user_id)
    if user is None or user.disabled:
        raise InvalidToken("this link is not valid")
    return user


def _accept_invitations(user: User, *, uow: AuthUoW, clock: Clock) -> None:
    if user.email is None:
        return
    for invitation in uow.organizations.open_invitations(user.email):
        org = uow.organizations.get_for_update(invitation.organization_id)
        if org is None:
            continue
        org.set_member(user.id, invitation.role)
        uow.organizations.save(org)
        invitation.accepted_at = clock.now()
        uow.organizations.save_invitation(invitation)
        uow.audit(
            AuditRecord(
                "organization.member_joined",
                "organization",
                org.id,
                user.id,
                after={"user_id": user.id, "role": invitation.role.value},
                organization_id=org.id,
            )
        )


def login(
    email: str,
    password: str,
    *,
    uow: AuthUoW,
    hasher: PasswordHasher,
    clock: Clock,
    policy: AuthPolicy,
    client: ClientInfo,
) -> SessionGrant:
    """Open a session for a correct email and password. Failed attempts make further ones
    for the account wait (`throttle`); one made while a wait runs gets `LoginBackoff`."""
    try:
        email = normalize_email(email)
    except InvalidValue:  # no account can have it: the same answer as an unknown one
        email = ""
    source, throttle = address_block(client.ip), policy.login_throttle
    if email:
        login_limits.reserve_attempt(email, source, uow=uow, clock=clock, throttle=throttle)
    try:
        with uow:
            user = _password_owner(email, password, uow=uow, hasher=hasher)
            login_limits.take_back(email, source, uow=uow, now=clock.now(), throttle=throttle)
            if not user.email_verified:
                uow.commit()  # the password was right: the attempt is no failure
                raise Unauthenticated("verify your email address first", code="email_not_verified")
            if hasher.needs_rehash(user.password_hash or ""):
                user.password_hash = hasher.hash(password)
                uow.users.save(user)
            grant = open_session(
                user, "password", uow=uow, clock=clock, policy=policy, client=client
            )
            uow.commit()
            return grant
    except InvalidCredentials:
        login_limits.prune(uow=uow, clock=clock)
        raise


def _password_owner(email: str, password: str, *, uow: AuthUoW, hasher: PasswordHasher) -> User:
    """The enabled user with this email and password; an unknown email costs the same."""
    user = uow.users.by_email(email) if email else None
    if user is None or user.password_hash is None:
        hasher.verify(_dummy_hash(hasher), password)
        raise InvalidCredentials("email or password is wrong")
    if not hasher.verify(user.password_hash, password) or user.disabled:
        raise InvalidCredentials("email or password is wrong")
    return user


def _dummy_hash(hasher: PasswordHasher) -> str:
    if "value" not in _DUMMY_HASH:
        _DUMMY_HASH["value"] = hasher.hash(new_secret())
    return _DUMMY_HASH["value"]


def open_session(
    user: User,
    method: SessionMethod,
    *,
    uow: AuthUoW,
    clock: Clock,
    policy: AuthPolicy,
    client: ClientInfo,
) -> SessionGrant:
    """Start a refresh-token family inside the caller's transaction."""
    now = clock.now()
    session = Session(
        id=new_id(),
        user_id=user.id,
        refresh_jti=new_id(),
        created_at=now,
        last_used_at=now,
        expires_at=now + policy.refresh_ttl,
        user_agent=(client.user_agent or "")[:300] or None,
        ip=client.ip,
        method=method,
    )
    uow.sessions.add(session)
    uow.audit(
        AuditRecord("session.opened", "session", session.id, user.id, after={"method": method})
    )
    return SessionGrant(user.id, session.id, session.refresh_jti, session.expires_at)


def request_password_reset(email: str, *, uow: AuthUoW, clock: Clock, policy: AuthPolicy) -> None:
    """Send a reset link if the account exists; the caller cannot tell either way."""
    try:
        email = normalize_email(email)
    except InvalidValue:  # no account can have it: the same answer as an unknown one
        return
    with uow:
        user = uow.users.by_email(email)
        if user is not None and not user.disabled:
            token_id = issue_token(user, "reset_password", uow=uow, now=clock.now(), policy=policy)
            job = Job("auth.send_password_reset", {"user_id": user.id, "token_id": token_id})
            uow.enqueue(job)
            uow.commit()


def reset_password(
    token: str,
    new_password: str,
    *,
    uow: AuthUoW,
    hasher: PasswordHasher,
    clock: Clock,
) -> list[str]:
    """Set a new password from a reset link; every open session of the account ends.
    Returns the revoked session ids (for the revocation list)."""
    with uow:
        user = _consume(token, "reset_password", uow=uow, clock=clock)
        check_password_policy(new_password, email=user.email or "")
        user.password_hash = hasher.hash(new_password)
        user.email_verified = True  # the reset link proved the mailbox
        uow.users.save(user)
        revoked = _revoke_all(user.id, "password_reset", uow=uow, now=clock.now())
        uow.audit(AuditRecord("user.password_reset", "user", user.id, user.id))
        uow.commit()
        return revoked


def _revoke_all(user_id: str, reason: str, *, uow: AuthUoW, now: datetime) -> list[str]:
    revoked = []
    for session in uow.sessions.list_for_user(user_id):
        if session.revoke(now, reason):
            uow.sessions.save(session)
            revoked.append(session.id)
    return revoked


def public_fields(user: User) -> dict[str, object]:
    roles = [r.value for r in sorted(user.roles)]
    return {"email": user.email, "display_name": user.display_name, "roles": roles}
