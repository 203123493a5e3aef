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
3. **XML structure, streamed** (:mod:`geo.intake.xml_scan`). Every member that starts like XML
   is run through expat with no tree: a DTD (so any entity: XML bombs, XXE) or UTF-16
   is refused, and budgets bound what openpyxl will build and keep of each part.
   A worksheet or string table at a name openpyxl always parses as one tree
   (:data:`TREE_PARTS`) is refused; all parts other than worksheets and the string
   table - styles, the theme openpyxl keeps as raw bytes, images - may together
   declare at most :attr:`XlsxLimits.max_other_bytes`.

openpyxl itself parses with :mod:`defusedxml` when that is installed (it is a
dependency; ``openpyxl.DEFUSEDXML`` tells), a second line of defence behind step 3.

The limits are derived from :class:`~geo.settings.Settings` by
:meth:`XlsxLimits.from_settings`; the constants below document the fixed ones.
Measured peak memory with these limits (a child process that imports
:mod:`geo.intake.reading`, 131 MB before reading; ``tests/attacks/test_hostile_files.py``):
a 2 GB zip bomb is refused at 137 MB, a 5,000-row workbook is read at 141 MB, a
5,000-row workbook that fills the budgets at 351 MB, and the costliest refused part
(a worksheet-shaped chart sheet just under :data:`geo.intake.xml_scan.MAX_PART_ITEMS`) peaks
at 360 MB.
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from geo.errors import ImportFileError, shown
from geo.intake.xml_scan import (
    EXCEL_MAX_ROWS,
    Refused,
    XmlBudget,
    XmlScanner,
    check_gaps,
    xml_kind,
)
from geo.settings import Settings
from geo.text import nl_number

log = logging.getLogger(__name__)

MIB = 1024 * 1024

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
        budget = XmlBudget(
            max_row_elements=limits.max_row_elements,
            max_shared_strings=limits.max_shared_strings,
            max_shared_text=limits.max_shared_text, max_data_rows=limits.max_data_rows,
        )
        other_bytes = 0
        for info in infos:
            if not _check_member(view, info, budget):
                other_bytes += info.file_size
                if other_bytes > limits.max_other_bytes:
                    raise Refused(
                        "de onderdelen naast de werkbladen (opmaak, thema, afbeeldingen) zijn "
                        f"samen groter dan {nl_number(limits.max_other_bytes // MIB)} MB; "
                        "dat maakt Excel niet voor een lijst. Bewaar de gegevens in een nieuw "
                        "Excel-bestand of als .csv."
                    )
    except Refused as err:
        raise ImportFileError(f"'{name}' wordt niet gelezen: {err.args[0]}") from None
    except _Damaged as err:
        log.info("xlsx member failed verification: %s", err.args[0])
        raise ImportFileError(damaged_message(filename)) from None


class _Damaged(Exception):
    """Internal: a member does not inflate to what the directory declares."""


def _check_directory(infos: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Refused(
            f"het archief bevat {nl_number(len(infos))} onderdelen; een Excel-bestand "
            f"heeft er nooit meer dan {nl_number(MAX_ZIP_MEMBERS)}."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused(
                "het is met een wachtwoord beveiligd. Haal de beveiliging eraf (Excel: "
                "Bestand > Info > Werkmap beveiligen) en probeer het opnieuw."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(
                f"onderdeel '{shown(info.filename)}' is gecomprimeerd op een manier die Excel "
                "niet gebruikt. Sla het bestand opnieuw op in Excel."
            )
        total += info.file_size
        if info.file_size >= RATIO_CHECK_FROM and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise Refused(
                f"onderdeel '{shown(info.filename)}' pakt uit tot {ratio:.0f} keer zijn "
                f"ingepakte grootte (echte Excel-bestanden: minder dan 20 keer). Dit lijkt "
                "een zogeheten zipbom."
            )
    if total > limits.max_total_bytes:
        raise Refused(
            f"uitgepakt is het {nl_number(total // MIB)} MB; de grens is "
            f"{nl_number(limits.max_total_bytes // MIB)} MB. Dit lijkt een zogeheten zipbom; "
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
                    raise Refused(
                        f"onderdeel '{shown(info.filename)}' pakt uit tot meer dan de "
                        f"{nl_number(info.file_size)} bytes die het archief opgeeft. Dit "
                        "lijkt een zogeheten zipbom."
                    )
                crc = zlib.crc32(chunk, crc)
                yield chunk
        except zlib.error as err:
            raise _Damaged(f"{info.filename!r}: {err}") from err
        if not inflater.eof:
            raise _Damaged(f"{info.filename!r}: deflate stream truncated")
    if produced != info.file_size or crc != info.CRC:
        raise _Damaged(f"{info.filename!r}: size or CRC differs from the directory")


def _check_member(view: memoryview, info: zipfile.ZipInfo, budget: XmlBudget) -> bool:
    """Inflate and weigh one member; True when it is a worksheet or the string table."""
    scanner: XmlScanner | None = None
    first = True
    gap = 0
    for chunk in _inflate(view, info):
        if first:
            first = False
            kind = xml_kind(chunk)
            if kind == "utf-16":
                raise Refused(
                    f"onderdeel '{shown(info.filename)}' is XML in UTF-16; Excel schrijft "
                    "UTF-8. Sla het bestand opnieuw op in Excel."
                )
            if kind == "xml":
                scanner = XmlScanner(info.filename, budget)
        if scanner is None:
            continue
        gap = check_gaps(chunk, gap, info.filename)
        scanner.feed(chunk)
        if scanner.broken:
            scanner = None  # malformed: the parser that needs it will say so
    if scanner is not None:
        scanner.close()
    streamed = scanner is not None and scanner.kind in ("sheet", "strings")
    if streamed and (info.filename in TREE_PARTS or info.filename.endswith(".rels")):
        raise Refused(
            f"onderdeel '{shown(info.filename)}' bevat werkbladgegevens op een plek waar "
            "Excel die nooit zet. Sla het bestand opnieuw op in Excel."
        )
    return streamed and info.filename != THEME_PART
