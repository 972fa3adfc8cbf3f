"""How a certificate's parts are named and written for people, alike on its PDF and on
its verification page: the proofs, the provenance steps and their details, instants
and kilograms. A value of a document is taken as it comes (a document pasted by a
stranger may hold anything): what is not of the expected kind is shown as it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from app.domain.certificates.verification import Proof
from app.domain.shared.json import JSON

PROOF_TITLES = {
    Proof.SIGNATURE: "Signature",
    Proof.CHAIN: "Retirement on chain",
    Proof.POAI: "PoAI bundle",
    Proof.SERIALS: "Serial range",
}
STEP_TITLES = {
    "poai_approval": "PoAI approval",
    "issuance": "Issuance",
    "transfer": "Transfer",
    "retirement": "Retirement",
}
DETAIL_LABELS = {"tx_hash": "transaction", "quantity_kg": "quantity (kg)", "proof_hash": "proof"}
MISSING = "\u2014"


def text(value: JSON) -> str:
    """A document value as shown (ids and block numbers as they are, digits ungrouped)."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def instant(value: JSON) -> str:
    """An ISO instant as `YYYY-MM-DD HH:MM:SS UTC` (as given when it is not one)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return text(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def grouped(value: JSON) -> str:
    """An integer with its thousands separated: a number of kilograms."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return text(value)


def kilograms(value: JSON) -> str:
    return f"{grouped(value)} kg"


def part(document: Mapping[str, JSON], key: str) -> Mapping[str, JSON]:
    """A nested object of the document (empty when it is missing or not an object)."""
    value = document.get(key)
    return value if isinstance(value, Mapping) else {}


def pseudonymous(document: Mapping[str, JSON]) -> bool:
    return document.get("beneficiary_visibility") == "pseudonymous"


def quantity(document: Mapping[str, JSON]) -> str:
    """`2.5 t CO2e (2,500 kg)`."""
    tonnes = text(document.get("quantity"))
    return f"{tonnes} t CO2e ({kilograms(document.get('quantity_kg'))})"


def serial_range(document: Mapping[str, JSON]) -> str:
    return (
        f"serials {text(document.get('serial_start'))} to {text(document.get('serial_end'))}"
        f"; on chain, kilograms {grouped(document.get('kg_start'))} to "
        f"{grouped(document.get('kg_end'))}"
    )


def steps(document: Mapping[str, JSON]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The provenance, oldest first: each step's title, instant and other details
    (label, value)."""
    listed = document.get("provenance")
    return [
        (
            STEP_TITLES.get(str(step.get("step")), text(step.get("step"))),
            instant(step.get("at")),
            [
                (DETAIL_LABELS.get(key, key.replace("_", " ")), text(value))
                for key, value in step.items()
                if key not in ("step", "at")
            ],
        )
        for step in (listed if isinstance(listed, list) else [])
        if isinstance(step, Mapping)
    ]
