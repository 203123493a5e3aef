"""Integrity of the bundled reference data and the loader's validation."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from geo.errors import DivisionError, ReferenceDataError
from geo.reference import FILES, RD_NEW, REGIONS, _load, read_division
from tests.conftest import SHARED_DATA


def test_46_municipalities_44_in_noord_holland(reference):
    gem = reference.gemeenten
    assert len(gem) == 46
    assert gem["gemeentecode"].is_unique
    assert (gem["provincie"] == "Noord-Holland").sum() == 44
    outside = set(gem.loc[gem["provincie"] != "Noord-Holland", "gemeentenaam"])
    assert outside == {"De Ronde Venen", "Eemnes"}


def test_region_membership_matches_cbs_table(reference):
    table = pd.read_csv(reference.data_dir / FILES["regio_tabel"], dtype=str)
    expected = dict(zip(table["gemeentecode"], table["arbeidsmarktregio_code"], strict=True))
    actual = dict(zip(reference.gemeenten["gemeentecode"],
                      reference.gemeenten["arbeidsmarktregio_code"], strict=True))
    assert actual == expected
    assert set(actual.values()) == set(REGIONS)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data not present")
def test_bundled_table_equals_shared_original(reference):
    bundled = pd.read_csv(reference.data_dir / FILES["regio_tabel"], dtype=str)
    original = pd.read_csv(SHARED_DATA / "gemeente_arbeidsmarktregio_nh.csv", dtype=str)
    pd.testing.assert_frame_equal(bundled, original)


def test_every_municipality_in_exactly_one_subregion(reference):
    table = reference.default_division.table
    assert sorted(table["gemeentecode"]) == reference.gemeentecodes
    assert table["gemeentecode"].is_unique
    assert len(reference.default_division.subregions) == 10


def test_each_default_subregion_lies_in_one_region(reference):
    gem = reference.gemeenten.merge(reference.default_division.table, on="gemeentecode")
    assert (gem.groupby("subregio")["arbeidsmarktregio_code"].nunique() == 1).all()


def test_regions_do_not_overlap(reference):
    rd = reference.regios.to_crs(RD_NEW)
    for i in range(len(rd)):
        for j in range(i + 1, len(rd)):
            overlap = rd.geometry.iloc[i].intersection(rd.geometry.iloc[j]).area
            assert overlap < 1.0, (rd.iloc[i]["arbeidsmarktregio"], overlap)


def test_region_areas_match_their_municipalities(reference):
    gem = reference.gemeenten.to_crs(RD_NEW)
    regions = reference.regios.to_crs(RD_NEW).set_index("arbeidsmarktregio_code")
    for code, group in gem.groupby("arbeidsmarktregio_code"):
        assert group.area.sum() == pytest.approx(regions.loc[code].geometry.area, rel=1e-3)


def test_schools_and_pc4(reference):
    assert len(reference.scholen) == 270
    assert reference.scholen["vestigingscode"].is_unique
    assert reference.scholen["heeft_vmbo"].sum() > 100
    assert reference.pc4["pc4"].str.fullmatch(r"\d{4}").all()
    assert reference.pc4["inw_10_19"].sum() > 1_000_000
    assert len(reference.mbo) == 2


def _copy_data(tmp_path, reference):
    target = tmp_path / "data"
    shutil.copytree(reference.data_dir, target, ignore=shutil.ignore_patterns("voorbeeld"))
    return target


def test_missing_file_is_named(tmp_path, reference):
    data = _copy_data(tmp_path, reference)
    (data / FILES["scholen"]).unlink()
    with pytest.raises(ReferenceDataError, match="vo_vestigingen_5regios_duo.csv"):
        _load(data)


def test_corrupt_geojson_is_named(tmp_path, reference):
    data = _copy_data(tmp_path, reference)
    (data / FILES["regios"]).write_text("{ dit is geen json")
    with pytest.raises(ReferenceDataError, match="arbeidsmarktregios_nh_2024.geojson"):
        _load(data)


def test_duplicate_codes_are_refused(tmp_path, reference):
    data = _copy_data(tmp_path, reference)
    path = data / FILES["regio_tabel"]
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(ReferenceDataError, match="dubbel"):
        _load(data)


def test_missing_column_is_named(tmp_path, reference):
    data = _copy_data(tmp_path, reference)
    path = data / FILES["pc4"]
    frame = pd.read_csv(path, dtype=str).drop(columns=["lat_pos"])
    frame.to_csv(path, index=False)
    with pytest.raises(ReferenceDataError, match="lat_pos"):
        _load(data)


def test_wrong_crs_is_refused(tmp_path, reference):
    data = _copy_data(tmp_path, reference)
    path = data / FILES["regios"]
    reference.regios.to_crs(RD_NEW).to_file(path, driver="GeoJSON")
    with pytest.raises(ReferenceDataError, match="coördinatenstelsel"):
        _load(data)


# --- Alternative subregion divisions ------------------------------------------------------

def _division_csv(reference, sep=",", **changes) -> bytes:
    table = reference.default_division.table.copy()
    for code, sub in changes.items():
        table.loc[table["gemeentecode"] == code, "subregio"] = sub
    return table.to_csv(index=False, sep=sep).encode("cp1252")


def test_user_division_diemen_with_amsterdam(reference):
    raw = _division_csv(reference, sep=";", GM0384="Amsterdam")
    division = read_division(raw, reference.gemeentecodes, name="eigen.csv")
    assert division.subregion_of()["GM0384"] == "Amsterdam"
    assert division.name == "eigen.csv"


def test_division_missing_municipality(reference):
    table = reference.default_division.table.iloc[1:]
    with pytest.raises(DivisionError, match="ontbreken"):
        read_division(table.to_csv(index=False).encode(), reference.gemeentecodes)


def test_division_unknown_code_names_row(reference):
    table = reference.default_division.table.copy()
    table.loc[3, "gemeentecode"] = "GM9999"
    with pytest.raises(DivisionError, match="rij 5.*GM9999"):
        read_division(table.to_csv(index=False).encode(), reference.gemeentecodes)


def test_division_without_columns(reference):
    with pytest.raises(DivisionError, match="subregio"):
        read_division(b"code,naam\nGM0363,Amsterdam\n", reference.gemeentecodes)
