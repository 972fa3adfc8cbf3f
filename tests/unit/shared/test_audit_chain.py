from dataclasses import replace
from datetime import UTC, datetime

from app.domain.shared.audit import (
    GENESIS_HASH,
    AuditRecord,
    ChainHead,
    seal,
    verify_chain,
)

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _chain(n: int):
    records = [
        AuditRecord("thing.changed", "thing", f"t{i}", "u1", before={"v": i}, after={"v": i + 1})
        for i in range(n)
    ]
    return seal(records, ChainHead(0, GENESIS_HASH), at=AT, request_id="r1")


def test_a_sealed_chain_verifies():
    entries, head = _chain(5)
    report = verify_chain(entries, head)
    assert report.valid
    assert (report.length, report.head_hash) == (5, head.hash)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].prev_hash == entries[0].hash


def test_an_empty_chain_is_valid_at_genesis():
    assert verify_chain([], None).valid
    assert verify_chain([], None).head_hash == GENESIS_HASH


def test_an_edited_entry_is_reported_where_it_breaks():
    entries, head = _chain(5)
    entries[2] = replace(entries[2], after={"v": 999})
    report = verify_chain(entries, head)
    assert not report.valid
    assert report.broken_at == 3
    assert "altered" in (report.reason or "")


def test_a_removed_entry_is_reported():
    entries, head = _chain(5)
    del entries[1]
    report = verify_chain(entries, head)
    assert (report.valid, report.broken_at) == (False, 3)


def test_a_removed_tail_is_caught_by_the_head():
    entries, head = _chain(5)
    report = verify_chain(entries[:4], head)
    assert not report.valid
    assert report.broken_at == 5


def test_a_rehashed_forgery_still_breaks_the_next_link():
    entries, head = _chain(3)
    forged = replace(entries[0], actor_id="someone-else")
    entries[0] = replace(forged, hash="f" * 64)
    assert verify_chain(entries, head).broken_at == 1


def test_sealing_continues_from_a_head():
    first, head = _chain(2)
    more, head2 = seal([AuditRecord("x", "y", "z", None)], head, at=AT, request_id=None)
    assert more[0].seq == 3
    assert verify_chain(first + more, head2).valid
