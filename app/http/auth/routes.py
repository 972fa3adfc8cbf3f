"""Accounts, sessions, wallets and the caller's profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request

from app.domain.auth import profile, services, sessions, wallets
from app.domain.auth.results import SessionView, UserView
from app.domain.auth.services import ClientInfo
from app.http.auth import schemas as s
from app.http.auth.blueprint import blp
from app.http.common.auth import current_principal, issue_tokens, public, refresh_claims, requires
from app.http.common.blueprint import ViewDecorator
from app.http.common.deps import platform, uow
from app.http.common.limiter import sensitive
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.common.problems import PROBLEM_MEDIA_TYPE
from app.http.common.schemas import ProblemSchema

ACCEPTED = {"status": "accepted"}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
TOO_MANY_FROM_ADDRESS = "Too many requests from this address (`rate_limited`)"


def _limited(description: str = TOO_MANY_FROM_ADDRESS) -> ViewDecorator:
    return blp.alt_response(
        429,
        schema=ProblemSchema,
        content_type=PROBLEM_MEDIA_TYPE,
        description=description,
        headers=RETRY_AFTER,
    )


def _client() -> ClientInfo:
    return ClientInfo(request.headers.get("User-Agent"), request.remote_addr)


@blp.route("/auth/register", methods=["POST"])
@sensitive(mailbox="email")
@public
@rule_codes("weak_password")
@blp.arguments(s.RegisterSchema)
@blp.response(201, s.UserSchema)
@_limited("Too many requests from this address or for this email (`rate_limited`)")
def register(body: dict[str, Any]) -> UserView:
    """Create an account; a verification email follows. The answer is the same whether
    or not the email already has an account."""
    p = platform()
    return services.register(
        body["email"],
        body["password"],
        body["display_name"],
        uow=uow(),
        hasher=p.hasher,
        clock=p.clock,
        policy=p.auth_policy,
    )


@blp.route("/auth/verify-email", methods=["POST"])
@public
@blp.arguments(s.TokenSchema)
@blp.response(200, s.UserSchema)
def verify_email(body: dict[str, Any]) -> UserView:
    """Confirm the email address with the token from the verification email."""
    return services.verify_email(body["token"], uow=uow(), clock=platform().clock)


@blp.route("/auth/login", methods=["POST"])
@sensitive()
@public
@blp.arguments(s.LoginSchema)
@blp.response(200, s.TokenPairSchema)
@blp.alt_response(401, schema=ProblemSchema, description="Wrong email or password")
@_limited(
    "Too many requests from this address (`rate_limited`), or failed logins for this"
    " account from this address or from everywhere (`login_backoff`): wait `Retry-After`"
)
def login(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange email and password for an access and a refresh token. After a few wrong
    passwords for an account, each further one doubles the wait before the next attempt
    from that address (and, after many more, from addresses the account has not logged
    in from); a correct password clears the count."""
    p = platform()
    grant = services.login(
        body["email"],
        body["password"],
        uow=uow(),
        hasher=p.hasher,
        clock=p.clock,
        policy=p.auth_policy,
        client=_client(),
    )
    return issue_tokens(grant)


@blp.route("/auth/refresh", methods=["POST"])
@public
@blp.response(200, s.TokenPairSchema)
@blp.alt_response(401, schema=ProblemSchema, description="Invalid, used or revoked token")
def refresh() -> dict[str, Any]:
    """Rotate the refresh token (sent as the bearer token). Reusing an old one revokes
    the whole session."""
    claims = refresh_claims()
    p = platform()
    grant = sessions.refresh(
        claims["sid"], claims["jti"], uow=uow(), clock=p.clock, revocations=p.revocations
    )
    return issue_tokens(grant)


@blp.route("/auth/logout", methods=["POST"])
@requires("sessions:manage")
@blp.response(204)
def logout() -> None:
    """End the current session: its access and refresh tokens stop working."""
    principal, p = current_principal(), platform()
    if principal.session_id:
        sessions.revoke_session(
            principal,
            principal.session_id,
            reason="logout",
            uow=uow(),
            clock=p.clock,
            revocations=p.revocations,
        )


