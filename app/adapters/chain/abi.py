"""The platform contracts' compiled artifacts, call encoding and fast event decoding.

Logs are decoded straight from the raw topics and data into plain dicts (addresses as
EIP-55 strings, fixed bytes as 0x hex, integers, booleans and strings as such): events
whose data holds only static values are read slot by slot, the others with `eth_abi`
(itself several times faster than web3's `process_log`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import eth_abi
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from app.domain.shared.chain import ChainEvent
from app.ports.chain import RawLog

ARTIFACTS_DIR = Path(__file__).resolve().parents[3] / "contracts" / "artifacts"
CONTRACT_NAMES = ("CarbonRegistry", "CarbonGovernance")

AbiEntry = Mapping[str, Any]
_Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: tuple[AbiEntry, ...]
    bytecode: bytes
    solc: str


class UnknownEvent(LookupError):
    """The log's first topic matches no event of the known contracts."""


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


# --- events --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def checksum(address: str) -> str:
    return str(to_checksum_address(address))


def _plain(kind: str) -> _Converter:
    """How a decoded `eth_abi` value of this type becomes a plain value."""
    if kind == "address":
        return checksum
    if kind.startswith("bytes"):
        return lambda value: "0x" + bytes(value).hex()
    if kind.endswith("]"):
        item = _plain(kind[: kind.rindex("[")])
        return lambda values: [item(v) for v in values]
    return lambda value: value


def _topic_reader(kind: str) -> Callable[[str], Any]:
    """Indexed value from its topic (0x + 64 hex digits)."""
    if kind == "address":
        return lambda topic: checksum("0x" + topic[-40:])
    if kind.startswith("uint"):
        return lambda topic: int(topic, 16)
    if kind == "bytes32":
        return lambda topic: topic
    if kind == "bool":
        return lambda topic: int(topic, 16) != 0
    if kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("("):
        return lambda topic: topic  # dynamic indexed values are stored as their hash
    plain = _plain(kind)
    return lambda topic: plain(eth_abi.decode([kind], bytes.fromhex(topic[2:]))[0])


_SLOT = 32


def _slot_reader(kind: str) -> Callable[[bytes], Any] | None:
    """How a static value is read from its 32-byte slot, or None for the types left to
    `eth_abi`. Raises ValueError on a slot that is not a valid encoding of the type."""
    if kind == "address":

        def address(slot: bytes) -> str:
            if any(slot[:12]):
                raise ValueError("address slot with non-zero padding")
            return checksum("0x" + slot[12:].hex())

        return address
    if kind == "bool":

        def boolean(slot: bytes) -> bool:
            value = int.from_bytes(slot, "big")
            if value > 1:
                raise ValueError("bool slot above 1")
            return value == 1

        return boolean
    if kind.startswith("uint") and kind[4:].isdigit():
        bits = int(kind[4:])

        def unsigned(slot: bytes) -> int:
            value = int.from_bytes(slot, "big")
            if value >> bits:
                raise ValueError(f"{kind} slot out of range")
            return value

        return unsigned
    if kind.startswith("bytes") and kind[5:].isdigit():
        size = int(kind[5:])

        def fixed_bytes(slot: bytes) -> str:
            if any(slot[size:]):
                raise ValueError(f"{kind} slot with non-zero padding")
            return "0x" + slot[:size].hex()

        return fixed_bytes
    return None  # intN and everything dynamic: eth_abi


@dataclass(frozen=True)
class _EventSpec:
    name: str
    indexed: tuple[tuple[str, Callable[[str], Any]], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]
    data_plain: tuple[_Converter, ...]
    slots: tuple[Callable[[bytes], Any], ...] | None  # every data value static: slot readers

    @classmethod
    def of(cls, entry: AbiEntry) -> _EventSpec:
        indexed = [p for p in entry["inputs"] if p["indexed"]]
        data = [p for p in entry["inputs"] if not p["indexed"]]
        types = tuple(canonical_type(p) for p in data)
        readers = [_slot_reader(t) for t in types]
        return cls(
            name=str(entry["name"]),
            indexed=tuple((p["name"], _topic_reader(canonical_type(p))) for p in indexed),
            data_names=tuple(p["name"] for p in data),
            data_types=types,
            data_plain=tuple(_plain(t) for t in types),
            slots=tuple(r for r in readers if r is not None) if all(readers) else None,
        )

    def data(self, data: bytes) -> dict[str, Any]:
        if self.slots is not None and len(data) == _SLOT * len(self.slots):
            try:
                return {
                    name: read(data[i * _SLOT : (i + 1) * _SLOT])
                    for i, (name, read) in enumerate(zip(self.data_names, self.slots, strict=True))
                }
            except ValueError:
                pass  # let eth_abi say what is wrong
        values = eth_abi.decode(self.data_types, data)
        return {
            name: plain(value)
            for name, plain, value in zip(self.data_names, self.data_plain, values, strict=True)
        }


class EventDecoder:
    """Decodes the logs of a set of contract ABIs (one decoder per ABI generation). Events
    are told apart by topic only (two contracts may share one, like OwnershipTransferred):
    which contract emitted a log is the caller's business, by its address."""

    def __init__(self, artifacts: Iterable[Artifact]) -> None:
        self._specs: dict[str, _EventSpec] = {}
        for artifact in artifacts:
            for entry in artifact.abi:
                if entry.get("type") == "event" and not entry.get("anonymous"):
                    self._specs[event_topic(entry)] = _EventSpec.of(entry)

    @property
    def topics(self) -> dict[str, str]:
        """Event name -> topic 0."""
        return {spec.name: topic for topic, spec in self._specs.items()}

    def decode(self, raw: RawLog) -> ChainEvent:
        spec = self._specs.get(raw.topics[0].lower()) if raw.topics else None
        if spec is None:
            raise UnknownEvent(f"unknown event topic in log {raw.transaction_hash}#{raw.log_index}")
        args: dict[str, Any] = {
            name: read(topic)
            for (name, read), topic in zip(spec.indexed, raw.topics[1:], strict=True)
        }
        if spec.data_types:
            args.update(spec.data(raw.data))
        return ChainEvent(
            spec.name,
            args,
            raw.address,
            raw.block_number,
            raw.block_hash,
            raw.transaction_hash,
            raw.log_index,
        )


@cache
def platform_decoder() -> EventDecoder:
    return EventDecoder(load_artifact(name) for name in CONTRACT_NAMES)


def decode_log(raw: RawLog) -> ChainEvent:
    """Decodes a log of the current platform contracts (raises `UnknownEvent` otherwise)."""
    return platform_decoder().decode(raw)


def event_topics() -> dict[str, str]:
    """Event name -> topic 0, for the current platform contracts."""
    return platform_decoder().topics
