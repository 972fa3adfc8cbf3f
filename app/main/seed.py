"""Demo data for the embedded mode. Each module registers a seeder: a function taking the
platform and returning lines to print; every seeder is idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.main.bootstrap import Platform

Seeder = Callable[[Platform], list[str]]
SEEDERS: list[Seeder] = []


def run_seeders(platform: Platform) -> Iterator[str]:
    for seeder in SEEDERS:
        yield from seeder(platform)
