"""The platform contracts' compiled artifacts and their ABI: signatures, call encoding and
result decoding, and how decoded ABI values become plain ones (addresses as EIP-55
strings, fixed bytes as 0x hex, integers, booleans and strings as such). Events are
decoded in `app.adapters.chain.events`, revert data in `app.adapters.chain.reverts`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import eth_abi
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

ARTIFACTS_DIR = Path(__file__).resolve().parents[3] / "contracts" / "artifacts"
CONTRACT_NAMES = ("CarbonRegistry", "CarbonGovernance")
# Artifacts of contract versions deployed before the current sources (see
# contracts/README.md): their events that changed shape are still decoded.
LEGACY_DIR = ARTIFACTS_DIR / "legacy"
# The registry that recorded retirements as serial ranges only (before kilogram ranges):
# its CreditsRetired has no kgStart/kgEnd.
LEGACY_REGISTRY = "CarbonRegistry-v1"

AbiEntry = Mapping[str, Any]
Converter = Callable[[Any], Any]  # a decoded eth_abi value -> its plain value


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: tuple[AbiEntry, ...]
    bytecode: bytes
    solc: str


@cache
def load_artifact(name: str, directory: Path = ARTIFACTS_DIR) -> Artifact:
    data = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    return Artifact(
        name=name,
        abi=tuple(data["abi"]),
        bytecode=bytes.fromhex(data["bytecode"].removeprefix("0x")),
        solc=data["solc"],
    )


def canonical_type(param: AbiEntry) -> str:
    """`uint256`, `string[]`, `(address,uint256)[]`: the type as it appears in signatures."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(entry: AbiEntry) -> str:
    return f"{entry['name']}({','.join(canonical_type(p) for p in entry['inputs'])})"


def event_topic(entry: AbiEntry) -> str:
    return "0x" + keccak(text=signature(entry)).hex()


# --- calls ---------------------------------------------------------------------------------


@cache
def _function(artifact_name: str, function: str) -> tuple[bytes, tuple[str, ...]]:
    for entry in load_artifact(artifact_name).abi:
        if entry.get("type") == "function" and entry["name"] == function:
            types = tuple(canonical_type(p) for p in entry["inputs"])
            return keccak(text=signature(entry))[:4], types
    raise LookupError(f"{artifact_name} has no function {function}")


def encode_call(artifact_name: str, function: str, args: Sequence[Any]) -> bytes:
    """Calldata: the 4-byte selector and the ABI-encoded arguments."""
    selector, types = _function(artifact_name, function)
    return selector + eth_abi.encode(types, list(args))


def decode_result(artifact_name: str, function: str, data: bytes) -> tuple[Any, ...]:
    for entry in load_artifact(artifact_name).abi:
        if entry.get("type") == "function" and entry["name"] == function:
            return tuple(eth_abi.decode([canonical_type(p) for p in entry["outputs"]], data))
    raise LookupError(f"{artifact_name} has no function {function}")


# --- values --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def checksum(address: str) -> str:
    return str(to_checksum_address(address))


def to_plain(kind: str) -> Converter:
    """How a decoded `eth_abi` value of this type becomes a plain value."""
    if kind == "address":
        return checksum
    if kind.startswith("bytes"):
        return lambda value: "0x" + bytes(value).hex()
    if kind.endswith("]"):
        item = to_plain(kind[: kind.rindex("[")])
        return lambda values: [item(v) for v in values]
    return lambda value: value
