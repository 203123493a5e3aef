r"""The one writer of tables for people: CSV and Excel (``.xlsx``), safe against formulas.

Every table the app or the CLI hands to a person — register exports, call lists, white
spots, what-if comparisons, the ambassador plan, import results, the subregion
division — is written here. Nothing else in ``geo/`` or ``pages/`` writes CSV or XLSX
(``tests/test_tables.py`` checks that).

No user text is ever a formula
    Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
    (and strip a leading tab or line break first), so a partner called
    ``=HYPERLINK("http://…","klik")`` would become a live link or worse.
    :func:`neutralise_cell` puts an apostrophe in front of such a text (OWASP, "CSV
    Injection"), also when the trigger follows leading spaces and for the full-width and
    small forms ``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``. It is applied to every text cell, every column
    header and every sheet name, in CSV and XLSX alike. One exception keeps phone numbers
    and negative figures readable: a ``+``/``-`` followed only by digits, spaces and
    ``( ) . , / -`` (``+31 20 123 4567``, ``-12``) stays as it is. Such a text cannot
    name a function, a cell or range (letters, ``:`` or ``!``), a DDE link (``|``) or a
    string, so at most a spreadsheet does arithmetic on the digits shown. Numbers and
    booleans are never text, so they are never prefixed.

CSV dialect (Dutch Excel)
    UTF-8 with a byte-order mark (so Excel reads accents), ``;`` between fields,
    ``\r\n`` line ends (Excel on Windows; every other reader accepts them), fields
    quoted only when they contain ``;``, ``"`` or a line break. Numbers are written with a
    decimal comma and no thousands separator (``3,7``, ``-0,5``, ``1250``), never in
    exponent notation; booleans as ``ja``/``nee``; dates as ``2025-03-01`` and times as
    ``2025-03-01 14:05:00``; missing values (None, NaN, NA, NaT, ±inf) as an empty field.

Excel
    Written with xlsxwriter and ``strings_to_formulas``, ``strings_to_urls`` and
    ``strings_to_numbers`` all off: a text is always a text cell, a number a numeric cell.
    Booleans are ``ja``/``nee`` and dates text, as in CSV; missing values are empty cells.
    Each sheet has a bold header row that stays in view, a filter and fitted column widths.

Column names are the callers' (Dutch) names; this module never renames columns.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geo.output.files import write_file_atomically

#: MIME type of a CSV file (for download buttons).
CSV_MIME = "text/csv"
#: MIME type of an Excel workbook (for download buttons).
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Field separator of every CSV.
CSV_SEPARATOR = ";"
#: Line end of every CSV (Excel on Windows).
CSV_LINE_END = "\r\n"

#: xlsxwriter workbook options: a text is never turned into a formula, link or number.
XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

TableOrSheets = pd.DataFrame | Mapping[str, pd.DataFrame]

_ALWAYS_FORMULA = frozenset("=@\uff1d\uff20\ufe66\ufe6b\uff0b\uff0d\ufe62\ufe63")
_LINE_START = frozenset("\t\r\n")
_PLAIN_NUMBER = re.compile(r"[+-][0-9 ().,/-]*")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_MAX = 31
_WIDTH_SAMPLE = 500


# ---------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    r"""True when a spreadsheet could run ``text`` as a formula (see the module notes).

    Parameters
    ----------
    text : str
        A cell text.

    Returns
    -------
    bool
        True for ``=1+1``, ``@SUM(A1)``, ``+cmd|' /C calc'!A0``, ``\t=1``, ``  =1``,
        ``＝1``; False for ``Bouw BV``, ``-12``, ``+31 20 123 4567``, ``""``.
    """
    if not text:
        return False
    if text[0] in _LINE_START:
        return True
    head = text.lstrip()
    if not head:
        return False
    if head[0] in _ALWAYS_FORMULA:
        return True
    if head[0] in "+-":
        return _PLAIN_NUMBER.fullmatch(head) is None
    return False


def neutralise_cell(text: str) -> str:
    """``text`` made inert for spreadsheets: an apostrophe in front when formula-like.

    Parameters
    ----------
    text : str
        A cell text, column header or sheet name from any source.

    Returns
    -------
    str
        ``"'" + text`` when :func:`is_formula_like`, else ``text`` unchanged. Characters
        that cannot be stored as UTF-8 (lone surrogates) are replaced by ``?``.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return "'" + text if is_formula_like(text) else text


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    return isinstance(value, np.datetime64) and np.isnat(value)


def _number_text(value: float, decimals: int | None) -> str:
    value = float(value) or 0.0  # no "-0"
    if decimals is None:
        text = np.format_float_positional(value, trim="-")
    else:
        text = f"{value:.{decimals}f}"
    return text.replace(".", ",")


def _date_text(value: date | np.datetime64) -> str:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):
        if value.time() == datetime.min.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def cell_text(value: object, *, decimals: int | None = None) -> str:
    """One value as CSV text in the Dutch dialect (see the module notes).

    Parameters
    ----------
    value : object
        A cell of a DataFrame.
    decimals : int, optional
        Fixed number of decimals for floats; default: as many as needed.

    Returns
    -------
    str
        ``"3,7"``, ``"12"``, ``"ja"``, ``""`` for missing values, or neutralised text.
    """
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nee"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _number_text(value, decimals)
    if isinstance(value, date | np.datetime64):
        return _date_text(value)
    return neutralise_cell(str(value))


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------


