"""The platform contracts' compiled artifacts, call encoding and fast event decoding.

Logs are decoded straight from the raw topics and data into plain dicts (addresses as
EIP-55 strings, fixed bytes as 0x hex, integers, booleans and strings as such): events
whose data holds only static values are read slot by slot, the others with `eth_abi`
(itself several times faster than web3's `process_log`). The platform decoder also reads the
events of earlier contract versions still deployed (see `LEGACY_DIR`), completed to the
current shape, so the indexer reads old and new blocks alike.

`revert_reason` turns a revert's data into the contract's reason: the `require` string, the
panic code, or a custom error with its arguments."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import eth_abi
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from app.domain.shared.chain import ChainEvent
from app.ports.chain import RawLog

ARTIFACTS_DIR = Path(__file__).resolve().parents[3] / "contracts" / "artifacts"
CONTRACT_NAMES = ("CarbonRegistry", "CarbonGovernance")
# Artifacts of contract versions deployed before the current sources (see
# contracts/README.md): their events that changed shape are still decoded.
LEGACY_DIR = ARTIFACTS_DIR / "legacy"
# The registry that recorded retirements as serial ranges only (before kilogram ranges):
# its CreditsRetired has no kgStart/kgEnd.
LEGACY_REGISTRY = "CarbonRegistry-v1"

AbiEntry = Mapping[str, Any]
_Converter = Callable[[Any], Any]
# Brings the arguments of an earlier contract version's event to the current shape.
Completer = Callable[[dict[str, Any]], None]


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
    complete: Completer | None = None

    @classmethod
    def of(cls, entry: AbiEntry, complete: Completer | None = None) -> _EventSpec:
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
            complete=complete,
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
    which contract emitted a log is the caller's business, by its address.

    `legacy` adds events of earlier versions of those contracts, by name, each with the
    function that completes its arguments to the current event's shape; a legacy event
    whose signature did not change is the current one and is left alone."""

    def __init__(
        self,
        artifacts: Iterable[Artifact],
        legacy: Iterable[tuple[Artifact, Mapping[str, Completer]]] = (),
    ) -> None:
        self._specs: dict[str, _EventSpec] = {}
        for artifact in artifacts:
            for entry in _events(artifact):
                self._specs[event_topic(entry)] = _EventSpec.of(entry)
        self._current = {spec.name: topic for topic, spec in self._specs.items()}
        for artifact, completers in legacy:
            for entry in _events(artifact):
                topic = event_topic(entry)
                if entry["name"] in completers and topic not in self._specs:
                    self._specs[topic] = _EventSpec.of(entry, completers[entry["name"]])

    @property
    def topics(self) -> dict[str, str]:
        """Event name -> topic 0 of the current contracts (legacy topics left out)."""
        return dict(self._current)

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
        if spec.complete is not None:
            spec.complete(args)
        return ChainEvent(
            spec.name,
            args,
            raw.address,
            raw.block_number,
            raw.block_hash,
            raw.transaction_hash,
            raw.log_index,
        )


def _events(artifact: Artifact) -> Iterable[AbiEntry]:
    return (e for e in artifact.abi if e.get("type") == "event" and not e.get("anonymous"))


def _kilograms_from_serials(args: dict[str, Any]) -> None:
    """A v1 retirement names serials, not kilograms: its range is taken to start at its
    first serial's first kilogram (see contracts/README.md)."""
    args["kgStart"] = args["serialStart"] * 1000
    args["kgEnd"] = args["kgStart"] + args["amountKg"] - 1


LEGACY_COMPLETERS: dict[str, Mapping[str, Completer]] = {
    LEGACY_REGISTRY: {"CreditsRetired": _kilograms_from_serials},
}


@cache
def platform_decoder() -> EventDecoder:
    """The current platform contracts' events, plus those of the legacy versions."""
    legacy = [(load_artifact(n, LEGACY_DIR), c) for n, c in LEGACY_COMPLETERS.items()]
    return EventDecoder((load_artifact(name) for name in CONTRACT_NAMES), legacy)


def decode_log(raw: RawLog) -> ChainEvent:
    """Decodes a log of the platform contracts, current or legacy (raises `UnknownEvent`
    otherwise)."""
    return platform_decoder().decode(raw)


def event_topics() -> dict[str, str]:
    """Event name -> topic 0, for the current platform contracts."""
    return platform_decoder().topics


# --- revert data ---------------------------------------------------------------------------

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string): require and revert with a text
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256): failed assert, overflow, bad index...


@dataclass(frozen=True)
class _ErrorSpec:
    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    plain: tuple[_Converter, ...]


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
                    plain=tuple(_plain(t) for t in types),
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
