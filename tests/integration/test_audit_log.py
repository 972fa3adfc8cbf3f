"""The audit log is written with the change it records, and tampering is detected."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.domain.platform.services import verify_audit_chain
from app.domain.shared.audit import AuditRecord


def _record(n: int) -> AuditRecord:
    return AuditRecord(
        "probe.changed", "probe", f"p{n}", "user-1", before={"v": n}, after={"v": n + 1}
    )


def _append(platform, n: int, *, commit: bool = True) -> None:
    with platform.uow(request_id=f"req-{n}") as uow:
        uow.audit(_record(n))
        if commit:
            uow.commit()


@pytest.fixture
def platform(make_platform, any_db_url):
    return make_platform(database_url=any_db_url)


def _tamper(platform, statement: str) -> None:
    """What a DBA with direct access could do: bypass the append-only trigger."""
    engine = platform.db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only"))
            conn.execute(sa.text(statement))
            conn.execute(sa.text("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_append_only"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_logs_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_logs_no_delete"))
            conn.execute(sa.text(statement))


def test_entries_commit_with_their_transaction_and_verify(make_app, any_db_url):
    app = make_app(database_url=any_db_url)
    platform, client = app.extensions["platform"], app.test_client()
    for n in range(5):
        _append(platform, n)
    _append(platform, 99, commit=False)
    report = verify_audit_chain(uow=platform.uow())
    assert (report.valid, report.length) == (True, 5)
    head = client.get("/api/v1/public/audit-logs/head").get_json()
    assert head == {"length": 5, "head_hash": report.head_hash}
    with platform.db.engine.connect() as conn:
        rids = conn.execute(sa.text("SELECT request_id FROM audit_logs ORDER BY seq")).scalars()
        assert list(rids) == [f"req-{n}" for n in range(5)]


def test_the_database_refuses_updates_and_deletes(platform):
    _append(platform, 1)
    for statement in ["UPDATE audit_logs SET action = 'x'", "DELETE FROM audit_logs"]:
        with pytest.raises(sa.exc.DatabaseError), platform.db.engine.begin() as conn:
            conn.execute(sa.text(statement))


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE audit_logs SET after = '{\"v\": 999}' WHERE seq = 2", 2),
        ("UPDATE audit_logs SET actor_id = 'mallory' WHERE seq = 3", 3),
        ("DELETE FROM audit_logs WHERE seq = 2", 3),
        ("DELETE FROM audit_logs WHERE seq = 4", 4),  # the tail: only the head shows it
    ],
)
def test_edited_or_deleted_rows_are_detected(platform, statement, broken_at):
    for n in range(4):
        _append(platform, n)
    _tamper(platform, statement)
    report = verify_audit_chain(uow=platform.uow())
    assert not report.valid
    assert report.broken_at == broken_at


def test_the_cli_verifier_exits_non_zero_on_a_broken_chain(make_app, any_db_url):
    app = make_app(database_url=any_db_url)
    platform = app.extensions["platform"]
    for n in range(3):
        _append(platform, n)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0
    assert "valid=True length=3" in ok.output
    _tamper(platform, "UPDATE audit_logs SET entity_id = 'other' WHERE seq = 1")
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at entry 1" in broken.output


def test_concurrent_writers_keep_one_unbroken_chain(make_platform, pg_url):
    platform = make_platform(database_url=pg_url)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for n in range(10):
                _append(platform, offset * 100 + n)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_audit_chain(uow=platform.uow())
    assert (report.valid, report.length) == (True, 80)
