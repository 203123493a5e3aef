"""Integrity of the bundled reference data and the loader's validation."""

from __future__ import annotations

import io
import re
import shutil

import pandas as pd
import pytest

from geo.errors import DivisionError, ReferenceDataError
from geo.reference.data import FILES, RD_NEW, REGIONS, _load
from geo.reference.divisions import MAX_DIVISION_BYTES, division_label, read_division
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
    with pytest.raises(DivisionError, match="1 gemeente ontbreekt: GM"):
        read_division(table.to_csv(index=False).encode(), reference.gemeentecodes)


def test_division_unknown_code_names_row(reference):
    table = reference.default_division.table.copy()
    table.loc[3, "gemeentecode"] = "GM9999"
    with pytest.raises(DivisionError, match="rij 5.*GM9999"):
        read_division(table.to_csv(index=False).encode(), reference.gemeentecodes)


def test_division_without_columns(reference):
    with pytest.raises(DivisionError, match="subregio"):
        read_division(b"code,naam\nGM0363,Amsterdam\n", reference.gemeentecodes)


def _division_bytes(reference, *, header="gemeentecode,subregio", sep=",",
                    encoding="utf-8", **names) -> bytes:
    table = reference.default_division.table.copy()
    for code, name in names.items():
        table.loc[table["gemeentecode"] == code, "subregio"] = name
    rows = "".join(f"{c}{sep}{s}\n" for c, s in zip(table["gemeentecode"], table["subregio"],
                                                   strict=True))
    return (header + "\n" + rows).encode(encoding)


@pytest.mark.parametrize("header", ["gemeentecode,subregio,subregio",
                                    "gemeentecode,Subregio, SUBREGIO ",
                                    "gemeentecode,gemeentecode,subregio"])
def test_division_with_a_duplicate_column_is_refused(reference, header):
    raw = _division_bytes(reference, header=header)
    with pytest.raises(DivisionError, match="staat meer dan eens in de kopregel"):
        read_division(raw, reference.gemeentecodes)


def test_division_missing_column_lists_what_was_found(reference):
    with pytest.raises(DivisionError, match="Gevonden kolommen: code, naam"):
        read_division(b"code,naam\nGM0363,Amsterdam\n", reference.gemeentecodes)


def test_division_encodings(reference):
    codes = reference.gemeentecodes
    bom = b"\xef\xbb\xbf" + _division_bytes(reference, GM0363="Amstel-Zuid é")
    assert read_division(bom, codes).subregion_of()["GM0363"] == "Amstel-Zuid é"
    cp1252 = _division_bytes(reference, sep=";", header="gemeentecode;subregio",
                             encoding="cp1252", GM0363="Amstel-Zuid é")
    assert read_division(cp1252, codes).subregion_of()["GM0363"] == "Amstel-Zuid é"
    tabs = _division_bytes(reference, sep="\t", header="gemeentecode\tsubregio")
    assert read_division(tabs, codes).subregion_of() == reference.default_division.subregion_of()
    undecodable = _division_bytes(reference).replace(b"Amsterdam", b"Am\x81\x8dsterdam")
    with pytest.raises(DivisionError, match=r"rij \d+: bevat tekens die niet te lezen zijn"):
        read_division(undecodable, codes)
    mixed = _division_bytes(reference, GM0363="Amstel é").replace(
        b"Zaanstreek", "Zaanstreek è".encode("cp1252"))
    with pytest.raises(DivisionError, match=r"mengt twee tekstcoderingen: rij \d+ is UTF-8"):
        read_division(mixed, codes)
    with pytest.raises(DivisionError, match="geen tekstbestand"):
        read_division(_division_bytes(reference, encoding="utf-16"), codes)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Noord\u202eZuid", "stuurteken (U+202E)"),  # right-to-left override
        ("Noord\u200bZuid", "stuurteken (U+200B)"),  # zero-width space
        ("Noord\x07Zuid", "stuurteken (U+0007)"),
        ("", "heeft geen subregio"),
        ("   ", "heeft geen subregio"),
        ("Z" * 61, "langer dan 60 tekens"),
        ("=HYPERLINK(\"https://voorbeeld.invalid\")", "niet beginnen met '='"),
        ("@Zuid", "niet beginnen met '@'"),
    ],
)
def test_division_names_must_be_short_and_printable(reference, name, fragment):
    raw = _division_bytes(reference, GM0363=f'"{name}"')
    with pytest.raises(DivisionError, match=r"rij \d+: .*" + re.escape(fragment)):
        read_division(raw, reference.gemeentecodes)


def test_division_names_are_normalised_and_kept_verbatim_otherwise(reference):
    decomposed = "Zuid-Kennemerland e\u0301n IJmond"  # é as e + combining accent
    raw = _division_bytes(reference, GM0363="  Groot\u00a0 Amsterdam  ", GM0384=decomposed,
                          GM0437="Zuid {{ 7*191 }} <b>&amp;</b>")
    names = read_division(raw, reference.gemeentecodes).subregion_of()
    assert names["GM0363"] == "Groot Amsterdam"
    assert names["GM0384"] == "Zuid-Kennemerland én IJmond"  # NFC
    assert names["GM0437"] == "Zuid {{ 7*191 }} <b>&amp;</b>"  # escaped on output, not here


def test_division_duplicate_municipality_names_both_rows(reference):
    raw = _division_bytes(reference) + b"GM0363,Amsterdam\n"
    with pytest.raises(DivisionError, match=r"rij 48: gemeente GM0363 staat ook al op rij \d+"):
        read_division(raw, reference.gemeentecodes)


def test_division_file_size_is_checked_before_reading(reference, tmp_path):
    big = tmp_path / "groot.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_DIVISION_BYTES + 1)
    with pytest.raises(DivisionError, match="groter dan 256 kB"):
        read_division(big, reference.gemeentecodes)
    with pytest.raises(DivisionError, match="groter dan 256 kB"):
        read_division(b"x" * (MAX_DIVISION_BYTES + 1), reference.gemeentecodes)
    with pytest.raises(DivisionError, match="kan niet worden gelezen: het bestand bestaat niet"):
        read_division(tmp_path / "nergens.csv", reference.gemeentecodes)
    with pytest.raises(DivisionError, match="kan niet worden gelezen: het is een map"):
        read_division(tmp_path, reference.gemeentecodes)


def test_division_from_a_file_object_and_its_label(reference):
    raw = _division_bytes(reference)
    division = read_division(io.BytesIO(raw), reference.gemeentecodes,
                             name="mijn\u202e indeling\n.csv")
    assert division.name == "mijn indeling.csv"
    assert division_label("x" * 200).endswith("…") and len(division_label("x" * 200)) == 80
    assert division_label("\u200b") == "upload"
