"""Fast decoding of the platform contracts' events.

Logs are decoded straight from the raw topics and data into plain dicts (see
`abi.to_plain`): events whose data holds only static values are read slot by slot, the
others with `eth_abi` (itself several times faster than web3's `process_log`). The
platform decoder also reads the events of earlier contract versions still deployed (see
`LEGACY_DIR`), completed to the current shape, so the indexer reads old and new blocks
alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import eth_abi

from app.adapters.chain.abi import (
    CONTRACT_NAMES,
    LEGACY_DIR,
    LEGACY_REGISTRY,
    AbiEntry,
    Artifact,
    Converter,
    canonical_type,
    checksum,
    event_topic,
    load_artifact,
    to_plain,
)
from app.domain.shared.chain import ChainEvent
from app.ports.chain import RawLog

# Brings the arguments of an earlier contract version's event to the current shape.
Completer = Callable[[dict[str, Any]], None]


class UnknownEvent(LookupError):
    """The log's first topic matches no event of the known contracts."""


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
    plain = to_plain(kind)
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
    data_plain: tuple[Converter, ...]
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
            data_plain=tuple(to_plain(t) for t in types),
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
