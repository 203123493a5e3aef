"""Reading import files: ``.xlsx`` or ``.csv`` bytes → :class:`~geo.intake.rawtable.RawTable`.

Import files come from outside and are read on the server, so reading is bounded before
it is clever:

* **Size first.** :func:`read_table` refuses bytes over ``max_upload_mb``;
  :func:`read_import_file` checks the size on disk (``os.stat``) before reading and never
  reads more than the limit, so a huge file, a device or a growing file cannot fill
  memory. Every problem with the file itself (missing, a folder, no permission) is an
  :class:`~geo.errors.ImportFileError` with a Dutch message.
* **Spreadsheets are checked before they are parsed.**
  :func:`geo.intake.xlsx_guard.check_xlsx_archive` refuses zip bombs, XML bombs, XXE and
  oversized structures (measured peak memory: see there); then
  openpyxl streams the rows (read-only mode) and reading stops as soon as there are
  more data rows than ``max_import_rows`` - the sheet is never loaded whole. Columns
  after :data:`MAX_COLUMNS` are not read. Every exception openpyxl can raise on a
  malformed file becomes an :class:`~geo.errors.ImportFileError`.
* **Text files are decoded per line when they have to be.** A CSV is UTF-8 (with or
  without BOM), UTF-16 with BOM, or Windows-1252 as a whole. A file that mixes UTF-8
  lines with Windows-1252 lines is read line by line, each line in the encoding that
  fits; a row that got a Windows-1252 line and holds non-ASCII text in a recognised
  column gets a remark (:data:`geo.intake.rawtable.RECODED_REMARK`), so its verdict is a
  warning and never a silent ``ok``. A value with U+FFFD (the replacement character:
  bytes that were lost before or while reading) also gets a remark
  (:func:`geo.intake.rawtable.row_remarks`). Bytes that Windows-1252 leaves undefined
  become U+FFFD and are reported that way; nothing is refused for one bad byte.
* **Cells and rows are capped.** A CSV record longer than :data:`MAX_RECORD_CHARS` (before
  it is split into cells), a row with more than :data:`MAX_COLUMNS` columns (trailing
  empty cells do not count) or a cell longer than :data:`MAX_CELL_CHARS` (Excel's own
  limit) is refused with the row number.

Text is kept verbatim (HTML in a name included); escaping happens on display.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from geo.errors import ImportFileError, shown
from geo.intake.rawtable import (
    HEADER_SEARCH_ROWS,
    ColumnMapping,
    Columns,
    Line,
    NoNameColumn,
    NoTable,
    RawTable,
    find_header,
    table_from_lines,
)
from geo.intake.xlsx_guard import XlsxLimits, check_xlsx_archive, damaged_message
from geo.limited_read import FileTooLarge, read_at_most, unreadable_reason
from geo.settings import Settings
from geo.text import nl_number

log = logging.getLogger(__name__)

#: Columns read per row (A to IV, the classic Excel width); later columns are ignored.
MAX_COLUMNS = 256

#: Longest cell text accepted: what Excel itself can hold in a cell.
MAX_CELL_CHARS = 32_767

#: Longest CSV record (all its lines), in characters. A record is split into cells
#: only after it is read whole, so this bounds the cells of one row before they exist;
#: real rows are a few kilobytes.
MAX_RECORD_CHARS = 1024 * 1024

#: Worksheets searched for a header row, in workbook order.
MAX_SHEETS = 20

#: Exceptions openpyxl, zipfile, zlib and (defused)xml raise on malformed input. Each
#: is turned into an :class:`ImportFileError`: ``BadZipFile``/``LargeZipFile`` (archive),
#: ``KeyError`` (missing part), ``ValueError`` (also defusedxml's ``DTDForbidden``,
#: ``EntitiesForbidden``, ``ExternalReferenceForbidden`` and ``UnicodeError``),
#: ``SyntaxError`` (``xml.etree.ElementTree.ParseError``), ``TypeError``/``AttributeError``/
#: ``IndexError`` (openpyxl's descriptors and lookups on odd XML), ``OSError``/``EOFError``,
#: ``zlib.error``/``lzma.LZMAError``/``struct.error`` (compressed data),
#: ``RuntimeError`` (encrypted members; ``RecursionError``), ``NotImplementedError``
#: (unsupported zip features), ``OverflowError`` (dates and numbers out of range).
MALFORMED_XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, SyntaxError, TypeError,
    AttributeError, IndexError, OSError, EOFError, zlib.error, lzma.LZMAError, struct.error,
    RuntimeError, NotImplementedError, OverflowError,
)


# --------------------------------------------------------------------------- files


def read_import_file(path: str | Path, *, settings: Settings | None = None) -> bytes:
    """The bytes of an import file on disk, refusing what is not a small regular file.

    The size is checked with ``os.stat`` before anything is read, and at most
    ``max_upload_mb`` + 1 byte is ever read (a file that grows meanwhile is refused too).

    Parameters
    ----------
    path : str or Path
        The file to read.
    settings : Settings, optional
        Supplies ``max_upload_mb``; defaults when omitted.

    Returns
    -------
    bytes

    Raises
    ------
    ImportFileError
        With a Dutch message when the file is missing, a folder, not a regular file, not
        readable or larger than the limit.
    """
    settings = settings or Settings()
    path = Path(path)
    limit = settings.max_upload_mb * 1024 * 1024
    try:
        return read_at_most(path, limit)
    except FileTooLarge as err:
        raise ImportFileError(_too_large(path.name, err.size, settings)) from err
    except OSError as err:
        raise ImportFileError(
            f"'{shown(str(path))}' kan niet worden gelezen: {unreadable_reason(err)}."
        ) from err


def _too_large(filename: str, size: int, settings: Settings) -> str:
    return (
        f"'{shown(filename)}' is {nl_number(size / 1024 / 1024, 1)} MB; de grens is "
        f"{settings.max_upload_mb} MB."
    )


# --------------------------------------------------------------------------- cells & rows


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: ``1703`` not ``1703.0``, dates as ``2024-05-01``."""
    if type(value) is str:  # every CSV cell, most Excel cells (ASCII: no NBSP, no BOM)
        return (value if value.isascii()
                else value.replace("\u00a0", " ").replace("\ufeff", "")).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ").replace("\ufeff", "")
    return text.strip()


