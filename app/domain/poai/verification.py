"""Verifying a PoAI proof bundle: its own hashes, its signature, and whose key made it.

A bundle is valid only when all three checks hold:

- hashes: the bundle is a well-formed version 1, its section and bundle hashes can be
  recomputed, and they equal the hashes given with it (when some are given);
- signature: a signature is given and verifies over the recomputed bundle hash;
- key: the key it verifies under is trusted, that is one of the platform's published
  keys (current or retired, each with its key id) or a key that whoever runs the check
  trusts explicitly (the offline command's `--public-key`), and the report says which.

A public key or key id that travels with the bundle is only a claim: it picks which
trusted key to check with, and is never a reason to trust that key, since anyone can
sign a forged bundle with a key of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from app.domain.poai.bundle import SIGNATURE_ALGORITHM, section_hashes
from app.domain.poai.bundle_shape import CATEGORIES
from app.domain.shared.errors import InvalidValue
from app.ports.signing import BundleSigner, SignatureChecker

Trust = Literal["platform", "explicit"]
HASH_NAMES = (*CATEGORIES, "bundle")


@dataclass(frozen=True)
class TrustedKey:
    """A public key whose signatures count: a platform key, published with its id and
    whether it still signs (`current`) or only checks older proofs (`retired`), or a
    key the caller trusts explicitly (no platform id)."""

    key_id: str | None
    public_key: str
    trusted_as: Trust = "platform"
    status: Literal["current", "retired"] = "current"
    algorithm: str = SIGNATURE_ALGORITHM


@dataclass(frozen=True)
class HashCheck:
    ok: bool
    problems: list[str]
    compared: bool  # whether hashes were given with the bundle and compared


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    detail: str


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    key_id: str | None  # the trusted key's own id, never the claimed one
    trusted: bool
    trusted_as: Trust | None
    detail: str


@dataclass(frozen=True)
class Checks:
    hashes: HashCheck
    signature: SignatureCheck
    key: KeyCheck


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    hashes: dict[str, str]  # recomputed from the bundle
    signature_valid: bool | None  # None: neither a signature nor a public key was given
    problems: list[str]
    checks: Checks

    @property
    def key_id(self) -> str | None:
        return self.checks.key.key_id

    @property
    def key_trusted(self) -> bool:
        return self.checks.key.trusted

    def report(self) -> dict[str, Any]:
        """The result as JSON data, shaped like the HTTP answer."""
        return {**asdict(self), "key_id": self.key_id, "key_trusted": self.key_trusted}


def platform_keys(signer: BundleSigner, retired: Mapping[str, str]) -> tuple[TrustedKey, ...]:
    """The platform's published keys: the signer's (current) first, then the retired
    ones (key id -> public key) that still check the proofs they signed."""
    if signer.key_id in retired:
        raise InvalidValue(f"the retired key id {signer.key_id!r} is the signing key's id")
    current = TrustedKey(signer.key_id, signer.public_key())
    old = (TrustedKey(kid, key, status="retired") for kid, key in retired.items())
    return (current, *old)


def verify_bundle(
    bundle: object,
    *,
    signature: object,
    public_key: object,
    trusted: Sequence[TrustedKey],
    checker: SignatureChecker,
    key_id: object = None,
    algorithm: object = None,
    hashes: object = None,
) -> VerificationResult:
    """Check a bundle from itself and the trusted keys alone (see the module docstring);
    the claims that came with it are the other arguments. Never raises for bad input."""
    computed, problems = section_hashes(bundle)
    problems += _claimed_hash_problems(hashes, computed)
    hash_check = HashCheck(not problems, list(problems), hashes is not None)
    claims = _claim_problems(signature, public_key, key_id, algorithm)
    if claims:
        signature_check = SignatureCheck(False, "; ".join(claims))
        key_check = KeyCheck(False, None, False, None, "no key was checked: " + claims[0])
    else:
        signature_check, key_check = _signed_by(
            computed.get("bundle"),
            signature=signature,
            public_key=public_key,
            key_id=key_id,
            trusted=trusted,
            checker=checker,
        )
    problems += [c.detail for c in (signature_check, key_check) if not c.ok]
    given = signature is not None or public_key is not None
    return VerificationResult(
        valid=hash_check.ok and signature_check.ok and key_check.ok,
        hashes=computed,
        signature_valid=signature_check.ok if given else None,
        problems=problems,
        checks=Checks(hash_check, signature_check, key_check),
    )


def _claimed_hash_problems(claimed: object, computed: Mapping[str, str]) -> list[str]:
    if claimed is None:
        return []
    if not isinstance(claimed, dict):
        return ["hashes: must be an object of hex digests"]
    problems = [f"hashes.{k}: unexpected" for k in sorted(map(str, set(claimed) - set(HASH_NAMES)))]
    for name in HASH_NAMES:
        if name not in claimed:
            problems.append(f"hashes.{name}: missing")
        elif name in computed and claimed[name] != computed[name]:
            problems.append(f"hashes.{name}: differs from the hash recomputed from the bundle")
    return problems


def _claim_problems(signature: object, *claims: object) -> list[str]:
    names = ("signature", "public_key", "key_id", "algorithm")
    problems = [
        f"{name}: must be text"
        for name, value in zip(names, (signature, *claims), strict=True)
        if value is not None and not isinstance(value, str)
    ]
    algorithm = claims[2]
    if not problems and algorithm is not None and algorithm != SIGNATURE_ALGORITHM:
        problems.append(f"algorithm: {algorithm!r} is not {SIGNATURE_ALGORITHM}")
    return problems


# A public key to check the signature with, and the trusted key it is (None: untrusted).
_Candidate = tuple[str, TrustedKey | None]


def _signed_by(
    bundle_hash: str | None,
    *,
    signature: object,
    public_key: object,
    key_id: object,
    trusted: Sequence[TrustedKey],
    checker: SignatureChecker,
) -> tuple[SignatureCheck, KeyCheck]:
    """The signature and key checks: which keys the claims point to, and which of them
    (if any) the signature verifies under."""
    candidates, untrusted = _candidates(public_key, key_id, trusted)
    named = isinstance(public_key, str) or isinstance(key_id, str)  # claims pick the key
    signer: _Candidate | None = None
    if not isinstance(signature, str):
        signature_check = SignatureCheck(False, "no signature: the bundle is not signed")
    elif bundle_hash is None:
        detail = "no bundle hash to check the signature against (the bundle is malformed)"
        signature_check = SignatureCheck(False, detail)
    else:
        message = bundle_hash.encode("utf-8")
        signer = next((c for c in candidates if checker.verify(c[0], message, signature)), None)
        signature_check = _signature_of(signer, named=named)
    if signer is None and named and candidates:
        signer = candidates[0]  # the key the claims name, whether it signed or not
    return signature_check, _key_of(signer, untrusted, key_id)


def _candidates(
    public_key: object, key_id: object, trusted: Sequence[TrustedKey]
) -> tuple[list[_Candidate], str | None]:
    """The keys to check the signature with, and why the claimed key is untrusted, if
    so. An untrusted claimed public key is still checked, so the report can say that the
    signature is that key's, and that the key is not one to trust."""
    if isinstance(public_key, str):
        same = [k for k in trusted if k.public_key == public_key]
        if same:
            return [(public_key, same[0])], None
        return [(public_key, None)], "the public key is not a trusted key"
    if isinstance(key_id, str):
        named: list[_Candidate] = [(k.public_key, k) for k in trusted if k.key_id == key_id]
        return named[:1], None if named else f"key_id {key_id!r} is not a trusted key"
    return [(k.public_key, k) for k in trusted], None


