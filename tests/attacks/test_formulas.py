"""Attack: user text becomes a live spreadsheet formula in a table the app writes.

Finding: "Spreadsheet formulas stay live in the ambassador Excel and CSV, the import
result CSV, and the white-spot CSV/XLSX (a subregion name from an uploaded division
becomes a formula). The register export already neutralises them; the other writers
don't." Every writer is fed hostile names and must write them as inert text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.analysis import indicators as analysis
from geo.analysis.coverage import coverage
from geo.analysis.plans import evaluate, optimal_plan
from geo.analysis.proximity import nearest_partners
from geo.analysis.scenario import scenario
from geo.cli import main
from geo.output import tables
from geo.output.call_lists import call_list
from geo.output.export import export_register
from geo.output.plans import plan_sheets
from geo.reference.data import Division
from geo.reference.divisions import read_division
from geo.register.store import Store

HOSTILE = '=HYPERLINK("http://evil.invalid","x")'
#: The intake refuses subregion names that start with = + - @ (geo.reference.data), so a
#: division *file* carries the full-width equals sign, which spreadsheets may also read as a
#: formula; a Division built in code carries the ASCII one. The writers neutralise both.
DIVISION_HOSTILE = '＝HYPERLINK("http://evil.invalid","x")'
#: Partner names from the OWASP examples, one per formula trigger.
HOSTILE_NAMES = [HOSTILE, "@SUM(1+1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
                 "-2+3+cmd|' /C calc'!A0"]
PHONE = "+31 20 123 4567"  # a plain phone number stays readable

# Independent of geo.output.tables: what a spreadsheet would run as a formula.
_TRIGGER = re.compile(r"^[\t\r\n]|^\s*[=@+\-\uff1d\uff20\uff0b\uff0d\ufe66\ufe6b\ufe62\ufe63]")
_PLAIN = re.compile(r"^\s*[+-][0-9 ().,/-]*$")


def live(text: str) -> bool:
    return bool(_TRIGGER.match(text)) and not _PLAIN.match(text)


def csv_cells(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    return [cell for row in rows for cell in row]


def xlsx_cells(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist()
                       if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def assert_inert(cells: list[str], *, expected: list[str]) -> None:
    """No cell is a live formula, and each hostile text is there, with an apostrophe."""
    assert [c for c in cells if live(c)] == []
    for text in expected:
        assert "'" + text in cells, text


def pc4_point(reference, pc4: str) -> tuple[float, float]:
    row = reference.pc4.set_index("pc4").loc[pc4]
    return float(row["lat_pos"]), float(row["lon_pos"])


@pytest.fixture
def register(tmp_path, reference) -> Path:
    """A register whose only partners have hostile names, notes and contacts."""
    path = tmp_path / "register.sqlite"
    with Store(path, reference) as store:
        for name, pc4 in zip(HOSTILE_NAMES, ("1011", "1703", "2011", "1012"), strict=True):
            lat, lon = pc4_point(reference, pc4)
            store.save_organisation(
                {"naam": name, "soort": "aannemer", "lat": lat, "lon": lon,
                 "notities": HOSTILE, "contactpersoon": "@Henk", "telefoon": PHONE,
                 "email": "henk@partner.invalid"},
                user="test",
            )
    return path


def _renamed(reference, name: str):
    table = reference.default_division.table.copy()
    own = table.loc[table["gemeentecode"] == "GM0363", "subregio"].iloc[0]
    table.loc[table["subregio"] == own, "subregio"] = name
    return table


@pytest.fixture
def division_file(tmp_path, reference) -> Path:
    """The bundled division with Amsterdam's subregion renamed to a (full-width) formula."""
    path = tmp_path / "indeling.csv"
    path.write_bytes(_renamed(reference, DIVISION_HOSTILE).to_csv(index=False, sep=";")
                     .encode("utf-8"))
    return path


@pytest.fixture
def division(reference):
    """A division whose subregion name is an ASCII formula (built in code: the intake
    would refuse it, the writers must not rely on that)."""
    return Division("@kwaad.csv", _renamed(reference, HOSTILE))


def test_ambassador_excel_neutralises_partner_subregion_and_division_names(
    register, reference, division
):
    """Finding: "Spreadsheet formulas stay live in the ambassador Excel"."""
    with Store(register, reference) as store:
        partners, schools = store.organisations(), store.schools()
    cov = coverage(partners, schools, radius_km=10, division=division)
    plan = optimal_plan(cov, k=len(HOSTILE_NAMES))
    comparison = evaluate([len(HOSTILE_NAMES)], cov)
    data = tables.xlsx_bytes(plan_sheets(plan, comparison=comparison))
    assert_inert(xlsx_cells(data), expected=[*HOSTILE_NAMES, "@kwaad.csv"])


