"""Shared kernel: errors, ids, money, quantity, clock, events, audit."""