def _signature_of(signer: _Candidate | None, *, named: bool) -> SignatureCheck:
    if signer is not None:
        return SignatureCheck(True, f"verifies over the bundle hash under {_named(signer[1])}")
    if named:
        return SignatureCheck(False, "the signature does not match the bundle hash and key")
    return SignatureCheck(False, "the signature does not verify under any trusted key")


def _key_of(signer: _Candidate | None, untrusted: str | None, claim: object) -> KeyCheck:
    """The key the bundle is signed by (or the one key its claims name), and whether
    it is trusted."""
    key = signer[1] if signer is not None else None
    if key is None:
        return KeyCheck(False, None, False, None, untrusted or "no trusted key signed the bundle")
    if key.trusted_as == "platform" and isinstance(claim, str) and claim != key.key_id:
        detail = f"key_id {claim!r} is not the id of this platform key ({key.key_id!r})"
        return KeyCheck(False, key.key_id, True, key.trusted_as, detail)
    return KeyCheck(True, key.key_id, True, key.trusted_as, f"{_named(key)} is trusted")


def _named(key: TrustedKey | None) -> str:
    if key is None:
        return "the given public key"
    if key.trusted_as == "explicit":
        return "the explicitly trusted key"
    return f"platform key {key.key_id!r} ({key.status})"
