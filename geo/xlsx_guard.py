"""Check an ``.xlsx`` archive before any spreadsheet parser touches it.

An ``.xlsx`` file is a zip archive of XML parts, and every byte of it comes from outside.
A hostile one can be small on disk and gigabytes once unpacked (a zip bomb), can declare
XML entities that expand exponentially ("billion laughs") or point at a local file (XXE),
or can be well-formed XML whose shape makes a tree-building parser allocate without
bound (a million attributes on one tag, a row of a million cells, millions of tiny
elements in a part that openpyxl parses as one tree). :func:`check_xlsx_archive`
refuses all of these with a Dutch :class:`~geo.errors.ImportFileError`, holding at most
one decompressed chunk in memory, in three steps:

1. **Central directory.** The number of members, encryption, the compression method
   (only *stored* and *deflate*, the two that Excel and LibreOffice write), the sum of
   the declared uncompressed sizes and, for members over 1 MiB, the compression ratio.
2. **Exact inflation.** Every member is inflated here, chunk by chunk, straight from its
   local header. It must end exactly at its declared size with its declared CRC-32.
   Why this is needed although CPython's :class:`zipfile.ZipExtFile` never *returns*
   more than the declared ``file_size`` (3.11 ``Lib/zipfile.py``, ``_read1``: every
   decompressed chunk is cut with ``data = data[:self._left]`` and the CRC is checked at
   the end): the cut happens *after* decompression. ``ZipExtFile.read()`` without a size
   - what ``ZipFile.read`` and openpyxl's ``archive.read`` call - asks zlib for up to
   ``MAX_N`` (1 GiB) per step, and bzip2/LZMA members are decompressed in one unbounded
   step. A member that inflates to more than it declares could therefore still fill
   memory before the cut. Once this step has passed, declared size == real size for
   every member, so the declared sizes checked in step 1 really bound memory.
3. **XML structure, streamed.** Every member that starts like XML is run through expat
   with no tree and no text kept. A DTD - and so any entity, internal or external - is
   refused (Excel never writes one), as is XML in UTF-16. The rest is weighed in
   *items* (elements + attributes) and *characters* (text, attribute names and values,
   comments, processing instructions) against budgets that bound what openpyxl keeps:

   * worksheet rows and shared strings, which openpyxl builds one at a time: per row
     or string (:data:`MAX_UNIT_ITEMS`, :data:`MAX_UNIT_CHARS`, at most
     :data:`EXCEL_MAX_COLUMNS` cells), their number per part
     (:attr:`XlsxLimits.max_row_elements`, :attr:`XlsxLimits.max_shared_strings`),
     and the shared-string text openpyxl keeps (:attr:`XlsxLimits.max_shared_text`);
   * everything else, which openpyxl parses into one tree and partly keeps as objects
     (styles, workbook, properties, relationships, charts): one budget for the whole
     archive (:data:`MAX_TREE_ITEMS`, :data:`MAX_TREE_CHARS`);
   * every part as a whole (:data:`MAX_PART_ITEMS`, :data:`MAX_PART_CHARS`), so that
     even a worksheet-shaped part that openpyxl would parse as a tree stays bounded;
   * parts openpyxl may keep as raw bytes (the theme, images) and every other part
     that is not a worksheet or string table: :attr:`XlsxLimits.max_other_bytes` in
     total, by declared size.

   Malformed XML is not refused here: openpyxl, which uses the same expat, stops at the
   same byte and the caller turns its error into a message.

openpyxl itself parses with :mod:`defusedxml` when that is installed (it is a
dependency; ``openpyxl.DEFUSEDXML`` tells), a second line of defence behind step 3.

The limits are derived from :class:`~geo.settings.Settings` by
:meth:`XlsxLimits.from_settings`; the constants below document the fixed ones.
Measured with these limits (a child process that imports :mod:`geo.importer`, about
130 MB before reading): a 2 GB zip bomb is refused at about 140 MB peak, a 5,000-row
workbook is read at about 145 MB, and hand-made files that fill the budgets stay under
350 MB.
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from geo.errors import ImportFileError, shown
from geo.settings import Settings

log = logging.getLogger(__name__)

MIB = 1024 * 1024

#: Rows Excel can hold; a row number beyond this is never legitimate.
EXCEL_MAX_ROWS = 1_048_576

#: Columns Excel can hold (A to XFD).
EXCEL_MAX_COLUMNS = 16_384

#: Members an archive may have (a real workbook has tens; one per image or chart).
MAX_ZIP_MEMBERS = 1_000

#: All members together may unpack to this many times the upload limit. Spreadsheet XML
#: compresses 5-20 times (measured: 12x for an openpyxl sheet, 13-16x for Excel-style rows
#: with row and cell references), so 20x leaves room for every real workbook within the
#: upload limit; with the default 10 MB limit this is 200 MiB.
EXPANSION_FACTOR = 20

#: Largest compression ratio of one member larger than :data:`RATIO_CHECK_FROM` bytes.
#: Real parts stay below 20; deflate's maximum is about 1032.
MAX_COMPRESSION_RATIO = 100

#: Members from this declared size on have their compression ratio checked.
RATIO_CHECK_FROM = 1 * MIB

#: Longest stretch of an XML part without a ``<`` byte. In UTF-8 (and the 8-bit
#: encodings expat accepts) a ``<`` byte is always the character ``<``, which may not
#: occur inside a tag, so this bounds the size of one tag - and with it the attributes
#: expat collects for it before anyone can count them - and of one piece of text.
MAX_MARKUP_GAP = 4 * MIB

#: Deepest element nesting in any part (real parts nest less than 20 deep).
MAX_XML_DEPTH = 64

#: Items (elements + attributes) outside worksheet rows and shared strings, summed over
#: all parts: what openpyxl parses as trees and partly keeps as objects. Real workbooks
#: use a few thousand; 250,000 items cost openpyxl about 100 MB (measured with
#: 125,000 defined names).
MAX_TREE_ITEMS = 250_000

#: Characters outside worksheet rows and shared strings, summed over all parts.
MAX_TREE_CHARS = 8 * MIB

#: Items of one worksheet row or one shared string; a full row of cells with value,
#: type and style has fewer than 6 items per cell.
MAX_UNIT_ITEMS = 6 * EXCEL_MAX_COLUMNS

#: Characters of one worksheet row or one shared string (256 cells of Excel's maximum).
MAX_UNIT_CHARS = 8 * MIB

#: Items of one part in total: a tree parse of this many costs about 150 MB (about
#: 100 bytes per item, measured), and 5,000 rows of 60 styled cells fit.
MAX_PART_ITEMS = 1_500_000

#: Characters of one part in total.
MAX_PART_CHARS = 32 * MIB

#: Empty and non-empty ``<row>`` elements a worksheet may hold, per data row allowed.
ROW_ELEMENTS_PER_DATA_ROW = 20

#: Shared strings (distinct cell texts of the whole workbook) per data row allowed.
SHARED_STRINGS_PER_DATA_ROW = 50

#: Average characters per shared string the text budget allows.
CHARS_PER_SHARED_STRING = 64

#: Declared size of all parts that are neither worksheets nor the shared-string table
#: (styles, theme, images, ...), as a multiple of the upload limit.
OTHER_BYTES_FACTOR = 4

#: Extra rows allowed above the data for a title and the header.
HEADER_ROWS_ALLOWANCE = 30

#: The part openpyxl reads as raw bytes whatever it holds (``openpyxl.reader.excel``,
#: ``ARC_THEME``); it always counts as an "other" part.
THEME_PART = "xl/theme/theme1.xml"

#: Parts openpyxl always parses as one tree, by fixed name (``openpyxl.xml.constants``
#: ``ARC_*``), plus every ``.rels`` part. A worksheet or string table there is refused:
#: its rows would not be streamed but built as one tree.
TREE_PARTS = frozenset({
    "[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "docProps/core.xml",
    "docProps/app.xml", "docProps/custom.xml", THEME_PART,
})

_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class XlsxLimits:
    """Resource limits for reading one ``.xlsx`` file.

    Attributes
    ----------
    max_total_bytes : int
        Sum of the declared uncompressed sizes of all members:
        :data:`EXPANSION_FACTOR` times ``max_upload_mb``.
    max_other_bytes : int
        Sum of the declared sizes of members that are not worksheets or the shared-
        string table: :data:`OTHER_BYTES_FACTOR` times ``max_upload_mb``.
    max_row_elements : int
        ``<row>`` elements per worksheet: :data:`ROW_ELEMENTS_PER_DATA_ROW` times
        (``max_import_rows`` + :data:`HEADER_ROWS_ALLOWANCE`), at most
        :data:`EXCEL_MAX_ROWS`.
    max_shared_strings : int
        Entries of the shared-string table, which openpyxl keeps in memory:
        :data:`SHARED_STRINGS_PER_DATA_ROW` per allowed row.
    max_shared_text : int
        Characters in the shared-string table: :data:`CHARS_PER_SHARED_STRING` per
        allowed entry.
    max_data_rows : int
        ``max_import_rows``, only for the message when a worksheet has too many rows.
    """

    max_total_bytes: int
    max_other_bytes: int
    max_row_elements: int
    max_shared_strings: int
    max_shared_text: int
    max_data_rows: int

    @classmethod
    def from_settings(cls, settings: Settings) -> XlsxLimits:
        """The limits for ``settings.max_upload_mb`` and ``settings.max_import_rows``."""
        rows = settings.max_import_rows + HEADER_ROWS_ALLOWANCE
        strings = SHARED_STRINGS_PER_DATA_ROW * rows
        return cls(
            max_total_bytes=EXPANSION_FACTOR * settings.max_upload_mb * MIB,
            max_other_bytes=OTHER_BYTES_FACTOR * settings.max_upload_mb * MIB,
            max_row_elements=min(EXCEL_MAX_ROWS, ROW_ELEMENTS_PER_DATA_ROW * rows),
            max_shared_strings=strings,
            max_shared_text=CHARS_PER_SHARED_STRING * strings,
            max_data_rows=settings.max_import_rows,
        )


def damaged_message(filename: str) -> str:
    """The Dutch message for an ``.xlsx`` file that cannot be parsed."""
    return (
        f"'{shown(filename)}' kan niet als Excel-bestand (.xlsx) worden gelezen: het bestand "
        "is beschadigd of onvolledig. Open het in Excel en sla het opnieuw op, of sla het "
        "op als .csv."
    )


def _number(value: int) -> str:
    """An integer the Dutch way: ``1.048.576``."""
    return f"{value:,}".replace(",", ".")


class _Refused(Exception):
    """Internal: the archive breaks a rule; ``args[0]`` is the Dutch reason."""


def check_xlsx_archive(data: bytes, filename: str, limits: XlsxLimits) -> None:
    """Refuse an ``.xlsx`` archive that is damaged, encrypted or could exhaust resources.

    Parameters
    ----------
    data : bytes
        The whole file (already within the upload limit).
    filename : str
        Shown in the messages.
    limits : XlsxLimits
        From :meth:`XlsxLimits.from_settings`.

    Raises
    ------
    ImportFileError
        With a Dutch message naming the file (and the part at fault, when useful).
    """
    name = shown(filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            struct.error, UnicodeError, OverflowError, IndexError, KeyError) as err:
        raise ImportFileError(damaged_message(filename)) from err
    try:
        _check_directory(infos, limits)
        view = memoryview(data)
        budget = _Budget(limits)
        for info in infos:
            _check_member(view, info, budget)
    except _Refused as err:
        raise ImportFileError(f"'{name}' wordt niet gelezen: {err.args[0]}") from None
    except _Damaged as err:
        log.info("xlsx member failed verification: %s", err.args[0])
        raise ImportFileError(damaged_message(filename)) from None


class _Damaged(Exception):
    """Internal: a member does not inflate to what the directory declares."""


def _check_directory(infos: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _Refused(
            f"het archief bevat {_number(len(infos))} onderdelen; een Excel-bestand heeft er nooit "
            f"meer dan {_number(MAX_ZIP_MEMBERS)}."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Refused(
                "het is met een wachtwoord beveiligd. Haal de beveiliging eraf (Excel: "
                "Bestand > Info > Werkmap beveiligen) en probeer het opnieuw."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(
                f"onderdeel '{shown(info.filename)}' is gecomprimeerd op een manier die Excel "
                "niet gebruikt. Sla het bestand opnieuw op in Excel."
            )
        total += info.file_size
        if info.file_size >= RATIO_CHECK_FROM and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _Refused(
                f"onderdeel '{shown(info.filename)}' pakt uit tot {ratio:.0f} keer zijn "
                f"ingepakte grootte (echte Excel-bestanden: minder dan 20 keer). Dit lijkt "
                "een zogeheten zipbom."
            )
    if total > limits.max_total_bytes:
        raise _Refused(
            f"uitgepakt is het {_number(total // MIB)} MB; de grens is "
            f"{_number(limits.max_total_bytes // MIB)} MB. Dit lijkt een zogeheten zipbom; "
            "sla de gegevens op in een nieuw Excel-bestand of als .csv."
        )


def _member_bytes(view: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of ``info``, located through its local header."""
    start = info.header_offset
    if start < 0 or start + _LOCAL_HEADER.size > len(view):
        raise _Damaged(f"local header of {info.filename!r} outside the file")
    fields = _LOCAL_HEADER.unpack(view[start:start + _LOCAL_HEADER.size])
    if fields[0] != _LOCAL_SIGNATURE:
        raise _Damaged(f"bad local header signature for {info.filename!r}")
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    end = begin + info.compress_size
    if end > len(view):
        raise _Damaged(f"compressed data of {info.filename!r} runs past the end")
    return view[begin:end]


