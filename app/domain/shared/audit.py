"""The audit log: append-only, hash-chained entries, and the check of the whole chain.

Entry n's hash is SHA-256 over the previous entry's hash and the RFC 8785 form of the
entry's own fields, so changing, removing or reordering any entry breaks every link
after it; the head (length and last hash) is kept apart so a cut tail shows too."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.domain.shared.clock import isoformat
from app.domain.shared.hashing import sha256_hex
from app.domain.shared.ids import new_id
from app.domain.shared.json import JSON, canonical, to_json

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """What a use case records about one state change (never a secret)."""

    action: str
    entity_type: str
    entity_id: str
    actor_id: str | None
    before: object = None  # JSON-able: dicts, lists, str, int, Decimal, datetime
    after: object = None
    organization_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """A record as stored: numbered, timed and chained."""

    seq: int
    id: str
    occurred_at: datetime
    action: str
    entity_type: str
    entity_id: str
    actor_id: str | None
    organization_id: str | None
    request_id: str | None
    before: JSON
    after: JSON
    prev_hash: str
    hash: str

    def content(self) -> dict[str, JSON]:
        """The fields the hash covers."""
        return {
            "seq": self.seq,
            "id": self.id,
            "occurred_at": isoformat(self.occurred_at),
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "actor_id": self.actor_id,
            "organization_id": self.organization_id,
            "request_id": self.request_id,
            "before": to_json(self.before),
            "after": to_json(self.after),
        }


def chain_hash(prev_hash: str, content: dict[str, JSON]) -> str:
    return sha256_hex(prev_hash.encode("ascii") + b"\n" + canonical(content))


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit log listing; `organization_ids` limits to those organizations."""

    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: str | None = None
    organization_ids: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ChainHead:
    length: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    length: int
    head_hash: str
    broken_at: int | None = None
    reason: str | None = None


def seal(
    records: Sequence[AuditRecord],
    head: ChainHead,
    *,
    at: datetime,
    request_id: str | None,
    make_id: Callable[[], str] = new_id,
) -> tuple[list[AuditEntry], ChainHead]:
    """Number, time and chain records after `head`; returns the entries and the new head."""
    entries: list[AuditEntry] = []
    length, prev = head.length, head.hash
    for record in records:
        length += 1
        draft = AuditEntry(
            seq=length,
            id=make_id(),
            occurred_at=at,
            action=record.action,
            entity_type=record.entity_type,
            entity_id=record.entity_id,
            actor_id=record.actor_id,
            organization_id=record.organization_id,
            request_id=request_id,
            before=to_json(record.before),
            after=to_json(record.after),
            prev_hash=prev,
            hash="",
        )
        entry = replace(draft, hash=chain_hash(prev, draft.content()))
        entries.append(entry)
        prev = entry.hash
    return entries, ChainHead(length, prev)


def verify_chain(entries: Iterable[AuditEntry], head: ChainHead | None) -> ChainReport:
    """Walk the entries in order; report the first broken link, if any."""
    prev, expected_seq = GENESIS_HASH, 1
    for entry in entries:
        problem = _link_problem(entry, prev, expected_seq)
        if problem:
            return ChainReport(False, expected_seq - 1, prev, entry.seq, problem)
        prev, expected_seq = entry.hash, expected_seq + 1
    length = expected_seq - 1
    recorded = head or ChainHead(0, GENESIS_HASH)
    if (recorded.length, recorded.hash) != (length, prev):
        reason = f"chain ends at entry {length} but the head records entry {recorded.length}"
        return ChainReport(False, length, prev, length + 1, reason)
    return ChainReport(True, length, prev)


def _link_problem(entry: AuditEntry, prev: str, expected_seq: int) -> str | None:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing (found {entry.seq})"
    if entry.prev_hash != prev:
        return f"entry {entry.seq} does not point at the previous entry's hash"
    if chain_hash(prev, entry.content()) != entry.hash:
        return f"entry {entry.seq} was altered (its hash does not match its content)"
    return None