def csv_bytes(frame: pd.DataFrame, *, decimals: int | None = None) -> bytes:
    """``frame`` as a CSV file for Dutch Excel (without the index).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, with the column names people should see.
    decimals : int, optional
        Write every float with exactly this many decimals (e.g. 6 for coordinates);
        default: as many as the value needs.

    Returns
    -------
    bytes
        UTF-8 with BOM, ``;``-separated, CRLF line ends, decimal comma, formulas inert.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator=CSV_LINE_END,
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([cell_text(v, decimals=decimals) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------


def sheet_title(name: object, *, taken: set[str] | None = None) -> str:
    r"""A valid, inert and unique Excel sheet name for ``name``.

    Excel forbids ``[ ] : * ? / \``, an apostrophe at either end, more than 31
    characters and the name "History"; a formula-like name gets ``_`` in front (an
    apostrophe is not allowed there). ``taken`` (lower-cased names already used) is
    updated; a clash gets `` (2)``, `` (3)``, ...

    Parameters
    ----------
    name : object
        The wanted name (any text, possibly from a user).
    taken : set of str, optional
        Lower-cased names already in the workbook; the result is added.

    Returns
    -------
    str
        The sheet name to use.
    """
    text = str(name).encode("utf-8", "replace").decode("utf-8")
    title = _SHEET_FORBIDDEN.sub(" ", text).strip().strip("'").strip()
    if is_formula_like(title):
        title = "_" + title
    title = title[:_SHEET_MAX].rstrip("'").strip() or "Blad"
    if title.lower() == "history":
        title = "History (blad)"
    taken = set() if taken is None else taken
    base, n = title, 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[:_SHEET_MAX - len(suffix)].rstrip("'").rstrip() + suffix
    taken.add(title.lower())
    return title


def _write_cell(sheet, row: int, col: int, value: object) -> None:
    if _is_missing(value):
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_string(row, col, "ja" if value else "nee")
    elif isinstance(value, int | np.integer | float | np.floating):
        sheet.write_number(row, col, float(value) if isinstance(value, float | np.floating)
                           else int(value))
    elif isinstance(value, date | np.datetime64):
        sheet.write_string(row, col, _date_text(value))
    else:
        sheet.write_string(row, col, neutralise_cell(str(value)))


def _column_width(header: str, values: pd.Series) -> float:
    sample = values.head(_WIDTH_SAMPLE)
    longest = max([len(header), *(len(cell_text(v)) for v in sample)])
    return min(max(longest + 2, 8), 60)


def xlsx_bytes(sheets: TableOrSheets, *, sheet_name: str = "Blad1") -> bytes:
    """One or more tables as an Excel workbook (without the index).

    Parameters
    ----------
    sheets : DataFrame or mapping of str to DataFrame
        One table, or sheet name → table in the order the sheets should appear
        (e.g. the data and an explanation sheet).
    sheet_name : str
        The sheet name when ``sheets`` is a single table.

    Returns
    -------
    bytes
        An ``.xlsx`` file: texts as text cells (never formulas or links, and
        formula-like texts with an apostrophe), numbers as numeric cells.
    """
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet_name: sheets}
    buffer = io.BytesIO()
    import xlsxwriter  # only when an .xlsx is written: commands writing CSV start sooner

    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    bold = workbook.add_format({"bold": True})
    taken: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(sheet_title(name, taken=taken))
        headers = [neutralise_cell(str(c)) for c in frame.columns]
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            for col, value in enumerate(values):
                _write_cell(sheet, row, col, value)
        for col, header in enumerate(headers):
            sheet.set_column(col, col, _column_width(header, frame.iloc[:, col]))
        sheet.freeze_panes(1, 0)
        if headers:
            sheet.autofilter(0, 0, max(len(frame), 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def is_xlsx_path(path: str | Path) -> bool:
    """True when ``path`` ends in ``.xlsx`` (any case); every other name gets CSV."""
    return Path(path).suffix.lower() == ".xlsx"


def table_bytes(table: TableOrSheets, *, xlsx: bool, decimals: int | None = None) -> bytes:
    """``table`` as XLSX or CSV bytes.

    Parameters
    ----------
    table : DataFrame or mapping of str to DataFrame
        One table or sheets. A CSV holds one table: the first sheet (the others are
        explanations meant for the workbook).
    xlsx : bool
        Excel when True, else CSV.
    decimals : int, optional
        Fixed decimals for floats in CSV (see :func:`csv_bytes`).

    Returns
    -------
    bytes
    """
    if xlsx:
        return xlsx_bytes(table)
    if not isinstance(table, pd.DataFrame):
        table = next(iter(table.values()))
    return csv_bytes(table, decimals=decimals)


def write_table(path: str | Path, table: TableOrSheets, *, private: bool,
                decimals: int | None = None) -> Path:
    """Write a table to ``path``: ``.xlsx`` as Excel, any other name as CSV.

    The file is written atomically with :func:`geo.output.files.write_file_atomically`.

    Parameters
    ----------
    path : str or Path
        The file to write.
    table : DataFrame or mapping of str to DataFrame
        One table or sheets (a CSV gets the first sheet).
    private : bool
        True when the table holds personal data: the file gets mode 0600.
    decimals : int, optional
        Fixed decimals for floats in CSV.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OutputError
        When the file cannot be written (Dutch message naming the path).
    """
    data = table_bytes(table, xlsx=is_xlsx_path(path), decimals=decimals)
    return write_file_atomically(path, data, private=private)
