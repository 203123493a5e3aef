"""Reading import files: ``.xlsx`` or ``.csv`` bytes → :class:`RawTable`, within bounds.

Import files come from outside and are read on the server, so reading is bounded before
it is clever:

* **Size first.** :func:`read_table` refuses bytes over ``max_upload_mb``;
  :func:`read_import_file` checks the size on disk (``os.stat``) before reading and never
  reads more than the limit, so a huge file, a device or a growing file cannot fill
  memory. Every problem with the file itself (missing, a folder, no permission) is an
  :class:`~geo.errors.ImportFileError` with a Dutch message.
* **Spreadsheets are checked before they are parsed.** :func:`geo.xlsx_guard.
  check_xlsx_archive` refuses zip bombs, XML bombs, XXE and oversized structures; then
  openpyxl streams the rows (read-only mode) and reading stops as soon as there are
  more data rows than ``max_import_rows`` - the sheet is never loaded whole. Columns
  after :data:`MAX_COLUMNS` are not read. Every exception openpyxl can raise on a
  malformed file becomes an :class:`~geo.errors.ImportFileError`.
* **Text files are decoded per line when they have to be.** A CSV is UTF-8 (with or
  without BOM), UTF-16 with BOM, or Windows-1252 as a whole. A file that mixes UTF-8
  lines with Windows-1252 lines is read line by line, each line in the encoding that
  fits; a row that got a Windows-1252 line and holds non-ASCII text in a recognised
  column gets a remark (:data:`RECODED_REMARK`), so its verdict is a warning and never
  a silent ``ok``. A value with U+FFFD (the replacement character: bytes that were
  lost before or while reading) also gets a remark (:func:`_row_remarks`).
* **Cells and rows are capped.** A cell longer than :data:`MAX_CELL_CHARS` (Excel's own
  limit) or a CSV row with more than :data:`MAX_COLUMNS` non-empty-trailing columns is
  refused with the row number.

Text is kept verbatim (HTML in a name included); escaping happens on display.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import lzma
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.errors import ImportFileError, shown
from geo.settings import Settings
from geo.xlsx_guard import XlsxLimits, check_xlsx_archive, damaged_message

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

#: Remark for a row read as Windows-1252 in a file that is otherwise UTF-8.
RECODED_REMARK = (
    "Tekstcodering: deze rij is niet als UTF-8 opgeslagen zoals de rest van het bestand en "
    "is als Windows-1252 gelezen; controleer letters met accenten."
)

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


# --------------------------------------------------------------------------- headers

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30

# Header synonyms: field → headers (as written by people). Lower priority number wins
# when two columns map to the same field (``Bedrijfsnaam`` beats a bare ``Naam``).
_SYNONYMS: dict[str, list[str]] = {
    "naam": [
        "Organisatie", "Naam organisatie", "Organisatienaam", "Naam van de organisatie",
        "Bedrijfsnaam", "Naam bedrijf", "Bedrijf", "Relatie", "Relatienaam", "Partner",
        "Partnernaam", "Donateur naam", "Schoolnaam", "Naam school", "School",
        "Vestigingsnaam", "Naam vestiging",
    ],
    "straat": [
        "Adres", "Straat", "Straat + huisnr", "Straat + huisnummer", "Straat en huisnummer",
        "Straat huisnummer", "Straat/huisnummer", "Straat & huisnr", "Straatnaam",
        "Bezoekadres", "Vestigingsadres", "Adresregel", "Straat en huisnr",
    ],
    # Not "Nr" or "Nummer": offices use those for a running row number.
    "huisnummer": ["Huisnummer", "Huisnr", "Huisnr.", "Huis nr"],
    "toevoeging": ["Toevoeging", "Huisnummertoevoeging", "Huisletter", "Huisnummer toevoeging"],
    "postcode": ["Postcode", "PC", "Post code", "Postcode bezoekadres"],
    "plaats": [
        "Plaats", "Woonplaats", "Vestigingsplaats", "Plaatsnaam", "Stad", "Plaats bezoekadres",
    ],
    "gemeente": ["Gemeente"],
    "land": ["Land", "Country"],
    "soort": [
        "Soort", "Type", "Categorie", "Branche", "Sector", "Soort organisatie",
        "Type organisatie", "Soort bedrijf",
    ],
    "donateur": ["Donateur", "Donor", "Donateur ja/nee", "Doneert", "Donateur (ja/nee)"],
    "actief": ["Actief", "Actief (ja/nee)", "Actief ja/nee"],
    "website": ["Website", "Internet", "Internetadres", "Site", "Url", "Web", "Homepage", "Www"],
    "contactpersoon": [
        "Contactpersoon", "Contact", "Naam contactpersoon", "Contactpersoon naam",
        "Contact persoon",
    ],
    "email": [
        "E-mail", "Email", "Mail", "E-mailadres", "Emailadres", "Mailadres", "E-mail adres",
        "E-mail contactpersoon",
    ],
    "telefoon": [
        "Telefoon", "Tel", "Tel.", "Telefoonnummer", "Telefoonnr", "Tel nr", "Telnr", "Mobiel",
        "Telefoon nummer", "Telefoon contactpersoon",
    ],
    "notities": [
        "Notities", "Notitie", "Opmerkingen", "Opmerking", "Toelichting", "Bijzonderheden",
    ],
    "ambassadeur_voor": ["Ambassadeur", "Ambassadeur voor", "Ambassadeur subregio"],
    "vestigingscode": [
        "Vestigingscode", "BRIN", "BRIN vestiging", "Brinvestigingsnummer", "Vestigingsnummer",
    ],
    "onderwijsstructuur": ["Onderwijsstructuur", "Onderwijstype", "Schooltype"],
}
# Bare "Naam": the organisation's name unless a more specific name column exists.
_GENERIC = {"naam": "naam"}

#: Dutch label of every field, for messages and the preview.
FIELD_LABELS = {
    "naam": "Naam", "straat": "Straat", "huisnummer": "Huisnummer", "toevoeging": "Toevoeging",
    "postcode": "Postcode", "plaats": "Plaats", "gemeente": "Gemeente", "land": "Land",
    "soort": "Soort", "donateur": "Donateur", "actief": "Actief", "website": "Website",
    "contactpersoon": "Contactpersoon", "email": "E-mail", "telefoon": "Telefoon",
    "notities": "Notities", "ambassadeur_voor": "Ambassadeur", "vestigingscode":
    "Vestigingscode", "onderwijsstructuur": "Onderwijsstructuur",
}


def _header_key(text: object) -> str:
    """Normalise a header cell: case, accents, punctuation and spaces do not matter."""
    name = unicodedata.normalize("NFKD", str(text or "")).casefold()
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = name.replace("&", "en")
    return re.sub(r"[^0-9a-z]+", "", name)


def _build_header_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for field_name, headers in _SYNONYMS.items():
        for header in headers:
            index.setdefault(_header_key(header), (field_name, 0))
    for header, field_name in _GENERIC.items():
        index.setdefault(_header_key(header), (field_name, 1))
    return index


_HEADER_INDEX = _build_header_index()


def header_field(header: object) -> str | None:
    """The field a column header stands for, or None when not recognised.

    Examples
    --------
    >>> header_field("Straat + huisnr."), header_field("E-mail"), header_field("Kleur")
    ('straat', 'email', None)
    """
    found = _HEADER_INDEX.get(_header_key(header))
    return found[0] if found else None


@dataclass(frozen=True)
class RawRow:
    """One non-empty data row of the input.

    Attributes
    ----------
    rij : int
        The row number the user sees in Excel (1-based, counting title and empty rows).
    values : dict
        Field → text as given (stripped); only fields that have a column. A separate
        house number column is already merged into ``straat``.
    remarks : tuple of str
        Dutch remarks about how the row's text was read (a mixed encoding, replacement
        characters); they make the row's verdict at least a ``waarschuwing``.
    """

    rij: int
    values: dict[str, str]
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawTable:
    """The rows of an import file with its recognised columns.

    Attributes
    ----------
    filename : str
        Name of the file as uploaded.
    header_row : int
        Row number (1-based) of the header.
    columns : dict
        Field → the header text that was recognised for it.
    unknown_columns : list of str
        Headers that were not recognised (ignored, reported to the user).
    rows : list of RawRow
        The non-empty data rows, in input order.
    encoding, delimiter, sheet : str or None
        How the file was read (CSV encoding and separator, or the Excel sheet name).
    """

    filename: str
    header_row: int
    columns: dict[str, str]
    unknown_columns: list[str]
    rows: list[RawRow]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def fields(self) -> set[str]:
        """The fields present as a column (``huisnummer`` counts as ``straat``)."""
        present = set(self.columns)
        if present & {"huisnummer", "toevoeging"}:
            present.add("straat")
        return present


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
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(info.st_mode):
            raise ImportFileError(
                f"'{shown(str(path))}' kan niet worden gelezen: het is geen gewoon bestand."
            )
        if info.st_size > limit:
            raise ImportFileError(_too_large(path.name, info.st_size, settings))
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        reason = (
            "het bestand bestaat niet" if isinstance(err, FileNotFoundError)
            else "het is een map" if isinstance(err, IsADirectoryError)
            else "geen leesrechten" if isinstance(err, PermissionError)
            else f"leesfout ({err.strerror or type(err).__name__})"
        )
        raise ImportFileError(
            f"'{shown(str(path))}' kan niet worden gelezen: {reason}."
        ) from err
    if len(data) > limit:
        raise ImportFileError(_too_large(path.name, len(data), settings))
    return data


def _too_large(filename: str, size: int, settings: Settings) -> str:
    return (
        f"'{shown(filename)}' is {size / 1024 / 1024:.1f} MB; de grens is "
        f"{settings.max_upload_mb} MB."
    )


# --------------------------------------------------------------------------- cells & rows


@dataclass(frozen=True)
class _Line:
    """A non-empty row as read: its number, its cell texts, how it was decoded."""

    number: int
    cells: list[str]
    recoded: bool = False


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: ``1703`` not ``1703.0``, dates as ``2024-05-01``."""
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
    cells = [_cell_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise ImportFileError(
            f"'{shown(filename)}', rij {number}: meer dan {MAX_COLUMNS} kolommen. Laat "
            "alleen de kolommen met gegevens over de organisaties staan."
        )
    for column, text in enumerate(cells, start=1):
        if len(text) > MAX_CELL_CHARS:
            limit = f"{MAX_CELL_CHARS:,}".replace(",", ".")
            raise ImportFileError(
                f"'{shown(filename)}', rij {number}, kolom {column}: de cel heeft meer dan "
                f"{limit} tekens; zo lang kan een cel in Excel niet zijn."
            )
    return cells


def _find_header(grid: Sequence[Sequence[str]]) -> tuple[int, int] | None:
    """Index and score of the row that looks most like a header, or None."""
    best: tuple[int, int] | None = None
    for i, row in enumerate(grid):
        found = {header_field(cell) for cell in row if cell}
        found.discard(None)
        score = len(found)
        if score and (best is None or score > best[1]):
            best = (i, score)
    return best


class _NoTable(ImportFileError):
    """Internal: no header (or no name column) here; another sheet may have one."""


def _row_remarks(values: dict[str, str], recoded: bool) -> tuple[str, ...]:
    """Remarks about how a row's text was read (never about its content).

    * :data:`RECODED_REMARK` when the row was decoded as Windows-1252 in a mixed file
      and a recognised column holds non-ASCII text (the only text a wrong guess changes);
    * a remark naming the fields that hold U+FFFD, the replacement character: such text
      lost bytes somewhere and is stored garbled unless someone looks.
    """
    remarks = []
    if recoded and not all(v.isascii() for v in values.values()):
        remarks.append(RECODED_REMARK)
    garbled = [FIELD_LABELS.get(k, k) for k, v in values.items() if "\ufffd" in v]
    if garbled:
        remarks.append(
            f"{', '.join(garbled)}: bevat onleesbare tekens (\ufffd); de tekst is bij het "
            "opslaan of lezen beschadigd. Controleer hem in het bronbestand."
        )
    return tuple(remarks)


def _table_from_lines(
    lines: Iterable[_Line], *, filename: str, max_rows: int, **how: str | None
) -> RawTable:
    """Build a :class:`RawTable` from non-empty rows, stopping after ``max_rows`` data rows.

    ``lines`` is consumed lazily: the rows numbered up to :data:`HEADER_SEARCH_ROWS` are
    searched for the header, the rest is taken one row at a time.
    """
    lines = iter(lines)
    head: list[_Line] = []
    after_head: list[_Line] = []
    for line in lines:
        if line.number > HEADER_SEARCH_ROWS:
            after_head.append(line)
            break
        head.append(line)
    found = _find_header([line.cells for line in head])
    if found is None:
        raise _NoTable(
            f"In '{shown(filename)}' is geen kopregel gevonden. Zet boven de gegevens een "
            "regel met kolomnamen zoals Organisatie, Adres, Postcode en Plaats."
        )
    header_index, _ = found
    header_line = head[header_index]
    header = header_line.cells
    chosen: dict[str, tuple[int, int]] = {}  # field → (priority, column)
    unknown: list[str] = []
    for col, cell in enumerate(header):
        if not cell:
            continue
        hit = _HEADER_INDEX.get(_header_key(cell))
        if hit is None:
            unknown.append(cell)
            continue
        field_name, priority = hit
        if field_name in chosen and chosen[field_name][0] <= priority:
            unknown.append(cell)
            continue
        if field_name in chosen:
            unknown.append(header[chosen[field_name][1]])
        chosen[field_name] = (priority, col)
    if "naam" not in chosen:
        raise _NoTable(
            f"In '{shown(filename)}' staat geen kolom met de naam van de organisatie "
            "(bijvoorbeeld 'Organisatie', 'Bedrijfsnaam' of 'Naam'). Gevonden kolommen: "
            f"{', '.join(shown(c, 40) for c in header if c) or 'geen'}."
        )
    columns = {name: header[col] for name, (_, col) in chosen.items()}
    rows: list[RawRow] = []
    data_lines = _chain(head[header_index + 1:], after_head, lines)
    for line in data_lines:
        cells = line.cells
        values = {
            name: (cells[col] if col < len(cells) else "") for name, (_, col) in chosen.items()
        }
        if not any(values.values()) and not any(cells):
            continue
        number = " ".join(
            v for v in (values.pop("huisnummer", ""), values.pop("toevoeging", "")) if v
        )
        if number or "straat" in values:
            values["straat"] = " ".join(v for v in (values.get("straat", ""), number) if v)
        rows.append(RawRow(rij=line.number, values=values,
                           remarks=_row_remarks(values, line.recoded)))
        if len(rows) > max_rows:
            raise ImportFileError(
                f"'{shown(filename)}' heeft meer dan {max_rows} rijen met gegevens; dat is de "
                "grens voor één import. Splits het bestand in kleinere delen."
            )
    return RawTable(
        filename=filename, header_row=header_line.number, columns=columns,
        unknown_columns=unknown, rows=rows, **how,
    )


def _chain(*parts: Iterable[_Line]) -> Iterator[_Line]:
    for part in parts:
        yield from part


# --------------------------------------------------------------------------- CSV

_LINE = re.compile(rb"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


class _Lines:
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


def _decode(data: bytes, filename: str) -> _Lines:
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
        return _Lines(text=text, encoding="utf-16")
    if b"\x00" in data:
        raise not_text
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _Lines(text=text, encoding="utf-8-sig" if bom else "utf-8")
    mixed = bom or any(_is_utf8(m.group()) for m in _LINE.finditer(body))
    if not mixed:
        return _Lines(body=body, encoding="cp1252")
    return _Lines(body=body, mixed=True, encoding="utf-8 en cp1252 (gemengd)")


def _is_utf8(raw: bytes) -> bool:
    """True for a line with non-ASCII bytes that is valid UTF-8."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_lines(source: _Lines, delimiter: str, filename: str) -> Iterator[_Line]:
    """Non-empty CSV records as :class:`_Line` (number = record number, as before)."""
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
            yield _Line(number, cells, recoded)


def _read_csv(data: bytes, filename: str, max_rows: int) -> RawTable:
    source = _decode(data, filename)
    best: tuple[int, str] | None = None
    first_error: ImportFileError | None = None
    for delimiter in (";", ",", "\t"):
        head: list[list[str]] = []
        try:
            for line in _csv_lines(source, delimiter, filename):
                if line.number > HEADER_SEARCH_ROWS:
                    break
                head.append(line.cells)
        except ImportFileError as err:
            first_error = first_error or err
            continue
        found = _find_header(head)
        score = found[1] if found else 0
        if best is None or score > best[0]:
            best = (score, delimiter)
    if best is None:
        raise first_error or ImportFileError(
            f"'{shown(filename)}' kan niet als CSV worden gelezen."
        )
    _, delimiter = best
    return _table_from_lines(
        _csv_lines(source, delimiter, filename), filename=filename, max_rows=max_rows,
        encoding=source.encoding, delimiter=delimiter,
    )


# --------------------------------------------------------------------------- XLSX


def _sheet_lines(sheet, filename: str) -> Iterator[_Line]:
    """Non-empty rows of a read-only worksheet, streamed, at most :data:`MAX_COLUMNS` wide."""
    sheet.reset_dimensions()  # do not trust the stored size
    rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        cells = _row_cells(values, number=number, filename=filename)
        if any(cells):
            yield _Line(number, cells)


def _read_xlsx(data: bytes, filename: str, settings: Settings) -> RawTable:
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
        for sheet in workbook.worksheets[:MAX_SHEETS]:
            if not hasattr(sheet, "iter_rows"):  # chart sheets
                continue
            try:
                return _table_from_lines(
                    _sheet_lines(sheet, filename), filename=filename,
                    max_rows=settings.max_import_rows, sheet=sheet.title,
                )
            except _NoTable as err:
                first_error = first_error or err
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


def read_table(data: bytes, filename: str, *, settings: Settings | None = None) -> RawTable:
    """Read an import file (``.xlsx`` or ``.csv``) into a :class:`RawTable`.

    Parameters
    ----------
    data : bytes
        The file's contents.
    filename : str
        The file's name; its extension and the contents decide how it is read.
    settings : Settings, optional
        Supplies ``max_upload_mb`` and ``max_import_rows``; defaults when omitted.

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
        return _read_xlsx(data, filename, settings)
    if suffix in {"xlsx", "xlsm"}:
        raise ImportFileError(f"'{shown(filename)}' is geen geldig Excel-bestand (.xlsx).")
    if suffix not in {"csv", "txt", "tsv", ""}:
        raise ImportFileError(
            f"Bestandstype '.{shown(suffix, 10)}' wordt niet ondersteund; gebruik .xlsx of "
            ".csv."
        )
    return _read_csv(data, filename, settings.max_import_rows)
