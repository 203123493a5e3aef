"""Point → gemeente / subregio / arbeidsmarktregio, including the tricky cases."""

from __future__ import annotations

import numpy as np
import pytest

from geo.reference.data import OUTSIDE
from geo.reference.divisions import read_division
from geo.reference.gazetteer import Gazetteer
from geo.reference.regions import assign_areas, unit_polygons


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def _areas_of(gazetteer, reference, text):
    loc = gazetteer.locate(text)
    return assign_areas([loc.lon], [loc.lat], reference).iloc[0]


@pytest.mark.parametrize(
    ("text", "code", "region"),
    [
        ("Heerhugowaard", "GM1980", "AM15"),  # merged into Dijk en Waard (2022)
        ("1703", "GM1980", "AM15"),
        ("Weesp", "GM0363", "AM18"),  # merged into Amsterdam (2022)
        ("1382", "GM0363", "AM18"),
        ("Middenbeemster", "GM0439", "AM17"),  # Beemster merged into Purmerend
        ("1462", "GM0439", "AM17"),
        ("Vinkeveen", "GM0736", "AM18"),  # De Ronde Venen, province Utrecht
        ("Eemnes", "GM0317", "AM12"),  # province Utrecht
        ("1911", "GM0450", "AM15"),  # Uitgeest: COROP IJmond, region NHN
        ("Castricum", "GM0383", "AM15"),
    ],
)
def test_known_places(gazetteer, reference, text, code, region):
    areas = _areas_of(gazetteer, reference, text)
    assert areas["gemeentecode"] == code
    assert areas["arbeidsmarktregio_code"] == region
    assert areas["in_werkgebied"]


def test_almere_is_outside_the_work_area(gazetteer, reference):
    areas = _areas_of(gazetteer, reference, "Almere")
    assert areas["gemeentenaam"] == "Almere"
    assert areas["subregio"] == OUTSIDE
    assert areas["arbeidsmarktregio"] == OUTSIDE
    assert areas["arbeidsmarktregio_code"] is None
    assert not areas["in_werkgebied"]


def test_point_in_the_north_sea_has_no_municipality(reference):
    areas = assign_areas([4.2], [52.7], reference).iloc[0]
    assert areas["gemeentecode"] is None
    assert areas["subregio"] == OUTSIDE


def test_missing_coordinates_and_order_are_kept(reference):
    lon = [4.9, np.nan, 5.17]
    lat = [52.37, np.nan, 52.22]  # Amsterdam, nothing, Hilversum
    out = assign_areas(lon, lat, reference)
    assert list(out["gemeentecode"]) == ["GM0363", None, "GM0402"]


def test_every_school_falls_in_its_duo_municipality(reference):
    schools = reference.scholen
    out = assign_areas(schools["lon"], schools["lat"], reference)
    assert (out["gemeentecode"].to_numpy() == schools["gemeentecode_duo"].to_numpy()).all()


def test_user_division_changes_subregion(reference):
    table = reference.default_division.table.copy()
    table.loc[table["gemeentecode"] == "GM0384", "subregio"] = "Amsterdam"
    division = read_division(table.to_csv(index=False).encode(), reference.gemeentecodes)
    diemen = (4.96, 52.34)
    assert assign_areas([diemen[0]], [diemen[1]], reference).iloc[0]["subregio"] != "Amsterdam"
    assert assign_areas([diemen[0]], [diemen[1]], reference, division).iloc[0][
        "subregio"] == "Amsterdam"


@pytest.mark.parametrize(("level", "count"),
                         [("gemeente", 46), ("subregio", 10), ("arbeidsmarktregio", 5)])
def test_unit_polygons(reference, level, count):
    units = unit_polygons(level, reference)
    assert len(units) == count
    assert units["code"].is_unique
    assert units.crs.to_epsg() == 4326
    assert units.is_valid.all()


def test_unit_polygons_are_kept_per_division_and_each_call_gets_a_copy(reference, tmp_path):
    from geo.reference.data import Division
    from geo.reference.regions import _unit_polygons

    first = unit_polygons("subregio", reference)
    first.loc[0, "naam"] = "veranderd"  # a caller's change does not reach the next call
    again = unit_polygons("subregio", reference)
    fresh = _unit_polygons("subregio", reference, reference.default_division)
    assert again.drop(columns="geometry").equals(fresh.drop(columns="geometry"))
    assert again.geometry.geom_equals_exact(fresh.geometry, 0).all()
    # Another division (one subregion renamed) gives its own units.
    table = reference.default_division.table.copy()
    old = table["subregio"].iloc[0]
    table.loc[table["subregio"] == old, "subregio"] = "Nieuwe naam"
    other = unit_polygons("subregio", reference, Division("eigen", table))
    assert "Nieuwe naam" in set(other["code"]) and old not in set(other["code"])
