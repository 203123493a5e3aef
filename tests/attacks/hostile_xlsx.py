"""Builders for hostile and legitimate .xlsx files, made in the test (nothing stored).

``workbook(sheet_xml, shared_strings=None)`` builds a minimal but valid workbook around
one worksheet part; ``raw_zip`` writes a zip by hand so that sizes, CRCs and compressed
data can be whatever an attacker likes (a real zip bomb, a member that lies about its
size).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
%s
</Types>"""  # noqa: E501

SST_OVERRIDE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)

ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501

WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Partners" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""  # noqa: E501

WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
%s
</Relationships>"""  # noqa: E501

SST_REL = (
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="' + MAIN_NS.encode() + b'"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def inline_row(number: int, *texts: str) -> bytes:
    """One ``<row>`` of inline-string cells."""
    cells = b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>'
        % (chr(ord("A") + i).encode(), number, text.encode())
        for i, text in enumerate(texts)
    )
    return b'<row r="%d">%s</row>' % (number, cells)


def sheet(rows: bytes, *, prolog: bytes = b"") -> bytes:
    """A worksheet part around ``rows``; ``prolog`` goes between declaration and root."""
    head = SHEET_HEAD.replace(b"\n", b"\n" + prolog, 1) if prolog else SHEET_HEAD
    return head + rows + SHEET_TAIL


def workbook(sheet_xml: bytes, shared_strings: bytes | None = None,
             *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook (deflated) with ``sheet_xml`` as its only worksheet."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES % (SST_OVERRIDE if shared_strings else b""),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS % (SST_REL if shared_strings else b""),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def shared_strings(*texts: bytes, prolog: bytes = b"") -> bytes:
    """A shared-string part with ``texts`` (raw XML content of each ``<t>``)."""
    items = b"".join(b"<si><t>%s</t></si>" % t for t in texts)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + prolog
            + b'<sst xmlns="' + MAIN_NS.encode() + b'">' + items + b"</sst>")


def partner_rows(count: int, *, start: int = 2) -> bytes:
    """``count`` rows of plausible partner data from row ``start`` on."""
    return b"".join(
        inline_row(n, f"Bouwbedrijf {n} BV", f"Dorpsstraat {n}", "1703AB", "Heerhugowaard")
        for n in range(start, start + count)
    )


HEADER_ROW = inline_row(1, "Organisatie", "Adres", "Postcode", "Plaats")


def partner_workbook(count: int) -> bytes:
    """A legitimate workbook with a header and ``count`` data rows."""
    return workbook(sheet(HEADER_ROW + partner_rows(count)))


# --------------------------------------------------------------------------- raw zips

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def raw_zip(entries: list[tuple[str, int, bytes, int, int]], *, flags: int = 0) -> bytes:
    """A zip written by hand: ``(name, method, compressed data, crc, declared size)``."""
    out = io.BytesIO()
    central = []
    for name, method, data, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(_LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data),
                              size, len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc,
                                     len(data), size, len(encoded), 0, 0, 0, 0, 0, offset)
                       + encoded)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory),
                        start, 0))
    return out.getvalue()


def deflate_repeated(block: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate data of ``block`` repeated ``times`` times, with its CRC and size.

    After a full flush zlib's output for the same input is the same bytes, so the
    stream is built from one compressed block instead of compressing gigabytes.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    assert piece == again  # the trick holds for this zlib
    data = piece * times + packer.flush()
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return data, crc, len(block) * times


def entries_of(data: bytes, *, skip: str = "") -> list[tuple[str, int, bytes, int, int]]:
    """The members of a workbook as :func:`raw_zip` entries (deflated), minus ``skip``."""
    legit = zipfile.ZipFile(io.BytesIO(data))
    entries = []
    for info in legit.infolist():
        if info.filename == skip:
            continue
        content = legit.read(info.filename)
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        entries.append((info.filename, 8, packer.compress(content) + packer.flush(),
                        zlib.crc32(content), len(content)))
    return entries


def zip_bomb_workbook(gigabytes: float = 2.0) -> bytes:
    """A ~2 MB workbook whose worksheet unpacks to ``gigabytes`` GB of rows (honestly)."""
    block = b'<row><c t="inlineStr"><is><t>Bouwbedrijf BV</t></is></c></row>' * 16384
    times = int(gigabytes * 1024**3 / len(block))
    data, crc, size = deflate_repeated(block, times)
    entries = entries_of(workbook(sheet(HEADER_ROW)), skip="xl/worksheets/sheet1.xml")
    entries.append(("xl/worksheets/sheet1.xml", 8, data, crc, size))
    return raw_zip(entries)


def lying_member_workbook() -> bytes:
    """A workbook whose worksheet declares 1 KB but inflates to 64 MB (CRC of the 1 KB)."""
    block = b"<row/>" * 10_000
    data, _, _ = deflate_repeated(block, 1100)
    declared = 1024
    full = b"".join([block] * 2)
    crc = zlib.crc32(full[:declared])
    entries = entries_of(workbook(sheet(HEADER_ROW)), skip="xl/worksheets/sheet1.xml")
    entries.append(("xl/worksheets/sheet1.xml", 8, data, crc, declared))
    return raw_zip(entries)


def budget_filling_workbook() -> bytes:
    """A 5,000-row workbook that fills the memory-relevant budgets of the archive check.

    250,000 shared strings with an emoji each (so Python keeps them as 4-byte text),
    80,000 defined names (the tree budget), a 34 MB theme that openpyxl keeps as raw
    bytes (with the rest just under the 40 MB allowed for parts other than worksheets);
    under 10 MB packed and compressed less than 100 times.
    """
    emoji = "\U0001F600".encode()
    strings = [b"%07d" % i + emoji + b"Bouwbedrijf Noord-Holland infra BV afdeling "
               + b"%05d" % (i % 99991) for i in range(250_000)]
    rows = HEADER_ROW + b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c></row>'
        % (r, r, r, r, r + 1) for r in range(2, 5002)
    )
    names = b"<definedNames>" + b"".join(
        b'<definedName name="n%d">Partners!$A$%d</definedName>' % (i, i % 5000 + 1)
        for i in range(80_000)
    ) + b"</definedNames>"
    pattern = bytes((i * 37) % 251 for i in range(64))
    theme = b"".join(b"THEME" + pattern[: i % 60] + b"%08d" % i
                     for i in range(1_000_000))[: 34 * 1024 * 1024]
    return workbook(sheet(rows), shared_strings(*strings), extra={
        "xl/workbook.xml": WORKBOOK.replace(b"</sheets>", b"</sheets>" + names),
        "xl/theme/theme1.xml": theme,
    })


BILLION_LAUGHS = b"""<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def xxe_prolog(path: str = "/etc/passwd") -> bytes:
    """A DTD declaring an external entity ``xxe`` that points at a local file."""
    return b'<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file://%s"> ]>\n' % path.encode()


def worksheet_as_chartsheet_workbook() -> bytes:
    """A workbook whose chart sheet is a worksheet-shaped part just under the part budget.

    openpyxl parses chart sheets as one tree even in read-only mode, so this is the
    most memory a part can cost after passing the archive check; reading then fails
    (it is no chart) and the file is refused.
    """
    fake = sheet(b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="A%d" s="%d"><v>%d</v></c>' % (r, c, c * r) for c in range(60))
        + b"</row>" for r in range(1, 5900)
    ))
    book = WORKBOOK.replace(b"</sheets>",
                            b'<sheet name="Grafiek" sheetId="2" r:id="rId9"/></sheets>')
    rel = (b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/'
           b'2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>')
    return workbook(sheet(HEADER_ROW + partner_rows(3)), extra={
        "xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS % rel,
        "xl/chartsheets/sheet1.xml": fake,
    })
