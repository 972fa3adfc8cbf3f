"""The committed contract artifacts are exactly what the Solidity sources compile to.

Compiles with solc-js from contracts/node_modules (`npm ci` there when it is missing) into
a temporary directory. Without node/npm: skipped locally, a failure under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.adapters.chain.abi import ARTIFACTS_DIR, CONTRACT_NAMES, load_artifact

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
CI = os.environ.get("CI", "").lower() == "true"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found: cannot compile the contracts"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_committed_artifacts_are_what_the_sources_compile_to(tmp_path: Path) -> None:
    node = _tool("node")
    if not (CONTRACTS / "node_modules" / "solc").is_dir():
        subprocess.run(  # noqa: S603
            [_tool("npm"), "ci", "--no-audit", "--no-fund"],
            cwd=CONTRACTS,
            check=True,
            capture_output=True,
            timeout=300,
        )
    subprocess.run(  # noqa: S603
        [node, "build.mjs", str(tmp_path)], cwd=CONTRACTS, check=True, capture_output=True
    )

    built = sorted(p.name for p in tmp_path.glob("*.json"))
    assert built == sorted(p.name for p in ARTIFACTS_DIR.glob("*.json"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (ARTIFACTS_DIR / name).read_bytes(), (
            f"contracts/artifacts/{name} is stale: rebuild with `cd contracts && npm run build`"
        )


def test_artifacts_carry_abi_bytecode_and_compiler_version() -> None:
    for name in CONTRACT_NAMES:
        artifact = load_artifact(name)
        assert artifact.bytecode
        assert artifact.solc.startswith("0.8.")
        assert any(entry.get("type") == "event" for entry in artifact.abi)
