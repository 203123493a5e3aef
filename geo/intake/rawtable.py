"""Rows of cell texts → :class:`RawTable`: the header, its columns, the data rows.

Used by :mod:`geo.intake.reading` for both CSV and Excel files:

* :func:`header_field` recognises a column header through the synonyms of
  :mod:`geo.fields` as written by people (``Straat + huisnr.`` → ``straat``; a bare
  ``Naam`` only when no more specific name column exists);
* a *column mapping* adds header → field pairs for headers the registry does not know
  (``Firma`` → ``naam``): those a user chose for this file and those remembered from
  earlier files (:mod:`geo.register.column_mappings`). They are keyed by
  :func:`header_key`, and the registry wins on a conflict (:func:`header_index`);
* :func:`table_from_lines` finds the header among the first :data:`HEADER_SEARCH_ROWS`
  rows, takes the data rows one at a time (so reading can stop at the row limit) and
  gives each :class:`RawRow` its Excel row number and the remarks of
  :func:`row_remarks` about how its text was read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from geo import fields
from geo.errors import ImportFileError, shown

#: Remark for a row read as Windows-1252 in a file that is otherwise UTF-8.
RECODED_REMARK = (
    "Tekstcodering: deze rij is niet als UTF-8 opgeslagen zoals de rest van het bestand en "
    "is als Windows-1252 gelezen; controleer letters met accenten."
)

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30

#: Header priorities: a synonym beats a mapped header, which beats a weak synonym.
SYNONYM, MAPPED, WEAK = 0, 1, 2

#: A column mapping: :func:`header_key` of a header → the field it stands for.
ColumnMapping = Mapping[str, str]

#: The fields a kind of file may have columns for (default: :func:`geo.fields.import_fields`;
#: a planning sheet: :func:`geo.activities.activity_import_fields`).
Columns = tuple[fields.Field, ...]


def header_key(text: object) -> str:
    """Normalise a header cell: case, accents, punctuation and spaces do not matter.

    Examples
    --------
    >>> header_key("Straat + huisnr."), header_key("  Vestigings-PLAATS "), header_key("=1+1")
    ('straathuisnr', 'vestigingsplaats', '11')
    """
    name = unicodedata.normalize("NFKD", str(text or "")).casefold()
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = name.replace("&", "en")
    return re.sub(r"[^0-9a-z]+", "", name)


def header_synonyms() -> dict[str, tuple[str, int]]:
    """Normalised header → (field, priority) for every header synonym of :mod:`geo.fields`.

    Priority :data:`SYNONYM` for a synonym, :data:`WEAK` for a weak synonym (a bare
    ``Naam``, which counts only when no more specific name column exists); the lower
    number wins.
    """
    return _build_header_index(fields.import_fields())


@lru_cache(maxsize=4)
def _build_header_index(items: tuple[fields.Field, ...]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for item in items:
        for header in item.synonyms:
            index.setdefault(header_key(header), (item.name, SYNONYM))
    for item in items:
        for header in item.weak_synonyms:
            index.setdefault(header_key(header), (item.name, WEAK))
    return index


def header_index(mapping: ColumnMapping | None = None,
                 columns: Columns | None = None) -> dict[str, tuple[str, int]]:
    """The registry's synonyms plus the pairs of ``mapping`` (priority :data:`MAPPED`).

    A pair whose header the registry knows, or whose field is not an import field, or
    whose key is not a normalised header, is left out: the registry wins. ``columns``:
    the fields of another kind of file (their synonyms instead of the registry's).
    """
    index = header_synonyms() if columns is None else _build_header_index(columns)
    if not mapping:
        return index
    known = {item.name for item in columns or fields.import_fields()}
    extra = {key: (name, MAPPED) for key, name in mapping.items()
             if key and key == header_key(key) and name in known and key not in index}
    return {**index, **extra}


def header_field(header: object) -> str | None:
    """The field a column header stands for in the registry, or None when not recognised.

    Examples
    --------
    >>> header_field("Straat + huisnr."), header_field("E-mail"), header_field("Kleur")
    ('straat', 'email', None)
    """
    found = header_synonyms().get(header_key(header))
    return found[0] if found else None


@dataclass(frozen=True)
class RawRow:
    """One non-empty data row of the input.

    Attributes
    ----------
    number : int
        The row number the user sees in Excel (1-based, counting title and empty rows).
    values : dict
        Field → text as given (stripped); only fields that have a column. A separate
        house number column is already merged into ``straat``.
    remarks : tuple of str
        Dutch remarks about how the row's text was read (a mixed encoding, replacement
        characters); they make the row's verdict at least a ``waarschuwing``.
    """

    number: int
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
        Headers that were not recognised (ignored, reported to the user), and headers of
        a field that another column already has.
    mapped : dict
        Field → header for the columns recognised through the column mapping (a subset
        of ``columns``); empty without a mapping.
    header : tuple of str
        The non-empty header cells, in the order of the file.
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
    mapped: dict[str, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()
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


@dataclass(frozen=True)
class Line:
    """A non-empty row as read: its number, its cell texts, how it was decoded."""

    number: int
    cells: list[str]
    recoded: bool = False


def find_header(grid: Sequence[Sequence[str]], mapping: ColumnMapping | None = None,
                columns: Columns | None = None) -> tuple[int, int] | None:
    """Index and score of the row that looks most like a header, or None.

    The score is the number of fields a row's cells name (through :func:`header_index`).
    """
    index = header_index(mapping, columns)
    best: tuple[int, int] | None = None
    for i, row in enumerate(grid):
        found = {index.get(header_key(cell), (None,))[0] for cell in row if cell}
        found.discard(None)
        score = len(found)
        if score and (best is None or score > best[1]):
            best = (i, score)
    return best


class NoTable(ImportFileError):
    """No header (or no name column) in these rows; another sheet may have one."""


class NoNameColumn(NoTable):
    """A header was found but no column holds the organisation's name."""


