"""Country containment from the shapes shipped in countryinfo and country-bounding-boxes."""

from __future__ import annotations

import pytest

from app.adapters.geography.countries import NaturalEarthCountryGeometry
from app.ports.geography import CountryGeometry

SAO_PAULO = (-23.5505, -46.6333)
NAIROBI = (-1.2921, 36.8219)
PARIS = (48.8566, 2.3522)
MANAUS = (-3.1190, -60.0217)
OCEAN = (0.0, 0.0)


@pytest.fixture(scope="module")
def geometry() -> CountryGeometry:
    return NaturalEarthCountryGeometry()


@pytest.mark.parametrize(
    ("code", "point"),
    [("BR", SAO_PAULO), ("KE", NAIROBI), ("FR", PARIS), ("BR", MANAUS)],
    ids=["sao-paulo", "nairobi", "paris", "manaus"],
)
def test_cities_lie_in_their_country(geometry: CountryGeometry, code: str, point: tuple):
    assert geometry.contains(code, *point) is True


@pytest.mark.parametrize("code", ["BR", "KE", "FR"])
def test_the_gulf_of_guinea_lies_in_none_of_them(geometry: CountryGeometry, code: str):
    assert geometry.contains(code, *OCEAN) is False


def test_a_point_in_brazil_is_not_in_kenya_nor_its_neighbours(geometry: CountryGeometry):
    assert geometry.contains("KE", *SAO_PAULO) is False
    assert geometry.contains("KE", *MANAUS) is False
    assert geometry.contains("PE", *MANAUS) is False
    assert geometry.contains("BR", -12.0464, -77.0428) is False  # Lima


def test_swapped_latitude_and_longitude_are_caught(geometry: CountryGeometry):
    assert geometry.contains("BR", SAO_PAULO[1], SAO_PAULO[0]) is False


@pytest.mark.parametrize(
    ("code", "latitude", "longitude"),
    [
        ("TZ", -6.1659, 39.2026),  # Zanzibar: missing from the 1:110m outline
        ("HU", 47.4979, 19.0402),  # Budapest: Hungary has boxes only
        ("SG", 1.3521, 103.8198),  # Singapore: boxes only
        ("VA", 41.9029, 12.4534),  # the Vatican, inside Italy's outline
        ("RU", 66.0, -175.0),  # Chukotka, across the antimeridian
        ("FJ", -16.8, -179.9),  # Taveuni, across the antimeridian
    ],
)
def test_islands_outline_less_countries_and_the_antimeridian(
    geometry: CountryGeometry, code: str, latitude: float, longitude: float
):
    assert geometry.contains(code, latitude, longitude) is True


def test_a_box_does_not_swallow_a_neighbour_with_an_outline(geometry: CountryGeometry):
    vienna = (48.2082, 16.3738)  # inside Hungary's bounding box
    assert geometry.contains("AT", *vienna) is True
    assert geometry.contains("HU", *vienna) is False


def test_unknown_codes_give_none(geometry: CountryGeometry):
    assert geometry.contains("XX", *PARIS) is None
    assert geometry.contains("FRA", *PARIS) is None
    assert geometry.contains("", *PARIS) is None


def test_codes_are_read_case_insensitively(geometry: CountryGeometry):
    assert geometry.contains("fr", *PARIS) is True


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(91.0, 0.0), (0.0, 180.5), (float("nan"), 2.0), (48.0, float("inf"))],
)
def test_impossible_coordinates_lie_in_no_country(
    geometry: CountryGeometry, latitude: float, longitude: float
):
    assert geometry.contains("FR", latitude, longitude) is False


def test_the_tolerance_sets_the_width_of_the_border_strip(geometry: CountryGeometry):
    """A point in Tanzania about 10 km from Kenya's outline is Kenya's too within the
    default tolerance (0.15 degrees), not within 0.02 degrees (shapes loaded for it)."""
    near_kenya = (-2.7, 36.8)
    narrow = NaturalEarthCountryGeometry(tolerance_degrees=0.02)
    assert geometry.contains("KE", *near_kenya) is True
    assert narrow.contains("KE", *near_kenya) is False
    assert narrow.contains("TZ", *near_kenya) is True
    assert narrow.contains("BR", *SAO_PAULO) is True


def test_tolerance_is_bounded():
    with pytest.raises(ValueError, match="tolerance"):
        NaturalEarthCountryGeometry(tolerance_degrees=5)
