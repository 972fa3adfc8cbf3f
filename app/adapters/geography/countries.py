"""Whether a point lies in a country, from country shapes shipped inside two packages
(nothing is downloaded at run time), tested with shapely:

- outlines: countryinfo's GeoJSON borders (Natural Earth 1:110m) for about 170
  countries. They are simplified: coasts and borders are off by up to ~15 km and small
  islands (Zanzibar, Bali, Bioko, ...) are missing;
- boxes: country-bounding-boxes' bounding boxes of Natural Earth 1:50m map subunits
  (mainland, islands, overseas parts) for nearly every country, including those
  countryinfo ships without an outline (Hungary, Serbia, Singapore, small islands...).

A point is in country X when it lies within `tolerance_degrees` of X's outline, or
within that distance of one of X's boxes while no other country claims it: it is not
inside another outline shrunk by the tolerance (so border strips stay X's too; an
outline around most of X's boxes, Italy's around the Vatican, does not count) nor, when
X has an outline, inside the box of a country that has none. This keeps missing islands
and coastal waters while a point well inside a neighbour still fails. The answer is a
screening signal for reviewers, not a survey: near borders both neighbours may say yes.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import country_bounding_boxes
import shapely
from countryinfo import CountryInfo
from shapely.geometry import Point, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from app.domain.shared.countries import ISO_3166_ALPHA2

DEFAULT_TOLERANCE_DEGREES = 0.15  # ~17 km at the equator: the error of 1:110m outlines
_CODE_RE = re.compile(r"[A-Z]{2}")
# GEOS prepared geometries are not thread-safe (libgeos/geos#825) and a lookup takes a
# few microseconds: one lock around loading and lookups is simplest.
_LOCK = threading.Lock()


class NaturalEarthCountryGeometry:
    """`CountryGeometry` over countryinfo outlines with country-bounding-boxes boxes as
    fallback. The shapes load on first use and are shared by every instance."""

    def __init__(self, *, tolerance_degrees: float = DEFAULT_TOLERANCE_DEGREES) -> None:
        if not 0 <= tolerance_degrees < 1:
            raise ValueError("the tolerance must be between 0 and 1 degree")
        self._tolerance = tolerance_degrees

    def contains(self, country_code: str, latitude: float, longitude: float) -> bool | None:
        code = country_code.strip().upper() if isinstance(country_code, str) else ""
        point = _point(latitude, longitude)
        with _LOCK:
            shapes = _shapes(self._tolerance)
            if not _CODE_RE.fullmatch(code) or not shapes.knows(code):
                return None
            return point is not None and self._holds(shapes, code, point)

    def _holds(self, shapes: _Shapes, code: str, point: Point) -> bool:
        outline = shapes.outlines.get(code)
        if outline is not None and shapely.dwithin(outline, point, self._tolerance):
            return True
        boxes = shapes.boxes.get(code)
        if boxes is None or not shapely.dwithin(boxes, point, self._tolerance):
            return False
        # Another country's core rules the point out; so does the box of a country without
        # outline, but only against one with an outline (such boxes overlap too much).
        others = shapes.claimants(point) - {code} - shapes.enclosing.get(code, frozenset())
        return not any(other in shapes.cores or outline is not None for other in others)


@dataclass(frozen=True)
class _Shapes:
    outlines: dict[str, BaseGeometry]  # code -> outline (1:110m)
    boxes: dict[str, BaseGeometry]  # code -> union of its 1:50m subunit boxes
    cores: dict[str, BaseGeometry]  # code -> outline shrunk by the tolerance
    tree: STRtree  # over the claim shapes below
    tree_codes: list[str]
    enclosing: dict[str, frozenset[str]]  # outline-less code -> cores around its boxes

    def knows(self, code: str) -> bool:
        return code in self.outlines or code in self.boxes

    def claimants(self, point: Point) -> set[str]:
        """Countries whose claim shape (core, or boxes when outline-less) holds the point."""
        return {self.tree_codes[i] for i in self.tree.query(point, predicate="intersects")}


@functools.cache
def _shapes(tolerance: float) -> _Shapes:
    outlines = _outlines(CountryInfo.all().values())
    boxes = _boxes(ISO_3166_ALPHA2)
    cores = {code: shape.buffer(-tolerance) for code, shape in outlines.items()}
    cores = {code: core for code, core in cores.items() if not core.is_empty}
    claims = {**{c: b for c, b in boxes.items() if c not in outlines}, **cores}
    codes = sorted(claims)
    tree = STRtree([claims[c] for c in codes])
    # A microstate without outline (Vatican, San Marino) lies mostly inside its
    # neighbour's core: that neighbour cannot rule it out.
    enclosing = {
        code: frozenset(
            codes[i]
            for i in tree.query(shape, predicate="intersects")
            if codes[i] in cores and cores[codes[i]].intersection(shape).area >= shape.area / 2
        )
        for code, shape in boxes.items()
        if code not in outlines
    }
    for geometry in (*outlines.values(), *boxes.values()):
        shapely.prepare(geometry)
    return _Shapes(outlines, boxes, cores, tree, codes, enclosing)


def _outlines(countries: Iterable[Mapping[str, Any]]) -> dict[str, BaseGeometry]:
    parts: dict[str, list[BaseGeometry]] = {}
    for info in countries:
        code = str((info.get("ISO") or {}).get("alpha2") or "")
        features = (info.get("geoJSON") or {}).get("features") or []
        for feature in features:
            geometry = shape(feature["geometry"])
            # Two outlines (Antarctica, Sweden) are not valid polygons as shipped.
            parts.setdefault(code, []).append(shapely.make_valid(geometry))
    return {c: shapely.union_all(p) for c, p in parts.items() if _CODE_RE.fullmatch(c)}


def _boxes(codes: Iterable[str]) -> dict[str, BaseGeometry]:
    found: dict[str, BaseGeometry] = {}
    for code in codes:
        subunits = list(country_bounding_boxes.country_subunits_by_iso_code(code))
        if subunits:
            found[code] = shapely.union_all([box(*s.bbox) for s in subunits])
    return found


def _point(latitude: float, longitude: float) -> Point | None:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return Point(lon, lat)
