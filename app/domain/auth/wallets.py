"""Sign-In with Ethereum (EIP-4361): nonces, login and linking a wallet to an account."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.auth import siwe
from app.domain.auth.errors import InvalidToken
from app.domain.auth.model import NoncePurpose, User, WalletNonce, new_secret
from app.domain.auth.permissions import Role
from app.domain.auth.policy import AuthPolicy
from app.domain.auth.principal import Principal
from app.domain.auth.results import SessionGrant, UserView
from app.domain.auth.services import ClientInfo, open_session
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, InvalidValue, NotFound
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW
from app.ports.signatures import SignatureVerifier


def issue_nonce(
    address: str,
    chain_id: int,
    *,
    purpose: NoncePurpose = "login",
    uow: AuthUoW,
    clock: Clock,
    policy: AuthPolicy,
    checksum: Callable[[str], str],
) -> tuple[str, str]:
    """A single-use nonce and the exact message the wallet must sign."""
    try:
        address = checksum(address)
    except ValueError:
        raise InvalidValue("not an Ethereum address", code="invalid_address") from None
    if chain_id != policy.chain_id:
        raise InvalidValue(f"this platform runs on chain {policy.chain_id}", code="wrong_chain")
    now = clock.now()
    nonce = new_secret(12).replace("-", "a").replace("_", "b")
    message = siwe.build_message(
        siwe.SiweMessage(
            domain=policy.siwe_domain,
            address=address,
            statement=policy.siwe_statement,
            uri=policy.siwe_uri,
            version="1",
            chain_id=chain_id,
            nonce=nonce,
            issued_at=now,
            expiration_time=now + policy.nonce_ttl,
            not_before=None,
            request_id=None,
            resources=(),
        )
    )
    with uow:
        uow.nonces.add(
            WalletNonce(nonce, address, chain_id, message, now, now + policy.nonce_ttl, purpose)
        )
        uow.commit()
    return nonce, message


def _verified_address(
    message: str,
    signature: str,
    purpose: NoncePurpose,
    *,
    uow: AuthUoW,
    clock: Clock,
    policy: AuthPolicy,
    signatures: SignatureVerifier,
    is_checksum: Callable[[str], bool],
) -> str:
    """Check the message, its nonce and its signature inside the caller's transaction."""
    try:
        parsed = siwe.parse_message(message, is_checksum_address=is_checksum)
        siwe.validate(
            parsed,
            expected_domain=policy.siwe_domain,
            expected_uri_prefix=policy.siwe_uri,
            expected_chain_id=policy.chain_id,
            now=clock.now(),
        )
    except siwe.SiweError as exc:
        reason = getattr(exc, "reason", None) or "malformed"
        raise InvalidToken(f"sign-in message refused: {exc}", code=f"siwe_{reason}") from None
    stored = uow.nonces.get_for_update(parsed.nonce)
    if stored is None or stored.address != parsed.address or stored.purpose != purpose:
        raise InvalidToken("unknown nonce", code="siwe_nonce")
    stored.consume(clock.now())
    uow.nonces.save(stored)
    try:
        signer = signatures.recover_address(message, signature)
    except ValueError:
        raise InvalidToken("malformed signature", code="siwe_signature") from None
    if signer.lower() != parsed.address.lower():
        raise InvalidToken("the signature is not from this address", code="siwe_signature")
    return parsed.address


def wallet_login(
    message: str,
    signature: str,
    *,
    uow: AuthUoW,
    clock: Clock,
    policy: AuthPolicy,
    signatures: SignatureVerifier,
    is_checksum: Callable[[str], bool],
    client: ClientInfo,
) -> SessionGrant:
    """Log in with a signed SIWE message; an unknown wallet gets a new retail account."""
    with uow:
        address = _verified_address(
            message,
            signature,
            "login",
            uow=uow,
            clock=clock,
            policy=policy,
            signatures=signatures,
            is_checksum=is_checksum,
        )
        user = uow.users.by_wallet(address)
        if user is None:
            user = User(
                new_id(),
                None,
                f"{address[:6]}…{address[-4:]}",
                None,
                clock.now(),
                roles={Role.RETAIL},
                wallets=[address],
            )
            uow.users.add(user)
            uow.audit(
                AuditRecord("user.registered", "user", user.id, user.id, after={"wallet": address})
            )
        if user.disabled:
            raise InvalidToken("this account is disabled")
        grant = open_session(user, "siwe", uow=uow, clock=clock, policy=policy, client=client)
        uow.commit()
        return grant


def link_wallet(
    principal: Principal,
    message: str,
    signature: str,
    *,
    uow: AuthUoW,
    clock: Clock,
    policy: AuthPolicy,
    signatures: SignatureVerifier,
    is_checksum: Callable[[str], bool],
) -> UserView:
    with uow:
        address = _verified_address(
            message,
            signature,
            "link",
            uow=uow,
            clock=clock,
            policy=policy,
            signatures=signatures,
            is_checksum=is_checksum,
        )
        if principal.user_id is None:
            raise NotFound("API keys have no wallets")
        owner = uow.users.by_wallet(address)
        if owner is not None and owner.id != principal.user_id:
            raise Conflict("this wallet belongs to another account", code="wallet_taken")
        user = uow.users.get_for_update(principal.user_id)
        if user is None:
            raise NotFound("user not found")
        if address not in user.wallets:
            user.wallets.append(address)
            uow.users.save(user)
            uow.audit(
                AuditRecord(
                    "user.wallet_linked", "user", user.id, user.id, after={"wallet": address}
                )
            )
        uow.commit()
        return UserView.of(user)
