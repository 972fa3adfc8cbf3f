"""Revert data as the contracts' errors: the `require` string, the panic code, or a
custom error of the platform contracts with its arguments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import eth_abi
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak

from app.adapters.chain.abi import (
    CONTRACT_NAMES,
    Converter,
    canonical_type,
    load_artifact,
    signature,
    to_plain,
)

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string): require and revert with a text
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256): failed assert, overflow, bad index...


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    plain: tuple[Converter, ...]


@cache
def _platform_errors() -> dict[bytes, _ErrorSpec]:
    """Custom errors of the current platform contracts by 4-byte selector."""
    errors: dict[bytes, _ErrorSpec] = {}
    for artifact in map(load_artifact, CONTRACT_NAMES):
        for entry in artifact.abi:
            if entry.get("type") == "error":
                types = tuple(canonical_type(p) for p in entry["inputs"])
                errors[keccak(text=signature(entry))[:4]] = _ErrorSpec(
                    name=str(entry["name"]),
                    names=tuple(str(p["name"]) for p in entry["inputs"]),
                    types=types,
                    plain=tuple(to_plain(t) for t in types),
                )
    return errors


_Argument = tuple[str, str, Any]  # name, ABI type, plain value


def _decode_error(data: bytes | str) -> tuple[str, tuple[_Argument, ...]] | None:
    raw = _revert_bytes(data)
    if raw is None or len(raw) < 4:
        return None
    selector, body = raw[:4], raw[4:]
    try:
        if selector == _ERROR_STRING:
            return "Error", (("message", "string", eth_abi.decode(["string"], body)[0]),)
        if selector == _PANIC:
            return "Panic", (("code", "uint256", eth_abi.decode(["uint256"], body)[0]),)
        spec = _platform_errors().get(selector)
        if spec is None:
            return None
        values = eth_abi.decode(spec.types, body)
    except (DecodingError, UnicodeDecodeError):
        return None
    arguments = zip(spec.names, spec.types, spec.plain, values, strict=True)
    return spec.name, tuple(
        (name or f"arg{i}", kind, plain(value))
        for i, (name, kind, plain, value) in enumerate(arguments)
    )


def revert_error(data: bytes | str) -> tuple[str, dict[str, Any]] | None:
    """The error in revert data (bytes, or hex with or without 0x) and its arguments:
    `("Error", {"message": ...})`, `("Panic", {"code": ...})` or a platform contract's
    custom error; None when the data is empty, not hex, of no known error, or not a valid
    encoding of its arguments."""
    found = _decode_error(data)
    if found is None:
        return None
    name, arguments = found
    return name, {key: value for key, _, value in arguments}


def revert_name(data: bytes | str) -> str | None:
    """The name of the error in revert data (`KilogramsAlreadyRetired`, `Error`, `Panic`)."""
    found = _decode_error(data)
    return found[0] if found else None


def revert_reason(data: bytes | str) -> str:
    """Revert data as a person reads it: the `require` text, `panic 0x11`,
    `KilogramsAlreadyRetired(tokenId=3, kgStart=1000, kgEnd=1999)` (text arguments in
    double quotes); the data as 0x hex when no known error decodes from it."""
    found = _decode_error(data)
    if found is None:
        raw = _revert_bytes(data)
        return "0x" + raw.hex() if raw is not None else str(data)
    name, arguments = found
    if name == "Error":
        return str(arguments[0][2])
    if name == "Panic":
        return f"panic 0x{arguments[0][2]:02x}"
    shown = ", ".join(f"{key}={_shown(kind, value)}" for key, kind, value in arguments)
    return f"{name}({shown})"


def _revert_bytes(data: bytes | str) -> bytes | None:
    if isinstance(data, str):
        try:
            return bytes.fromhex(data.removeprefix("0x").removeprefix("0X"))
        except ValueError:
            return None
    return bytes(data)


def _shown(kind: str, value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if kind == "string" else str(value)
