"""The checks of a certificate document, each one anyone can repeat:

- signature: the platform's Ed25519 signature over the canonical document (a trusted
  platform key, current or retired, named by the document's `public_key`/`key_id`);
- poai: the PoAI bundle hash the document cites is the one its PoAI block signs, under a
  trusted key; with the platform's records, the stored proof of that case has the same
  hash and its bundle verifies (`app.domain.poai.verification.verify_bundle`);
- serials: the kilogram arithmetic (range, quantity, serials, serial number); with the
  platform's records, the range lies in its batch and no other retirement shares it;
- chain: the CreditsRetired log at the document's transaction, block and log index,
  read live from a node, retires these kilograms of this holder, deep enough.

Each returns a `ProofCheck`; none raises for a malformed document."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.certificates.document import signed_bytes
from app.domain.certificates.model import serial_number
from app.domain.certificates.verification import ProofCheck
from app.domain.poai.verification import TrustedKey
from app.domain.shared.chain import DEFAULT_CONFIRMATIONS, ChainEvent
from app.domain.shared.json import JSON
from app.domain.shared.quantity import KG_PER_TONNE, Quantity
from app.ports.chain import ChainReader, RawLog
from app.ports.signing import SignatureChecker

Document = Mapping[str, JSON]
_INTS = ("quantity_kg", "kg_start", "kg_end", "serial_start", "serial_end", "vintage", "token_id")


@dataclass(frozen=True)
class Keys:
    """The keys whose signatures count and the checker of their signatures."""

    trusted: Sequence[TrustedKey]
    checker: SignatureChecker


@dataclass(frozen=True)
class Node:
    """A chain node to read the retirement's log from, live."""

    reader: ChainReader
    decode: Callable[[RawLog], ChainEvent | None]
    confirmations: int = DEFAULT_CONFIRMATIONS


def _trusted_key(public_key: object, key_id: object, keys: Keys) -> tuple[TrustedKey | None, str]:
    if not isinstance(public_key, str):
        return None, "the document names no public key"
    key = next((k for k in keys.trusted if k.public_key == public_key), None)
    if key is None:
        return None, "the document's public key is not a trusted platform key"
    if key.trusted_as == "platform" and key_id != key.key_id:
        return None, f"key_id {key_id!r} is not the id of this platform key ({key.key_id!r})"
    return key, ""


def _named(key: TrustedKey) -> str:
    return "the explicitly trusted key" if key.key_id is None else f"platform key {key.key_id!r}"


def signature_check(document: Document, keys: Keys) -> ProofCheck:
    signature = document.get("signature")
    if not isinstance(signature, str):
        return ProofCheck(False, "the document is not signed")
    if document.get("algorithm") != "Ed25519":
        return ProofCheck(False, "the signature algorithm is not Ed25519")
    key, why = _trusted_key(document.get("public_key"), document.get("key_id"), keys)
    if key is None:
        return ProofCheck(False, why)
    try:
        message = signed_bytes(document)
    except (TypeError, ValueError) as exc:
        return ProofCheck(False, f"the document is not canonical JSON: {exc}")
    if not keys.checker.verify(key.public_key, message, signature):
        return ProofCheck(False, "the signature does not match the document: it was changed")
    return ProofCheck(True, f"signed over the canonical document by {_named(key)}")


def poai_signature_check(document: Document, keys: Keys) -> ProofCheck:
    """Offline: the bundle hash cited is the PoAI block's, signed under a trusted key."""
    poai, bundle_hash = document.get("poai"), document.get("poai_bundle_hash")
    if not isinstance(poai, dict) or not isinstance(bundle_hash, str):
        return ProofCheck(False, "the document has no PoAI block or bundle hash")
    if poai.get("bundle_hash") != bundle_hash:
        return ProofCheck(False, "poai_bundle_hash differs from the PoAI block's bundle hash")
    key, why = _trusted_key(poai.get("public_key"), poai.get("key_id"), keys)
    signature = poai.get("signature")
    if key is None:
        return ProofCheck(False, f"PoAI proof: {why}")
    if not isinstance(signature, str) or not keys.checker.verify(
        key.public_key, bundle_hash.encode("utf-8"), signature
    ):
        return ProofCheck(False, "the PoAI signature does not verify over the bundle hash")
    return ProofCheck(True, f"bundle {bundle_hash[:16]}… is signed by {_named(key)}")


def _ints(document: Document) -> dict[str, int] | None:
    values = {name: document.get(name) for name in _INTS}
    if not all(type(v) is int for v in values.values()):
        return None
    return {k: int(v) for k, v in values.items() if isinstance(v, int)}


