"""`BlobStore` on an IPFS node through its HTTP RPC API (Kubo's `/api/v0`, also served by js-ipfs).

We speak the API with httpx, not ipfshttpclient: its last release, 0.7.0 (2021), sets
`VERSION_MINIMUM = "0.4.23"` and `VERSION_MAXIMUM = "0.8.0"` (exclusive) in
`ipfshttpclient/client/__init__.py`, so `connect()` raises `VersionMismatch` for every
Kubo from 0.8 on (and for js-ipfs, which reports 0.18.1). Only building `Client()` by hand
skips that check, and an unmaintained client is a bigger dependency than a few POSTs.

Behaviour worth knowing:
- `put` adds and pins the bytes and returns their CIDv1 in base32 (`bafk...`): the
  locator. The key is not stored in IPFS; writing a key again yields a new locator and
  the caller deletes the old one. Identical bytes get the same CID whatever the key.
- The objects of this store are the pinned ones. `get` first asks `pin/ls` (answered
  from the local pin set, at once) and raises `KeyError` for a CID that is not pinned.
  Only then does it `cat`, with `offline=true` (Kubo then never searches the network)
  and a daemon-side `timeout`, because `cat` of a CID that is not local waits for the
  network, and js-ipfs waits forever even when started offline. If the blocks vanish in
  between (a concurrent delete and garbage collection), `get` raises `TimeoutError`
  after `timeout` seconds: the daemon never said the object is missing.
- `delete` unpins, so `get` says `KeyError` at once; the blocks themselves stay on disk
  until the daemon's garbage collection (`repo gc`, or Kubo's `--enable-gc`). Pins are
  not counted: unpinning an object stored under two keys removes it for both."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import httpx

# CIDv0 (base58btc "Qm..."), CIDv1 in base32 ("b...") or in base58btc ("z...").
_CID_RE = re.compile(r"Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{20,200}|z[1-9A-HJ-NP-Za-km-z]{20,200}")
_MISSING_MARKERS = ("not found", "could not find", "no link named")
_NOT_PINNED = "not pinned"
_CHUNK_BYTES = 64 * 1024


class IpfsError(RuntimeError):
    """The IPFS daemon refused a request."""


class IpfsBlobStore:
    name = "ipfs"

    def __init__(self, api_url: str, *, timeout: float = 30) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(base_url=f"{self.api_url}/api/v0", timeout=timeout)

    def put(self, key: str, data: bytes) -> str:
        return self._add(data)

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> str:
        # Spooled to a temporary file first, then sent from it (httpx reads a file part in
        # 64 KiB pieces): never whole in memory, and a source that fails mid-way fails
        # before any request. js-ipfs does not give up an `add` whose body stops short:
        # it keeps the repository lock, and every later `repo gc` waits on it.
        with tempfile.TemporaryFile() as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            return self._add(spool)

    def _add(self, content: bytes | BinaryIO) -> str:
        response = self._http.post(
            "/add",
            params={"pin": "true", "cid-version": "1", "cid-base": "base32", "progress": "false"},
            # js-ipfs refuses a file part without its own Content-Type.
            files={"file": ("blob", content, "application/octet-stream")},
        )
        _raise_for_error(response, "add")
        # NDJSON, one line per added entry; the single file is the last one.
        lines = [line for line in response.text.splitlines() if line.strip()]
        if not lines:
            raise IpfsError("add: the daemon answered without a CID")
        cid = json.loads(lines[-1]).get("Hash")
        if not isinstance(cid, str) or not cid:
            raise IpfsError("add: the daemon answered without a CID")
        return cid

    def get(self, locator: str) -> bytes:
        _check_cid(locator)
        if not self._is_pinned(locator):
            raise KeyError(locator)
        try:
            response = self._http.post("/cat", params=self._cat_params(locator))
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"IPFS cat {locator} timed out after {self.timeout}s") from exc
        _raise_for_cat_error(response, locator)
        return response.content

    def get_stream(self, locator: str) -> Iterator[bytes]:
        _check_cid(locator)
        if not self._is_pinned(locator):
            raise KeyError(locator)
        return self._cat_stream(locator)

    def _cat_stream(self, locator: str) -> Iterator[bytes]:
        try:
            with self._http.stream("POST", "/cat", params=self._cat_params(locator)) as response:
                if response.is_error:
                    response.read()
                    _raise_for_cat_error(response, locator)
                yield from response.iter_bytes(_CHUNK_BYTES)
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"IPFS cat {locator} timed out after {self.timeout}s") from exc

    def _cat_params(self, locator: str) -> dict[str, str]:
        return {"arg": locator, "offline": "true", "timeout": f"{self.timeout:g}s"}

    def _is_pinned(self, cid: str) -> bool:
        response = self._http.post("/pin/ls", params={"arg": cid, "type": "recursive"})
        if response.is_error and _NOT_PINNED in _message(response).lower():
            return False
        _raise_for_error(response, "pin/ls")
        return True

    def delete(self, locator: str) -> None:
        _check_cid(locator)
        response = self._http.post("/pin/rm", params={"arg": locator})
        if response.is_error and _NOT_PINNED in _message(response).lower():
            return
        _raise_for_error(response, "pin/rm")

    def close(self) -> None:
        self._http.close()


class IpfsProbe:
    """Readiness: the daemon answers `/api/v0/version`."""

    name = "ipfs"

    def __init__(self, api_url: str, *, timeout: float = 3) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def check(self) -> None:
        response = httpx.post(f"{self.api_url}/api/v0/version", timeout=self.timeout)
        _raise_for_error(response, "version")
        if "Version" not in response.json():
            raise IpfsError("version: the answer has no Version field")


def _check_cid(locator: str) -> None:
    """Refuse anything not shaped like a CID: a path (`<cid>/x`) would read something else."""
    if not isinstance(locator, str) or not _CID_RE.fullmatch(locator):
        raise ValueError(f"{locator!r} is not an IPFS CID")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text
    return str(body.get("Message", "")) if isinstance(body, dict) else response.text


def _raise_for_cat_error(response: httpx.Response, locator: str) -> None:
    if response.is_error:
        message = _message(response).lower()
        if any(marker in message for marker in _MISSING_MARKERS):
            raise KeyError(locator)
        if "timed out" in message or "deadline exceeded" in message:
            raise TimeoutError(f"IPFS cat {locator}: {_message(response)[:300]}")
    _raise_for_error(response, "cat")


def _raise_for_error(response: httpx.Response, what: str) -> None:
    if response.is_error:
        raise IpfsError(f"{what}: HTTP {response.status_code}: {_message(response)[:300]}")
