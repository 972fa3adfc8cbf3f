"""Retirement certificates (the reporting engine's first half): issued once per confirmed
retirement, signed, and checkable by anyone through three proofs."""
