from pathlib import Path

from app.domain.auth.model import hash_secret
from app.domain.shared.hashing import sha256_hex

APP = Path(__file__).resolve().parents[3] / "app"


def test_sha256_hex_is_lowercase_hex_of_the_bytes():
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_stored_secrets_are_hashed_with_the_same_function():
    assert hash_secret("s3cret") == sha256_hex(b"s3cret")


def test_sha256_hex_is_defined_once():
    defined = [
        p.relative_to(APP).as_posix()
        for p in APP.rglob("*.py")
        if "def sha256_hex(" in p.read_text(encoding="utf-8")
    ]
    assert defined == ["domain/shared/hashing.py"]
