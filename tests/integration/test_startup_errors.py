"""A platform that must not start says why in one line and exits non-zero, without a
traceback, whatever `flask` command was asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.adapters.crypto.envelope import generate_master_key

ROOT = Path(__file__).resolve().parents[2]


def _flask(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOOTSTRAP_", "DATABASE_"))
    }
    environment.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'platform.db'}",
        EMBEDDED_CHAIN_DIR="memory",
        SECRET_KEY="startup-test-secret-key-0123456789abcdefghijklmnop",
        MASTER_KEYS=f"k1:{generate_master_key()}",
        **env,
    )
    return subprocess.run(  # noqa: S603 (this interpreter's flask, fixed arguments)
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        check=False,
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_refused_bootstrap_admin_password_is_one_line_naming_the_rule(tmp_path):
    done = _flask(
        tmp_path,
        "db",
        "upgrade",
        BOOTSTRAP_ADMIN_EMAIL="root@example.org",
        BOOTSTRAP_ADMIN_PASSWORD="Password1234",
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        "Error: BOOTSTRAP_ADMIN_PASSWORD is refused: password too weak:"
        " it is a commonly used password"
    ]
