"""Opaque, time-ordered identifiers (UUID version 7 layout, 32 hex characters)."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A new id: 48 bits of Unix milliseconds, then 74 random bits (RFC 9562 UUIDv7)."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b (62 bits)
    return f"{value:032x}"
