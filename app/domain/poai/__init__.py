"""Proof-of-Asset-Integrity: review cases, their checks, decisions and proof bundles."""