def serial_arithmetic_check(document: Document) -> ProofCheck:
    """Offline: kg_end - kg_start + 1 is quantity_kg, the serials are the range's tonnes,
    the quantity is those kilograms, and the serial number names them."""
    n = _ints(document)
    if n is None:
        return ProofCheck(False, "the kilogram range, quantity or serials are not integers")
    kg_start, kg_end, kg = n["kg_start"], n["kg_end"], n["quantity_kg"]
    project = document.get("project")
    country = project.get("country") if isinstance(project, dict) else None
    project_id = project.get("id") if isinstance(project, dict) else None
    problems = []
    if kg <= 0 or kg_start < 0 or kg_end - kg_start + 1 != kg:
        problems.append(f"kilograms {kg_start}-{kg_end} are not {kg} kg")
    elif (n["serial_start"], n["serial_end"]) != (kg_start // KG_PER_TONNE, kg_end // KG_PER_TONNE):
        problems.append("serial_start/serial_end are not the tonnes of the kilogram range")
    elif document.get("quantity") != Quantity(kg).tonnes_str():
        problems.append(f"quantity {document.get('quantity')!r} is not {kg} kg in tonnes")
    elif document.get("serial_number") != serial_number(
        str(project_id),
        str(country),
        n["vintage"],
        token_id=n["token_id"],
        kg_start=kg_start,
        kg_end=kg_end,
    ):
        problems.append("serial_number does not name this project, vintage and range")
    if problems:
        return ProofCheck(False, "; ".join(problems))
    return ProofCheck(
        True,
        f"kilograms {kg_start}-{kg_end} ({kg} kg, serials {n['serial_start']}-"
        f"{n['serial_end']}) match the quantity and serial number",
    )


def chain_check(document: Document, node: Node) -> ProofCheck:
    """Live: the CreditsRetired log at the document's position says what it says."""
    tx_hash, log_index = document.get("tx_hash"), document.get("log_index")
    block_number, n = document.get("block_number"), _ints(document)
    if not isinstance(tx_hash, str) or type(log_index) is not int or n is None:
        return ProofCheck(False, "the document gives no transaction, log index or range")
    receipt = node.reader.receipt(tx_hash)
    if receipt is None or receipt.status != 1:
        return ProofCheck(False, f"the node has no successful transaction {tx_hash}")
    raw = next((log for log in receipt.logs if log.log_index == log_index), None)
    event = node.decode(raw) if raw is not None else None
    if event is None or event.name != "CreditsRetired":
        return ProofCheck(False, f"no CreditsRetired log at index {log_index} of {tx_hash}")
    problems = _event_problems(event, document, n)
    if receipt.block_number != block_number:
        problems.append(f"the transaction is in block {receipt.block_number}, not {block_number}")
    chain_id = document.get("chain_id")
    if chain_id is not None and node.reader.chain_id() != chain_id:
        problems.append(f"the node serves chain {node.reader.chain_id()}, not {chain_id}")
    if problems:
        return ProofCheck(False, "; ".join(problems))
    depth = node.reader.head() - receipt.block_number + 1
    if depth - 1 < node.confirmations:
        return ProofCheck(
            False,
            f"block {receipt.block_number} has {depth} confirmations only "
            f"({node.confirmations + 1} needed)",
        )
    return ProofCheck(
        True,
        f"CreditsRetired of {n['quantity_kg']} kg (kilograms {n['kg_start']}-"
        f"{n['kg_end']}) at block {receipt.block_number}, log {log_index}: {depth} confirmations",
    )


def _arg(event: ChainEvent, name: str) -> Any:
    value = event.args.get(name)
    return int(str(value)) if isinstance(value, int | str) and str(value).isdigit() else value


def _event_problems(event: ChainEvent, document: Document, n: Mapping[str, int]) -> list[str]:
    problems = []
    holder, contract = document.get("holder"), document.get("contract")
    if str(event.args.get("holder", "")).lower() != str(holder).lower():
        problems.append(f"the log retires from {event.args.get('holder')}, not {holder}")
    expected = {
        "amountKg": n["quantity_kg"],
        "kgStart": n["kg_start"],
        "kgEnd": n["kg_end"],
        "tokenId": n["token_id"],
    }
    problems += [
        f"the log's {name} is {_arg(event, name)}, not {value}"
        for name, value in expected.items()
        if _arg(event, name) != value
    ]
    if isinstance(contract, str) and event.address.lower() != contract.lower():
        problems.append(f"the log is of contract {event.address}, not {contract}")
    return problems