def test_ambassador_csv_from_the_cli_neutralises_partner_and_subregion_names(
    register, division_file, tmp_path, settings, capsys
):
    """Finding: "Spreadsheet formulas stay live in the ambassador ... CSV"."""
    out = tmp_path / "keuze.csv"
    code = main(["ambassadeurs", "-k", str(len(HOSTILE_NAMES)), "--indeling",
                 str(division_file), "--database", str(register), "--uitvoer", str(out)],
                settings=settings)
    assert code == 0, capsys.readouterr().err
    assert_inert(csv_cells(out.read_bytes()), expected=HOSTILE_NAMES)
    assert "'" + DIVISION_HOSTILE in csv_cells(out.read_bytes())


def test_import_result_csv_neutralises_names_from_the_imported_file(tmp_path, settings,
                                                                    capsys):
    """Finding: "Spreadsheet formulas stay live in ... the import result CSV"."""
    source = tmp_path / "partners.csv"
    rows = "".join(f'"{n.replace(chr(34), chr(34) * 2)}";1811 AB;Alkmaar\n'
                   for n in HOSTILE_NAMES)
    source.write_text("Organisatie;Postcode;Plaats\n" + rows, encoding="utf-8")
    out = tmp_path / "resultaat.csv"
    code = main(["import", str(source), "--offline", "--droog", "--database",
                 str(tmp_path / "r.sqlite"), "--uitvoer", str(out)], settings=settings)
    assert code == 0, capsys.readouterr().err
    assert_inert(csv_cells(out.read_bytes()), expected=HOSTILE_NAMES)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_white_spot_table_neutralises_a_subregion_name_from_an_uploaded_division(
    register, division_file, tmp_path, settings, capsys, suffix
):
    """Finding: "the white-spot CSV/XLSX (a subregion name from an uploaded division becomes a formula)"."""  # noqa: E501
    out = tmp_path / f"witte-vlekken{suffix}"
    code = main(["witte-vlekken", "--niveau", "subregio", "--indeling", str(division_file),
                 "--database", str(register), "--uitvoer", str(out)], settings=settings)
    assert code == 0, capsys.readouterr().err
    cells = xlsx_cells(out.read_bytes()) if suffix == ".xlsx" else csv_cells(out.read_bytes())
    assert_inert(cells, expected=[DIVISION_HOSTILE])


def test_white_spot_and_what_if_downloads_neutralise_the_subregion_name(
    register, reference, division
):
    """Finding: "the white-spot CSV/XLSX" — the page downloads (kaart, wat als) too."""
    with Store(register, reference) as store:
        partners, schools, mbo = store.organisations(), store.schools(), store.mbo_locations()
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    what_if = scenario("subregio", new_location="GM0400", reference=reference,
                                division=division, partners=partners, schools=schools,
                                mbo=mbo)
    for frame, name in ((table, "Witte vlekken"), (what_if, "Wat als")):
        sheets = analysis.export_sheets(frame, sheet_name=name)
        assert_inert(csv_cells(tables.table_bytes(sheets, xlsx=False)), expected=[HOSTILE])
        assert_inert(xlsx_cells(tables.table_bytes(sheets, xlsx=True)), expected=[HOSTILE])


def test_call_list_from_cli_and_page_neutralises_partner_names_and_contacts(
    register, reference, tmp_path, settings, capsys
):
    """Finding: formulas stay live in writers other than the register export (call list)."""
    with Store(register, reference) as store:
        partners, schools = store.organisations(include_personal=True), store.schools()
    school = schools.dropna(subset=["lat"]).iloc[[0]]
    out = tmp_path / "lijst.csv"
    code = main(["dichtbij", "--school", school.iloc[0]["vestigingscode"], "-n", "4",
                 "--database", str(register), "--uitvoer", str(out)], settings=settings)
    assert code == 0, capsys.readouterr().err
    assert_inert(csv_cells(out.read_bytes()), expected=HOSTILE_NAMES)
    # The staff download on the School koppelen page, with contact data.
    table = call_list(nearest_partners(school, partners, k=4), include_personal=True)
    for cells in (csv_cells(tables.csv_bytes(table)), xlsx_cells(tables.xlsx_bytes(table))):
        assert_inert(cells, expected=[*HOSTILE_NAMES, "@Henk"])
        assert PHONE in cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_register_export_still_neutralises_names_notes_and_contacts(
    register, reference, tmp_path, fmt
):
    """Finding: "The register export already neutralises them" — and keeps doing so."""
    out = tmp_path / f"intern.{fmt}"
    with Store(register, reference) as store:
        export_register(store, out, fmt=fmt, public=False)
    data = out.read_bytes()
    cells = xlsx_cells(data) if fmt == "xlsx" else csv_cells(data)
    assert_inert(cells, expected=[*HOSTILE_NAMES, "@Henk"])
    assert PHONE in cells


def test_division_download_neutralises_subregion_names_and_reads_back(division, reference):
    """Finding: a subregion name from an uploaded division becomes a formula (download)."""
    data = tables.csv_bytes(division.table)
    assert_inert(csv_cells(data), expected=[HOSTILE])
    again = read_division(data, reference.gemeentecodes, name="terug.csv")
    assert again.table["gemeentecode"].tolist() == division.table["gemeentecode"].tolist()
    pd.testing.assert_series_equal(
        again.table["subregio"].str.removeprefix("'"), division.table["subregio"])