def row_remarks(values: dict[str, str], recoded: bool) -> tuple[str, ...]:
    """Remarks about how a row's text was read (never about its content).

    * :data:`RECODED_REMARK` when the row was decoded as Windows-1252 in a mixed file
      and a recognised column holds non-ASCII text (the only text a wrong guess changes);
    * a remark naming the fields that hold U+FFFD, the replacement character: such text
      lost bytes somewhere and is stored garbled unless someone looks.
    """
    remarks = []
    if recoded and not all(v.isascii() for v in values.values()):
        remarks.append(RECODED_REMARK)
    garbled = [k for k, v in values.items() if "\ufffd" in v]
    if garbled:
        labels = fields.field_labels()
        garbled = [labels.get(k, k) for k in garbled]
        remarks.append(
            f"{', '.join(garbled)}: bevat onleesbare tekens (\ufffd); de tekst is bij het "
            "opslaan of lezen beschadigd. Controleer hem in het bronbestand."
        )
    return tuple(remarks)


def table_from_lines(
    lines: Iterable[Line], *, filename: str, max_rows: int,
    mapping: ColumnMapping | None = None, require_name: bool = True,
    columns: Columns | None = None, **how: str | None
) -> RawTable:
    """Build a :class:`RawTable` from non-empty rows, stopping after ``max_rows`` data rows.

    ``lines`` is consumed lazily: the rows numbered up to :data:`HEADER_SEARCH_ROWS` are
    searched for the header, the rest is taken one row at a time. ``mapping`` adds
    header → field pairs (:func:`header_index`). Without a name column this raises
    :class:`NoNameColumn`, unless ``require_name`` is False: then the table comes back
    without ``naam``, so a user can say which column holds the name. ``columns``: the
    fields of another kind of file (see :func:`header_index`).
    """
    lines = iter(lines)
    head: list[Line] = []
    after_head: list[Line] = []
    for line in lines:
        if line.number > HEADER_SEARCH_ROWS:
            after_head.append(line)
            break
        head.append(line)
    found = find_header([line.cells for line in head], mapping, columns)
    if found is None:
        raise NoTable(
            f"In '{shown(filename)}' is geen kopregel gevonden. Zet boven de gegevens een "
            "regel met kolomnamen zoals Organisatie, Adres, Postcode en Plaats."
        )
    header_at, _ = found
    header_line = head[header_at]
    header = header_line.cells
    chosen: dict[str, tuple[int, int]] = {}  # field → (priority, column)
    unknown: list[str] = []
    index = header_index(mapping, columns)
    for col, cell in enumerate(header):
        if not cell:
            continue
        hit = index.get(header_key(cell))
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
    if "naam" not in chosen and require_name:
        raise NoNameColumn(
            f"In '{shown(filename)}' staat geen kolom met de naam van de organisatie "
            "(bijvoorbeeld 'Organisatie', 'Bedrijfsnaam' of 'Naam'). Gevonden kolommen: "
            f"{', '.join(shown(c, 40) for c in header if c) or 'geen'}."
        )
    columns = {name: header[col] for name, (_, col) in chosen.items()}
    mapped = {name: header[col] for name, (priority, col) in chosen.items()
              if priority == MAPPED}
    rows: list[RawRow] = []
    data_lines = _chain(head[header_at + 1:], after_head, lines)
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
        rows.append(RawRow(number=line.number, values=values,
                           remarks=row_remarks(values, line.recoded)))
        if len(rows) > max_rows:
            raise ImportFileError(
                f"'{shown(filename)}' heeft meer dan {max_rows} rijen met gegevens; dat is de "
                "grens voor één import. Splits het bestand in kleinere delen."
            )
    return RawTable(
        filename=filename, header_row=header_line.number, columns=columns,
        unknown_columns=unknown, rows=rows, mapped=mapped,
        header=tuple(cell for cell in header if cell), **how,
    )


def _chain(*parts: Iterable[Line]) -> Iterator[Line]:
    for part in parts:
        yield from part
