"""A specimen certificate document, as `certificate/1` defines it (see
`app.domain.certificates.verification`): what a certificate layout can be previewed with,
what the PDF benchmark draws, and what the tests of the PDF and the verification page
show. It is not signed: `signature` is a placeholder of the right shape."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

CERTIFICATE_ID = "cert_01JD8Z6Q4WQ6R2C5X4T8E9V3KM"
TX_HASH = "0x" + "4f1c" * 16
BUNDLE_HASH = "9a3e" * 16
SALT = "5e" * 16
BASE_URL = "https://registry.example.org"


def pseudonym(name: str, salt: str = SALT) -> str:
    return "sha256:" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()


def specimen_document(
    *,
    beneficiary: str = "Acme Renewables Ltd",
    visibility: str = "public",
    certificate_id: str = CERTIFICATE_ID,
    base_url: str = BASE_URL,
    transfers: int = 1,
    **changes: Any,
) -> dict[str, Any]:
    """A certificate document of 2.5 t (kilograms 1001 to 3500) retired from a holder
    that bought them in `transfers` transfers; `changes` replace top-level fields."""
    project_id = "prj_7Hq2Lm9Xc4"
    batch_id = "bat_3Vd8Kp1Zs6"
    holder = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    provenance: list[dict[str, Any]] = [
        {
            "step": "poai_approval",
            "at": "2024-03-11T09:30:00Z",
            "case_id": "poai_case_2QxN7",
            "proof_hash": "b7" * 32,
        },
        {
            "step": "issuance",
            "at": "2024-04-02T14:05:12Z",
            "batch_id": batch_id,
            "token_id": "0x" + "00" * 31 + "07",
            "tx_hash": "0x" + "11ab" * 16,
            "kg_start": 1,
            "kg_end": 100000,
        },
    ]
    provenance += [
        {
            "step": "transfer",
            "at": f"2024-06-{10 + n:02d}T08:00:00Z",
            "order_id": f"ord_9Tb4Wc{n}",
            "tx_hash": "0x" + f"{n:02x}cd" * 16,
            "from": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "to": holder,
            "quantity_kg": 2500,
        }
        for n in range(transfers)
    ]
    provenance.append(
        {
            "step": "retirement",
            "at": "2024-09-30T16:45:03Z",
            "tx_hash": TX_HASH,
            "block_number": 18_204_771,
            "log_index": 3,
        }
    )
    document: dict[str, Any] = {
        "version": "certificate/1",
        "id": certificate_id,
        "retirement_id": "ret_6Fz1Nq8Rb2",
        "serial_number": f"CPB-{project_id}-KE-2023-{batch_id}-1001-3500",
        "project": {
            "id": project_id,
            "name": "Kasigau Corridor Community Forest Protection",
            "type": "REDD+",
            "country": "KE",
            "methodology": "VM0009 Methodology for Avoided Ecosystem Conversion",
            "standard": "Verified Carbon Standard",
        },
        "vintage": 2023,
        "quantity": "2.5",
        "quantity_kg": 2500,
        "kg_start": 1001,
        "kg_end": 3500,
        "serial_start": 1,
        "serial_end": 3,
        "holder": holder,
        "beneficiary": beneficiary if visibility == "public" else pseudonym(beneficiary),
        "beneficiary_visibility": visibility,
        "purpose": "Offsetting the 2024 business travel of the Nairobi and Berlin offices",
        "retired_at": "2024-09-30T16:45:03Z",
        "chain_id": 31337,
        "contract": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        "tx_hash": TX_HASH,
        "block_number": 18_204_771,
        "log_index": 3,
        "poai_bundle_hash": BUNDLE_HASH,
        "poai": {
            "case_id": "poai_case_2QxN7",
            "bundle_hash": BUNDLE_HASH,
            "signature": base64.b64encode(b"\x01" * 64).decode(),
            "public_key": base64.b64encode(b"\x02" * 32).decode(),
            "key_id": "poai-2024",
        },
        "provenance": provenance,
        "custom_fields": [{"label": "Cost centre", "value": "CC-4410 Travel"}],
        "issued_at": "2024-09-30T16:47:10Z",
        "verify_url": f"{base_url}/verify/{certificate_id}",
        "algorithm": "Ed25519",
        "key_id": "certificates-2024",
        "public_key": base64.b64encode(b"\x03" * 32).decode(),
        "signature": base64.b64encode(b"\x04" * 64).decode(),
    }
    document.update(changes)
    return document
