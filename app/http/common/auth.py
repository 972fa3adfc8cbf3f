"""Authentication and the endpoint-level permission check.

Callers authenticate with `Authorization: Bearer <access JWT>` or `X-API-Key`. Tokens
are HS256 only, with `iss`, `aud`, `exp`, `iat`, `jti`, `sub` and `sid` (the session);
the session, the roles and the memberships are loaded fresh on every request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

import jwt
from flask import Flask, g, request
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException

from app.domain.auth import api_keys, sessions
from app.domain.auth.errors import InvalidToken
from app.domain.auth.permissions import API_KEY_SCOPES, ORG_ROLE_PERMISSIONS
from app.domain.auth.principal import Principal
from app.domain.auth.results import SessionGrant
from app.domain.shared.errors import PermissionDenied, Unauthenticated
from app.http.common.blueprint import View, ViewDecorator
from app.http.common.deps import platform, uow

F = TypeVar("F", bound=Callable[..., Any])
AUDIENCE = "carbon-platform-api"
ORG_SCOPED = frozenset().union(*ORG_ROLE_PERMISSIONS.values(), API_KEY_SCOPES)
jwt_manager = JWTManager()


def jwt_config(secret: str, issuer: str, access_minutes: int) -> dict[str, Any]:
    return {
        "JWT_SECRET_KEY": secret,
        "JWT_ALGORITHM": "HS256",
        "JWT_DECODE_ALGORITHMS": ["HS256"],
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=access_minutes),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=30),
        "JWT_ENCODE_ISSUER": issuer,
        "JWT_DECODE_ISSUER": issuer,
        "JWT_ENCODE_AUDIENCE": AUDIENCE,
        "JWT_DECODE_AUDIENCE": AUDIENCE,
        "JWT_DECODE_LEEWAY": 0,
    }


def install(app: Flask) -> None:
    jwt_manager.init_app(app)

    @app.before_request
    def _identify_caller() -> None:
        """Who the rate limiter counts: the token's subject when it verifies, else the IP."""
        token = _bearer()
        if token:
            try:
                claims = decode_token(token)
                g.caller_id = claims["sub"]
                g.verified_token = (token, claims)  # `decode` need not verify it again
            except (jwt.PyJWTError, JWTExtendedException, KeyError):
                g.caller_id = None


def issue_tokens(grant: SessionGrant) -> dict[str, Any]:
    claims = {"sid": grant.session_id}
    access = create_access_token(identity=grant.user_id, additional_claims=claims)
    refresh = create_refresh_token(
        identity=grant.user_id, additional_claims={**claims, "jti": grant.refresh_jti}
    )
    expires = platform().settings.access_token_minutes * 60
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": expires,
    }


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def decode(token: str, expected_type: str) -> dict[str, Any]:
    """Verified claims of one of our tokens, of the expected type, or InvalidToken."""
    verified = g.get("verified_token")
    try:
        if verified is not None and verified[0] == token:
            claims = cast(dict[str, Any], verified[1])
        else:
            claims = cast(dict[str, Any], decode_token(token))
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired", code="token_expired") from None
    except (jwt.PyJWTError, JWTExtendedException, ValueError) as exc:
        raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from None
    if claims.get("type") != expected_type:
        article = "an" if expected_type[:1] in "aeiou" else "a"
        raise InvalidToken(f"{article} {expected_type} token is required", code="wrong_token_type")
    if not isinstance(claims.get("sid"), str) or not isinstance(claims.get("sub"), str):
        raise InvalidToken("the token lacks its session")
    return claims


def refresh_claims() -> dict[str, Any]:
    token = _bearer()
    if token is None:
        raise Unauthenticated("send the refresh token as a bearer token", code="missing_token")
    return decode(token, "refresh")


def authenticate() -> Principal | None:
    """The caller of this request, or None when it sent no credentials."""
    if "principal" in g:
        return cast(Principal | None, g.principal)
    principal = None
    key = request.headers.get("X-API-Key")
    token = _bearer()
    if key:
        principal = api_keys.principal_for_api_key(key, uow=uow(), clock=platform().clock)
    elif token:
        claims = decode(token, "access")
        principal = sessions.principal_for_session(
            claims["sub"],
            claims["sid"],
            uow=uow(),
            revocations=platform().revocations,
            clock=platform().clock,
        )
    g.principal = principal
    return principal


def current_principal() -> Principal:
    principal = authenticate()
    if principal is None:
        raise Unauthenticated("sign in, or send an API key", code="missing_token")
    return principal


def requires(permission: str) -> ViewDecorator:
    """Declare the endpoint's permission. Platform permissions are checked here (403);
    organization-scoped ones are checked by the service against the organization
    itself (404 outside it, 403 inside without the sub-role)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if permission not in ORG_SCOPED and not principal.can(permission):
                raise PermissionDenied(f"this requires the {permission} permission")
            return view(*args, **kwargs)

        doc = getattr(wrapper, "_apidoc", {})
        vars(wrapper)["_apidoc"] = {
            **doc,
            "manual_doc": {
                **doc.get("manual_doc", {}),
                "security": [{"bearer": []}, {"api_key": []}],
                "description": f"Permission: `{permission}`.",
            },
        }
        vars(wrapper)["permission"] = permission
        return wrapper

    return decorator


def public(view: F) -> F:
    """Mark an endpoint that needs no credentials (documented as such)."""
    vars(view)["permission"] = None
    return view