def _inflate(view: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Decompressed chunks of ``info``, verified to end at its declared size and CRC."""
    raw = _member_bytes(view, info)
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _Damaged(f"stored member {info.filename!r} has two sizes")
        for pos in range(0, len(raw), _CHUNK):
            chunk = bytes(raw[pos:pos + _CHUNK])
            crc = zlib.crc32(chunk, crc)
            yield chunk
        produced = len(raw)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pos = 0
        pending: bytes | memoryview = b""
        try:
            while not inflater.eof:
                if not pending and pos < len(raw):
                    pending = raw[pos:pos + _CHUNK]
                    pos += len(pending)
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if not chunk:
                    if not pending and pos >= len(raw):
                        break  # input exhausted before the end of the stream
                    continue
                produced += len(chunk)
                if produced > info.file_size:
                    raise _Refused(
                        f"onderdeel '{shown(info.filename)}' pakt uit tot meer dan de "
                        f"{_number(info.file_size)} bytes die het archief opgeeft. Dit lijkt een "
                        "zogeheten zipbom."
                    )
                crc = zlib.crc32(chunk, crc)
                yield chunk
        except zlib.error as err:
            raise _Damaged(f"{info.filename!r}: {err}") from err
        if not inflater.eof:
            raise _Damaged(f"{info.filename!r}: deflate stream truncated")
    if produced != info.file_size or crc != info.CRC:
        raise _Damaged(f"{info.filename!r}: size or CRC differs from the directory")


class _Budget:
    """What the members checked so far have used of the archive-wide budgets."""

    def __init__(self, limits: XlsxLimits) -> None:
        self.limits = limits
        self.tree_items = 0
        self.tree_chars = 0
        self.other_bytes = 0

    def add_other(self, info: zipfile.ZipInfo) -> None:
        """Count a member that is not a worksheet or the string table (by declared size)."""
        self.other_bytes += info.file_size
        if self.other_bytes > self.limits.max_other_bytes:
            raise _Refused(
                f"de onderdelen naast de werkbladen (opmaak, thema, afbeeldingen) zijn samen "
                f"groter dan {_number(self.limits.max_other_bytes // MIB)} MB; dat maakt "
                "Excel niet voor een lijst. Bewaar de gegevens in een nieuw Excel-bestand of "
                "als .csv."
            )


def _check_member(view: memoryview, info: zipfile.ZipInfo, budget: _Budget) -> None:
    scanner: _XmlScanner | None = None
    first = True
    gap = 0
    for chunk in _inflate(view, info):
        if first:
            first = False
            kind = _xml_kind(chunk)
            if kind == "utf-16":
                raise _Refused(
                    f"onderdeel '{shown(info.filename)}' is XML in UTF-16; Excel schrijft "
                    "UTF-8. Sla het bestand opnieuw op in Excel."
                )
            if kind == "xml":
                scanner = _XmlScanner(info.filename, budget)
        if scanner is None:
            continue
        gap = _check_gaps(chunk, gap, info.filename)
        scanner.feed(chunk)
        if scanner.broken:
            scanner = None  # malformed: the parser that needs it will say so
    if scanner is not None:
        scanner.close()
    streamed = scanner is not None and scanner.kind in ("sheet", "strings")
    if streamed and (info.filename in TREE_PARTS or info.filename.endswith(".rels")):
        raise _Refused(
            f"onderdeel '{shown(info.filename)}' bevat werkbladgegevens op een plek waar "
            "Excel die nooit zet. Sla het bestand opnieuw op in Excel."
        )
    if first or not streamed or info.filename == THEME_PART:
        budget.add_other(info)


def _xml_kind(head: bytes) -> str:
    """``"xml"``, ``"utf-16"`` (XML in UTF-16) or ``"other"`` (images, binaries)."""
    start = head[:256]
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = start[2:].decode("utf-16-le" if start[:2] == b"\xff\xfe" else "utf-16-be",
                                errors="ignore")
        return "utf-16" if text.lstrip().startswith("<") else "other"
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:]
    start = start.lstrip(b" \t\r\n")
    if start.startswith((b"<\x00", b"\x00<")):
        return "utf-16"
    return "xml" if start.startswith(b"<") else "other"


def _check_gaps(chunk: bytes, gap: int, member: str) -> int:
    """Refuse a stretch of more than :data:`MAX_MARKUP_GAP` bytes without ``<``.

    ``gap`` is the length of the stretch running at the end of the previous chunk; the
    new one is returned. A chunk is shorter than the limit, so only stretches that
    cross chunk boundaries can break it.
    """
    first = chunk.find(b"<")
    if first == -1:
        gap += len(chunk)
    else:
        gap += first
    if gap > MAX_MARKUP_GAP:
        raise _Refused(
            f"onderdeel '{shown(member)}' bevat een XML-tag of tekst van meer dan "
            f"{MAX_MARKUP_GAP // MIB} MB aan één stuk; dat maakt Excel niet."
        )
    return gap if first == -1 else len(chunk) - chunk.rfind(b"<") - 1


class _XmlScanner:
    """Streams one XML part through expat, weighing what openpyxl would keep of it.

    The root element decides the part's kind: ``"sheet"`` (a worksheet: its rows are
    weighed one at a time), ``"strings"`` (the shared-string table: one string at a
    time) or ``"tree"`` (everything else, weighed against the archive-wide budget).
    """

    _KINDS = {"worksheet": "sheet", "dialogsheet": "sheet", "macrosheet": "sheet",
              "sst": "strings"}

    def __init__(self, member: str, budget: _Budget) -> None:
        self.member = member
        self.budget = budget
        self.limits = budget.limits
        self.broken = False
        self.depth = 0
        self.kind = "tree"
        self.in_sheet_data = False
        self.unit_depth = 0  # depth of the open row or shared string; 0 when none
        self.units = 0
        self.unit_items = 0
        self.unit_cells = 0
        self.unit_chars = 0
        self.row_number = 0
        self.part_items = 0
        self.part_chars = 0
        self.unit_chars_total = 0
        parser = expat.ParserCreate()
        parser.ordered_attributes = True
        parser.buffer_text = True
        parser.buffer_size = _CHUNK
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.ExternalEntityRefHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        parser.CommentHandler = self._chars
        parser.ProcessingInstructionHandler = self._instruction
        self.parser = parser

    def feed(self, chunk: bytes) -> None:
        """Parse the next chunk; a syntax error only marks the part as broken."""
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError:
            self.broken = True

    def close(self) -> None:
        """Finish the part."""
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError:
            self.broken = True

    def _refuse(self, what: str) -> None:
        raise _Refused(
            f"onderdeel '{shown(self.member)}' heeft een opbouw die Excel niet maakt "
            f"({what}). Open het bestand in Excel en sla het opnieuw op, of sla het op "
            "als .csv."
        )

    def _doctype(self, *args: object) -> None:
        raise _Refused(
            f"onderdeel '{shown(self.member)}' bevat een XML-DTD of -entiteit. Excel "
            "schrijft die nooit; het bestand wordt om veiligheidsredenen niet gelezen."
        )

    def _start(self, name: str, attributes: list[str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            self._refuse(f"meer dan {MAX_XML_DEPTH} niveaus diep")
        local = name.rpartition(":")[2]
        if self.depth == 1:
            self.kind = self._KINDS.get(local, "tree")
        if not self.unit_depth:
            if self.kind == "sheet" and self.in_sheet_data and self.depth == 3:
                if local == "row":
                    self._start_row(attributes)
            elif self.kind == "strings" and self.depth == 2 and local == "si":
                self._start_unit()
                if self.units > self.limits.max_shared_strings:
                    self._refuse(f"meer dan {_number(self.limits.max_shared_strings)} "
                                 "verschillende teksten")
            elif self.kind == "sheet" and self.depth == 2 and local == "sheetData":
                self.in_sheet_data = True
        elif local == "c" and self.depth == self.unit_depth + 1:
            self.unit_cells += 1
            if self.unit_cells > EXCEL_MAX_COLUMNS:
                self._refuse(f"meer dan {_number(EXCEL_MAX_COLUMNS)} cellen in één rij")
        self._weigh(1 + len(attributes) // 2, len(name) + sum(map(len, attributes)))

    def _weigh(self, items: int, chars: int) -> None:
        """Count ``items`` and ``chars`` against the unit, part and archive budgets."""
        self.part_items += items
        self.part_chars += chars
        if self.part_items > MAX_PART_ITEMS:
            self._refuse(f"meer dan {_number(MAX_PART_ITEMS)} elementen en attributen")
        if self.part_chars > MAX_PART_CHARS:
            self._refuse(f"meer dan {_number(MAX_PART_CHARS)} tekens")
        if self.unit_depth:
            self.unit_items += items
            self.unit_chars += chars
            if self.unit_items > MAX_UNIT_ITEMS:
                self._refuse(f"meer dan {_number(MAX_UNIT_ITEMS)} elementen in één rij of "
                             "tekst")
            if self.unit_chars > MAX_UNIT_CHARS:
                self._refuse(f"meer dan {_number(MAX_UNIT_CHARS)} tekens in één rij of tekst")
            if self.kind == "strings":
                self.unit_chars_total += chars
                if self.unit_chars_total > self.limits.max_shared_text:
                    self._refuse(f"meer dan {_number(self.limits.max_shared_text)} tekens "
                                 "aan teksten")
        else:
            budget = self.budget
            budget.tree_items += items
            budget.tree_chars += chars
            if budget.tree_items > MAX_TREE_ITEMS:
                self._refuse(f"samen meer dan {_number(MAX_TREE_ITEMS)} elementen en "
                             "attributen buiten de rijen")
            if budget.tree_chars > MAX_TREE_CHARS:
                self._refuse(f"samen meer dan {_number(MAX_TREE_CHARS)} tekens buiten de "
                             "rijen")

    def _start_unit(self) -> None:
        self.unit_depth = self.depth
        self.units += 1
        self.unit_items = 0
        self.unit_cells = 0
        self.unit_chars = 0

    def _start_row(self, attributes: list[str]) -> None:
        self._start_unit()
        if self.units > self.limits.max_row_elements:
            raise _Refused(
                f"werkblad '{shown(self.member)}' heeft meer dan "
                f"{_number(self.limits.max_row_elements)} rijen; de grens voor één import is "
                f"{_number(self.limits.max_data_rows)} rijen met gegevens. Splits het bestand "
                "in kleinere delen."
            )
        number = self.row_number + 1
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if key == "r":
                number = _row_number(value, default=number)
        if number > EXCEL_MAX_ROWS:
            self._refuse(f"rijnummer {_number(number)} is groter dan Excel toestaat")
        self.row_number = max(number, 0)

    def _end(self, name: str) -> None:
        if self.depth == self.unit_depth:
            self.unit_depth = 0
        elif self.kind == "sheet" and self.depth == 2 and self.in_sheet_data:
            self.in_sheet_data = False
        self.depth -= 1

    def _chars(self, text: str) -> None:
        self._weigh(0, len(text))

    def _instruction(self, target: str, data: str) -> None:
        self._weigh(1, len(target) + len(data))


def _row_number(value: str, *, default: int) -> int:
    """A row's ``r`` attribute as openpyxl reads it (``"12"``, also ``"1e3"``)."""
    try:
        return int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            return default  # openpyxl raises on it; the caller reports a damaged file
        if number != number or number in (float("inf"), float("-inf")):
            return default
        return int(number)
