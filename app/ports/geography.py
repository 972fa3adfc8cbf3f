"""Geography: whether a point lies in a country (for the PoAI "coordinates inside the
stated country" check)."""

from __future__ import annotations

from typing import Protocol


class CountryGeometry(Protocol):
    def contains(self, country_code: str, latitude: float, longitude: float) -> bool | None:
        """Whether the WGS 84 point lies in the country (ISO 3166-1 alpha-2 code); None
        when the data knows no outline for that country. Out-of-range or non-finite
        coordinates lie in no country (False)."""
        ...