def _row_cells(values: Iterable[object], *, number: int, filename: str) -> list[str]:
    """Cell texts of one row without trailing empty cells; refuses overlong cells/rows."""
    values = tuple(values)
    end = len(values)  # a worksheet row comes padded with None to MAX_COLUMNS
    while end >= 16 and values[end - 16:end].count(None) == 16:
        end -= 16
    while end and values[end - 1] is None:
        end -= 1
    cells = [_cell_text(v) for v in values[:end]]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise ImportFileError(
            f"'{shown(filename)}', rij {number}: meer dan {MAX_COLUMNS} kolommen. Laat "
            "alleen de kolommen met gegevens over de organisaties staan."
        )
    for column, text in enumerate(cells, start=1):
        if len(text) > MAX_CELL_CHARS:
            raise ImportFileError(
                f"'{shown(filename)}', rij {number}, kolom {column}: de cel heeft meer dan "
                f"{nl_number(MAX_CELL_CHARS)} tekens; zo lang kan een cel in Excel niet zijn."
            )
    return cells


# --------------------------------------------------------------------------- CSV

_LINE = re.compile(rb"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


class Lines:
    """The lines of a CSV file (endings kept), decoded lazily, each as it fits.

    Iterating gives ``str`` lines for :func:`csv.reader`, which pulls exactly the lines
    of one record. :meth:`next_record` is called after each record: it tells whether a
    line of that record was decoded as Windows-1252 in a file that is otherwise UTF-8,
    and starts counting the next record's characters, which may not exceed
    :data:`MAX_RECORD_CHARS` (:class:`_RecordTooLong` is raised from the iteration).
    """

    def __init__(self, *, text: str | None = None, body: bytes = b"", mixed: bool = False,
                 encoding: str = "utf-8") -> None:
        self.text = text
        self.body = body
        self.mixed = mixed
        self.encoding = encoding
        self.recoded = False
        self.record_chars = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._decoded():
            self.record_chars += len(line)
            if self.record_chars > MAX_RECORD_CHARS:
                raise _RecordTooLong
            yield line

    def _decoded(self) -> Iterator[str]:
        if self.text is not None:
            yield from io.StringIO(self.text, newline="")
            return
        for match in _LINE.finditer(self.body):
            raw = match.group()
            if raw.isascii():
                yield raw.decode("ascii")
                continue
            if self.mixed:
                try:
                    yield raw.decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    self.recoded = True
            # Bytes Windows-1252 leaves undefined become U+FFFD: _row_remarks reports them.
            yield raw.decode("cp1252", errors="replace")

    def next_record(self) -> bool:
        """Whether the record just read had a recoded line; starts the next record."""
        recoded, self.recoded = self.recoded, False
        self.record_chars = 0
        return recoded


class _RecordTooLong(Exception):
    """Internal: a CSV record is longer than :data:`MAX_RECORD_CHARS`."""


def _decode(data: bytes, filename: str) -> Lines:
    """How to decode CSV bytes.

    UTF-16 needs a BOM and must decode cleanly. Otherwise the whole file is tried as
    UTF-8 (BOM or not). When that fails and no line with non-ASCII bytes is valid UTF-8
    (and there was no BOM), the file is Windows-1252. Else it mixes encodings: each line
    is decoded on its own - valid UTF-8 as UTF-8, the rest as Windows-1252 - and rows
    with a Windows-1252 line are flagged (:data:`RECODED_REMARK`).
    """
    not_text = ImportFileError(
        f"'{shown(filename)}' is geen tekstbestand (CSV). Sla het bestand op als .csv of "
        ".xlsx."
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ImportFileError(
                f"'{shown(filename)}' kan niet worden gelezen: de tekstcodering (UTF-16) is "
                "beschadigd."
            ) from err
        if "\x00" in text:
            raise not_text
        return Lines(text=text, encoding="utf-16")
    if b"\x00" in data:
        raise not_text
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Lines(text=text, encoding="utf-8-sig" if bom else "utf-8")
    mixed = bom or any(_is_utf8(m.group()) for m in _LINE.finditer(body))
    if not mixed:
        return Lines(body=body, encoding="cp1252")
    return Lines(body=body, mixed=True, encoding="utf-8 en cp1252 (gemengd)")


def _is_utf8(raw: bytes) -> bool:
    """True for a line with non-ASCII bytes that is valid UTF-8."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_lines(source: Lines, delimiter: str, filename: str) -> Iterator[Line]:
    """Non-empty CSV records as :class:`Line` (number = record number, as before)."""
    source.next_record()
    reader = csv.reader(iter(source), delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            raise ImportFileError(
                f"'{shown(filename)}', rij {number + 1}: de rij heeft meer dan "
                f"{MAX_RECORD_CHARS:,} tekens (of een aanhalingsteken wordt niet "
                "gesloten). Controleer het bestand.".replace(",", ".", 1)
            ) from None
        except csv.Error as err:
            raise ImportFileError(
                f"'{shown(filename)}' kan niet als CSV worden gelezen: rij {number + 1} is "
                "onleesbaar (bijvoorbeeld een cel die te lang is of een aanhalingsteken "
                "dat niet wordt gesloten)."
            ) from err
        number += 1
        recoded = source.next_record()
        cells = _row_cells(record, number=number, filename=filename)
        if any(cells):
            yield Line(number, cells, recoded)


def _read_csv(data: bytes, filename: str, max_rows: int, *, mapping: ColumnMapping | None,
              require_name: bool, columns: Columns | None) -> RawTable:
    source = _decode(data, filename)
    best = (-1, ";")  # (header score, delimiter); the first of equals wins
    for delimiter in (";", ",", "\t"):
        head: list[list[str]] = []
        try:
            for line in _csv_lines(source, delimiter, filename):
                if line.number > HEADER_SEARCH_ROWS:
                    break
                head.append(line.cells)
        except ImportFileError:
            pass  # scored on the rows before; if it wins, reading it names the bad row
        found = find_header(head, mapping, columns)
        score = found[1] if found else 0
        if score > best[0]:
            best = (score, delimiter)
    _, delimiter = best
    return table_from_lines(
        _csv_lines(source, delimiter, filename), filename=filename, max_rows=max_rows,
        encoding=source.encoding, delimiter=delimiter, mapping=mapping,
        require_name=require_name, columns=columns,
    )


# --------------------------------------------------------------------------- XLSX


def _sheet_lines(sheet, filename: str) -> Iterator[Line]:
    """Non-empty rows of a read-only worksheet, streamed, at most :data:`MAX_COLUMNS` wide."""
    sheet.reset_dimensions()  # do not trust the stored size
    rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        if values.count(None) == len(values):
            continue  # fast path: openpyxl fills gaps (up to row 1,048,576) with such rows
        cells = _row_cells(values, number=number, filename=filename)
        if any(cells):
            yield Line(number, cells)


def _read_xlsx(data: bytes, filename: str, settings: Settings, *,
               mapping: ColumnMapping | None, require_name: bool,
               columns: Columns | None) -> RawTable:
    """The first sheet with a header and a name column.

    Without ``require_name`` and without such a sheet: the first sheet with a header,
    read again without its name column.
    """
    check_xlsx_archive(data, filename, XlsxLimits.from_settings(settings))
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        log.warning("openpyxl parses without defusedxml; relying on the archive check alone")
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except ImportFileError:
        raise
    except MALFORMED_XLSX_ERRORS as err:
        log.info("openpyxl could not open an xlsx file: %s", type(err).__name__)
        raise ImportFileError(damaged_message(filename)) from err
    try:
        first_error: ImportFileError | None = None
        nameless = None  # the first sheet with a header but no name column
        for sheet in workbook.worksheets[:MAX_SHEETS]:
            if not hasattr(sheet, "iter_rows"):  # chart sheets
                continue
            try:
                return table_from_lines(
                    _sheet_lines(sheet, filename), filename=filename,
                    max_rows=settings.max_import_rows, sheet=sheet.title, mapping=mapping,
                    columns=columns)
            except NoTable as err:
                first_error = first_error or err
                if isinstance(err, NoNameColumn) and nameless is None:
                    nameless = sheet
        if nameless is not None and not require_name:
            return table_from_lines(
                _sheet_lines(nameless, filename), filename=filename,
                max_rows=settings.max_import_rows, sheet=nameless.title, mapping=mapping,
                require_name=False, columns=columns)
        raise first_error or ImportFileError(
            f"'{shown(filename)}' bevat geen werkblad met gegevens."
        )
    except ImportFileError:
        raise
    except MALFORMED_XLSX_ERRORS as err:
        log.info("openpyxl could not read an xlsx sheet: %s", type(err).__name__)
        raise ImportFileError(damaged_message(filename)) from err
    finally:
        workbook.close()


# --------------------------------------------------------------------------- entry point


def read_table(data: bytes, filename: str, *, settings: Settings | None = None,
               mapping: ColumnMapping | None = None, require_name: bool = True,
               columns: Columns | None = None) -> RawTable:
    """Read an import file (``.xlsx`` or ``.csv``) into a :class:`RawTable`.

    Parameters
    ----------
    data : bytes
        The file's contents.
    filename : str
        The file's name; its extension and the contents decide how it is read.
    settings : Settings, optional
        Supplies ``max_upload_mb`` and ``max_import_rows``; defaults when omitted.
    mapping : mapping, optional
        Header → field pairs beyond the registry's synonyms, keyed by
        :func:`~geo.intake.rawtable.header_key` (chosen by a user or remembered); the
        registry wins on a conflict.
    require_name : bool
        When False, a file whose header has no name column is read all the same (its
        table has no ``naam``), so the user can say which column holds the name.
    columns : tuple of Field, optional
        The fields of another kind of file, whose header synonyms are used instead of the
        registry's (a planning sheet: :mod:`geo.intake.activities`).

    Returns
    -------
    RawTable
        Recognised columns, unknown columns and the non-empty data rows with the row
        numbers the user sees in Excel.

    Raises
    ------
    ImportFileError
        With a Dutch message when the file is too large (in bytes, unpacked or in rows),
        of the wrong type, damaged, hostile (zip or XML bomb, XXE), has no recognisable
        header or no column with the organisation's name.
    """
    settings = settings or Settings()
    limit = settings.max_upload_mb * 1024 * 1024
    if len(data) > limit:
        raise ImportFileError(_too_large(filename, len(data), settings))
    if not data.strip():
        raise ImportFileError(f"'{shown(filename)}' is leeg.")
    suffix = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"'{shown(filename)}' is een oud Excel-bestand (.xls) of een met een wachtwoord "
            "beveiligd Excel-bestand. Haal een eventueel wachtwoord eraf en sla het in Excel "
            "op als .xlsx (Excel-werkmap) of als .csv; probeer het dan opnieuw."
        )
    if data.startswith(b"PK\x03\x04"):
        if suffix not in {"xlsx", "xlsm", ""}:
            raise ImportFileError(
                f"'{shown(filename)}' is geen spreadsheet die Infrakaart kan lezen; gebruik "
                ".xlsx of .csv."
            )
        return _read_xlsx(data, filename, settings, mapping=mapping,
                          require_name=require_name, columns=columns)
    if suffix in {"xlsx", "xlsm"}:
        raise ImportFileError(f"'{shown(filename)}' is geen geldig Excel-bestand (.xlsx).")
    if suffix not in {"csv", "txt", "tsv", ""}:
        raise ImportFileError(
            f"Bestandstype '.{shown(suffix, 10)}' wordt niet ondersteund; gebruik .xlsx of "
            ".csv."
        )
    return _read_csv(data, filename, settings.max_import_rows, mapping=mapping,
                     require_name=require_name, columns=columns)
