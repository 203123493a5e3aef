"""The one table writer: Dutch CSV dialect, real numbers in Excel, no formulas anywhere."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.output import tables

ROOT = Path(__file__).resolve().parent.parent

#: Texts a spreadsheet would run as a formula (OWASP CSV injection, plus variants).
DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.invalid","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u00a0=1+1",
    "\uff1d1+1",  # full-width =
    "\uff0bA1",  # full-width +
    "\uff0dA1",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    "\ufe661+1",  # small =
    "-A1",
    "+A1",
]

#: Texts that stay as they are: plain numbers and phone numbers, ordinary names.
HARMLESS = ["-12", "+31 20 123 4567", "-3,5", "+(0)20-1234", "Bouw BV", "a=b", "e-mail",
            "", "'quoted"]

# An independent check (not the module's own): the first character that a spreadsheet
# reads, after leading spaces, may not start a formula unless the text is a plain number.
_TRIGGER = re.compile(r"^[\t\r\n]|^\s*[=@+\-\uff1d\uff20\uff0b\uff0d\ufe66\ufe6b\ufe62\ufe63]")
_PLAIN = re.compile(r"^\s*[+-][0-9 ().,/-]*$")


def live(text: str) -> bool:
    """True when ``text`` would be a live formula in a spreadsheet."""
    return bool(_TRIGGER.match(text)) and not _PLAIN.match(text)


def read_csv_cells(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_text(cell) -> str:
    """A text cell's value as Excel shows it (openpyxl keeps xlsxwriter's CR escape)."""
    return cell.value.replace("_x000D_", "\r")


# ---------------------------------------------------------------------------------------
# CSV dialect
# ---------------------------------------------------------------------------------------


def test_csv_dialect_is_dutch_excel():
    frame = pd.DataFrame({
        "naam": ["Bouw; BV", 'Zeg "ja"', "twee\nregels", None],
        "afstand_km": [3.7, -0.5, 1250.25, np.nan],
        "aantal": pd.array([1, None, 12345, 0], dtype="Int64"),
        "donateur": [True, False, None, np.True_],
        "klein": [1e-7, 0.0, -0.0, np.inf],
    })
    data = tables.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = data.decode("utf-8-sig")
    assert text.startswith("naam;afstand_km;aantal;donateur;klein\r\n")
    assert text.count("\r\n") == 5  # 4 rows + header; the newline inside a cell is quoted
    rows = read_csv_cells(data)
    assert rows[1] == ["Bouw; BV", "3,7", "1", "ja", "0,0000001"]
    assert rows[2] == ['Zeg "ja"', "-0,5", "", "nee", "0"]
    assert rows[3] == ["twee\nregels", "1250,25", "12345", "", "0"]  # no thousands separator
    assert rows[4] == ["", "", "0", "ja", ""]
    # pandas reads it back with the Dutch settings.
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["afstand_km"].tolist()[:3] == [3.7, -0.5, 1250.25]


def test_csv_fixed_decimals_dates_and_encoding():
    frame = pd.DataFrame({
        "lat": [52.5, 4.123456789],
        "dag": [date(2025, 3, 1), datetime(2025, 3, 1, 14, 5, 9)],
        "plaats": ["Den Helder", "Alkmaar — Noord"],
    })
    rows = read_csv_cells(tables.csv_bytes(frame, decimals=6))
    assert rows[1] == ["52,500000", "2025-03-01", "Den Helder"]
    assert rows[2] == ["4,123457", "2025-03-01 14:05:09", "Alkmaar — Noord"]


def test_csv_keeps_the_callers_column_names():
    frame = pd.DataFrame({"Organisatie": ["x"], "Gemeente": ["y"]})
    assert read_csv_cells(tables.csv_bytes(frame))[0] == ["Organisatie", "Gemeente"]


# ---------------------------------------------------------------------------------------
# Formula neutralisation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_gets_an_apostrophe(text):
    assert tables.is_formula_like(text)
    assert tables.neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_stays_as_written(text):
    assert not tables.is_formula_like(text)
    assert tables.neutralise_cell(text) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_cell_and_header_are_inert(text):
    frame = pd.DataFrame({text: [text, "gewoon"]})
    rows = read_csv_cells(tables.csv_bytes(frame))
    assert rows[0] == ["'" + text]
    assert rows[1] == ["'" + text]
    assert not any(live(cell) for row in rows for cell in row)


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_cell_header_and_sheet_name_are_inert(text):
    frame = pd.DataFrame({text: [text], "getal": [3.5]})
    data = tables.xlsx_bytes({text: frame, "Uitleg": frame})
    book = read_xlsx(data)
    sheet = book.worksheets[0]
    assert not live(sheet.title) and not sheet.title.startswith("'")
    for cell in (sheet["A1"], sheet["A2"]):
        assert cell.data_type == "s"
        assert xlsx_text(cell) == "'" + text
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == 3.5
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist()
                       if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula element at all


def test_xlsx_numbers_stay_numbers_and_text_stays_text():
    frame = pd.DataFrame({
        "getal": [3.7, -2.0], "aantal": pd.array([7, None], dtype="Int64"),
        "ja_nee": [True, False], "code": ["0123", "1e5"], "website": ["http://x.invalid", "a"],
    })
    sheet = read_xlsx(tables.xlsx_bytes(frame, sheet_name="Lijst"))["Lijst"]
    assert [c.value for c in sheet[1]] == ["getal", "aantal", "ja_nee", "code", "website"]
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("n", 3.7)
    assert (sheet["A3"].data_type, sheet["A3"].value) == ("n", -2)
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("n", 7)
    assert sheet["B3"].value is None
    assert [sheet["C2"].value, sheet["C3"].value] == ["ja", "nee"]
    # strings_to_numbers and strings_to_urls are off: the text is kept as text.
    assert (sheet["D2"].data_type, sheet["D2"].value) == ("s", "0123")
    assert (sheet["D3"].data_type, sheet["D3"].value) == ("s", "1e5")
    assert sheet["E2"].hyperlink is None and sheet["E2"].value == "http://x.invalid"


def test_xlsx_sheets_keep_their_order_and_get_valid_unique_names():
    frame = pd.DataFrame({"a": [1]})
    data = tables.xlsx_bytes({"Keuze": frame, "keuze": frame, "x" * 40: frame,
                              "a/b:c": frame, "History": frame, "'": frame})
    assert read_xlsx(data).sheetnames == ["Keuze", "keuze (2)", "x" * 31, "a b c",
                                          "History (blad)", "Blad"]


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_written_to_csv_as_an_inert_cell(text):
    rows = read_csv_cells(tables.csv_bytes(pd.DataFrame({"naam": [text]})))
    assert len(rows) == 2
    cell = rows[1][0]
    assert cell in (text, "'" + text)  # nothing else is changed
    assert not live(cell)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    "=+-@\t\r\n\uff1d\uff0b")))
def test_any_text_is_written_to_xlsx_as_an_inert_text_cell(text):
    cell = read_xlsx(tables.xlsx_bytes(pd.DataFrame({"naam": [text]}))).active["A2"]
    if text:
        assert cell.data_type == "s"
        assert xlsx_text(cell) in (text, "'" + text)
        assert not live(xlsx_text(cell))


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def test_write_table_chooses_the_format_by_suffix(tmp_path):
    sheets = {"Data": pd.DataFrame({"a": [1.5]}), "Uitleg": pd.DataFrame({"b": ["x"]})}
    csv_path = tables.write_table(tmp_path / "t.csv", sheets, private=False)
    assert read_csv_cells(csv_path.read_bytes()) == [["a"], ["1,5"]]  # first sheet only
    xlsx_path = tables.write_table(tmp_path / "t.XLSX", sheets, private=True)
    assert read_xlsx(xlsx_path.read_bytes()).sheetnames == ["Data", "Uitleg"]
    assert xlsx_path.stat().st_mode & 0o777 == 0o600
    assert csv_path.stat().st_mode & 0o022 == 0


# ---------------------------------------------------------------------------------------
# The boundary: nobody else writes tables, the CLI writes files only through geo.output.files
# ---------------------------------------------------------------------------------------

_WRITERS = re.compile(r"\.to_csv\(|\.to_excel\(|csv\.writer|csv\.DictWriter|ExcelWriter|"
                      r"xlsxwriter|Workbook\(")
_FILE_WRITES = re.compile(r"(?<![\w.])open\(|\.write_text\(|\.write_bytes\(|fdopen\(|"
                          r"mkstemp\(|\.to_file\(")


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_only_the_table_module_writes_csv_or_xlsx():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources("geo", "pages") if path != ROOT / "geo" / "output" / "tables.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _WRITERS.search(line)
    ]
    assert offenders == []


def test_the_boundary_check_would_see_a_writer():
    assert _WRITERS.search("table.to_csv(path, index=False)")
    assert _WRITERS.search("with pd.ExcelWriter(buffer) as xl:")
    assert _WRITERS.search("wb = openpyxl.Workbook()")
    assert not _WRITERS.search("openpyxl.load_workbook(io.BytesIO(data))")
    assert _FILE_WRITES.search("out.write_bytes(data)")
    assert not _FILE_WRITES.search("store = _open_store(args, settings)")


def test_cli_writes_files_only_through_the_safe_helpers():
    modules = sorted((ROOT / "geo" / "cli").glob("*.py"))
    assert len(modules) > 5  # the package, not a stale single file
    offenders = [f"{path.name}: {line.strip()}" for path in modules
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if _FILE_WRITES.search(line)]
    assert offenders == []