@blp.route("/auth/password/forgot", methods=["POST"])
@sensitive(mailbox="email")
@public
@blp.arguments(s.ForgotSchema)
@blp.response(202, s.AcceptedSchema)
@_limited("Too many requests from this address or for this email (`rate_limited`)")
def forgot_password(body: dict[str, Any]) -> dict[str, str]:
    """Email a reset link if the account exists (the answer is the same either way)."""
    p = platform()
    services.request_password_reset(body["email"], uow=uow(), clock=p.clock, policy=p.auth_policy)
    return {**ACCEPTED, "detail": "If the address has an account, a reset link is on its way."}


@blp.route("/auth/password/reset", methods=["POST"])
@sensitive()
@public
@rule_codes("weak_password")
@blp.arguments(s.ResetSchema)
@blp.response(200, s.AcceptedSchema)
@_limited()
def reset_password(body: dict[str, Any]) -> dict[str, str]:
    """Set a new password with the token from the reset email; every session ends."""
    p = platform()
    revoked = services.reset_password(
        body["token"], body["password"], uow=uow(), hasher=p.hasher, clock=p.clock
    )
    if revoked:
        p.revocations.revoke(revoked, p.clock.now() + p.auth_policy.refresh_ttl)
    return {"status": "password_changed"}


@blp.route("/auth/wallet/nonce", methods=["POST"])
@rule_codes("wrong_chain")
@sensitive()
@public
@blp.arguments(s.NonceRequestSchema)
@blp.response(200, s.NonceSchema)
@_limited()
def wallet_nonce(body: dict[str, Any]) -> dict[str, str]:
    """A single-use nonce and the EIP-4361 message to sign with the wallet."""
    p = platform()
    nonce, message = wallets.issue_nonce(
        body["address"],
        body["chain_id"],
        purpose=body["purpose"],
        uow=uow(),
        clock=p.clock,
        policy=p.auth_policy,
        checksum=p.checksum_address,
    )
    return {"nonce": nonce, "message": message}


@blp.route("/auth/wallet/verify", methods=["POST"])
@sensitive()
@public
@blp.arguments(s.SignedMessageSchema)
@blp.response(200, s.TokenPairSchema)
@blp.alt_response(401, schema=ProblemSchema, description="Message or signature refused")
@_limited()
def wallet_verify(body: dict[str, Any]) -> dict[str, Any]:
    """Sign in with Ethereum: the signed message from `/auth/wallet/nonce`."""
    p = platform()
    grant = wallets.wallet_login(
        body["message"],
        body["signature"],
        uow=uow(),
        clock=p.clock,
        policy=p.auth_policy,
        signatures=p.signatures,
        is_checksum=p.is_checksum_address,
        client=_client(),
    )
    return issue_tokens(grant)


@blp.route("/me", methods=["GET"])
@requires("profile:read")
@blp.response(200, s.UserSchema)
def me() -> UserView:
    """The signed-in user."""
    return profile.get_profile(current_principal(), uow=uow())


@blp.route("/me", methods=["PATCH"])
@requires("profile:update")
@blp.arguments(s.ProfileUpdateSchema)
@blp.response(200, s.UserSchema)
def update_me(body: dict[str, Any]) -> UserView:
    """Change the display name."""
    return profile.update_profile(current_principal(), display_name=body["display_name"], uow=uow())


@blp.route("/me/sessions", methods=["GET"])
@requires("sessions:manage")
@blp.response(200, s.SessionSchema(many=True))
@paginated(blp)
def my_sessions(page: Page) -> tuple[Sequence[SessionView], int]:
    """Active sessions of the signed-in user (`current` marks this one)."""
    return page.of(sessions.list_sessions(current_principal(), uow=uow(), clock=platform().clock))


@blp.route("/me/sessions/<session_id>", methods=["DELETE"])
@requires("sessions:manage")
@blp.response(204)
def revoke_my_session(session_id: str) -> None:
    """End one of your sessions (another device, say)."""
    p = platform()
    sessions.revoke_session(
        current_principal(),
        session_id,
        reason="revoked_by_user",
        uow=uow(),
        clock=p.clock,
        revocations=p.revocations,
    )


@blp.route("/me/wallets", methods=["POST"])
@requires("wallets:link")
@blp.arguments(s.SignedMessageSchema)
@blp.response(200, s.UserSchema)
def link_wallet(body: dict[str, Any]) -> UserView:
    """Link a wallet: sign the message of a `purpose: link` nonce with it."""
    p = platform()
    return wallets.link_wallet(
        current_principal(),
        body["message"],
        body["signature"],
        uow=uow(),
        clock=p.clock,
        policy=p.auth_policy,
        signatures=p.signatures,
        is_checksum=p.is_checksum_address,
    )
