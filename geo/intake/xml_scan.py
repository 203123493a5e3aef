"""Weigh an XML part while streaming it, before a tree-building parser sees it.

Step 3 of :mod:`geo.intake.xlsx_guard`. Every member of an ``.xlsx`` archive that starts like
XML is run through expat with no tree and no text kept. A DTD - and so any entity,
internal or external (XML bombs, XXE) - is refused (Excel never writes one), as is XML
in UTF-16 (:func:`xml_kind`). The rest is weighed in *items* (elements + attributes) and
*characters* (text, attribute names and values, comments, processing instructions)
against budgets that bound what openpyxl keeps:

* worksheet rows and shared strings, which openpyxl builds one at a time: per row or
  string (:data:`MAX_UNIT_ITEMS`, :data:`MAX_UNIT_CHARS`, at most
  :data:`EXCEL_MAX_COLUMNS` cells), their number per part
  (:attr:`XmlBudget.max_row_elements`, :attr:`XmlBudget.max_shared_strings`) and the
  shared-string text openpyxl keeps (:attr:`XmlBudget.max_shared_text`);
* everything else, which openpyxl parses into one tree and partly keeps as objects
  (styles, workbook, properties, relationships, charts): one budget for the whole
  archive (:data:`MAX_TREE_ITEMS`, :data:`MAX_TREE_CHARS`);
* every part as a whole (:data:`MAX_PART_ITEMS`, :data:`MAX_PART_CHARS`), so that even
  a worksheet-shaped part that openpyxl would parse as a tree stays bounded;
* no stretch of more than :data:`MAX_MARKUP_GAP` bytes without ``<``
  (:func:`check_gaps`), which bounds one tag before expat collects its attributes.

Malformed XML is not refused here: openpyxl, which uses the same expat, stops at the
same byte, and the caller turns its error into a message.
"""

from __future__ import annotations

from xml.parsers import expat

from geo.errors import shown
from geo.text import nl_number

MIB = 1024 * 1024
_CHUNK = 64 * 1024

#: Rows Excel can hold; a row number beyond this is never legitimate.
EXCEL_MAX_ROWS = 1_048_576

#: Columns Excel can hold (A to XFD).
EXCEL_MAX_COLUMNS = 16_384

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


class Refused(Exception):
    """An archive breaks a rule; ``args[0]`` is the Dutch reason (without the file name)."""


class XmlBudget:
    """Limits for one archive and what its parts checked so far used of them.

    Parameters
    ----------
    max_row_elements : int
        ``<row>`` elements per worksheet.
    max_shared_strings : int
        Entries of the shared-string table.
    max_shared_text : int
        Characters in the shared-string table.
    max_data_rows : int
        The import's row limit, only for the message about too many rows.
    """

    def __init__(self, *, max_row_elements: int, max_shared_strings: int,
                 max_shared_text: int, max_data_rows: int) -> None:
        self.max_row_elements = max_row_elements
        self.max_shared_strings = max_shared_strings
        self.max_shared_text = max_shared_text
        self.max_data_rows = max_data_rows
        self.tree_items = 0
        self.tree_chars = 0


def xml_kind(head: bytes) -> str:
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


def check_gaps(chunk: bytes, gap: int, member: str) -> int:
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
        raise Refused(
            f"onderdeel '{shown(member)}' bevat een XML-tag of tekst van meer dan "
            f"{MAX_MARKUP_GAP // MIB} MB aan één stuk; dat maakt Excel niet."
        )
    return gap if first == -1 else len(chunk) - chunk.rfind(b"<") - 1


class XmlScanner:
    """Streams one XML part through expat, weighing what openpyxl would keep of it.

    The root element decides the part's kind: ``"sheet"`` (a worksheet: its rows are
    weighed one at a time), ``"strings"`` (the shared-string table: one string at a
    time) or ``"tree"`` (everything else, weighed against the archive-wide budget).
    """

    _KINDS = {"worksheet": "sheet", "dialogsheet": "sheet", "macrosheet": "sheet",
              "sst": "strings"}

    def __init__(self, member: str, budget: XmlBudget) -> None:
        self.member = member
        self.budget = budget
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
        raise Refused(
            f"onderdeel '{shown(self.member)}' heeft een opbouw die Excel niet maakt "
            f"({what}). Open het bestand in Excel en sla het opnieuw op, of sla het op "
            "als .csv."
        )

    def _doctype(self, *args: object) -> None:
        raise Refused(
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
                if self.units > self.budget.max_shared_strings:
                    self._refuse(f"meer dan {nl_number(self.budget.max_shared_strings)} "
                                 "verschillende teksten")
            elif self.kind == "sheet" and self.depth == 2 and local == "sheetData":
                self.in_sheet_data = True
        elif local == "c" and self.depth == self.unit_depth + 1:
            self.unit_cells += 1
            if self.unit_cells > EXCEL_MAX_COLUMNS:
                self._refuse(f"meer dan {nl_number(EXCEL_MAX_COLUMNS)} cellen in één rij")
        self._weigh(1 + len(attributes) // 2, len(name) + sum(map(len, attributes)))

    def _weigh(self, items: int, chars: int) -> None:
        """Count ``items`` and ``chars`` against the unit, part and archive budgets."""
        self.part_items += items
        self.part_chars += chars
        if self.part_items > MAX_PART_ITEMS:
            self._refuse(f"meer dan {nl_number(MAX_PART_ITEMS)} elementen en attributen")
        if self.part_chars > MAX_PART_CHARS:
            self._refuse(f"meer dan {nl_number(MAX_PART_CHARS)} tekens")
        if self.unit_depth:
            self.unit_items += items
            self.unit_chars += chars
            if self.unit_items > MAX_UNIT_ITEMS:
                self._refuse(f"meer dan {nl_number(MAX_UNIT_ITEMS)} elementen in één rij of "
                             "tekst")
            if self.unit_chars > MAX_UNIT_CHARS:
                self._refuse(f"meer dan {nl_number(MAX_UNIT_CHARS)} tekens in één rij of tekst")
            if self.kind == "strings":
                self.unit_chars_total += chars
                if self.unit_chars_total > self.budget.max_shared_text:
                    self._refuse(f"meer dan {nl_number(self.budget.max_shared_text)} tekens "
                                 "aan teksten")
        else:
            budget = self.budget
            budget.tree_items += items
            budget.tree_chars += chars
            if budget.tree_items > MAX_TREE_ITEMS:
                self._refuse(f"samen meer dan {nl_number(MAX_TREE_ITEMS)} elementen en "
                             "attributen buiten de rijen")
            if budget.tree_chars > MAX_TREE_CHARS:
                self._refuse(f"samen meer dan {nl_number(MAX_TREE_CHARS)} tekens buiten de "
                             "rijen")

    def _start_unit(self) -> None:
        self.unit_depth = self.depth
        self.units += 1
        self.unit_items = 0
        self.unit_cells = 0
        self.unit_chars = 0

    def _start_row(self, attributes: list[str]) -> None:
        self._start_unit()
        if self.units > self.budget.max_row_elements:
            raise Refused(
                f"werkblad '{shown(self.member)}' heeft meer dan "
                f"{nl_number(self.budget.max_row_elements)} rijen; de grens voor één import is "
                f"{nl_number(self.budget.max_data_rows)} rijen met gegevens. Splits het bestand "
                "in kleinere delen."
            )
        number = self.row_number + 1
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if key == "r":
                number = _rownl_number(value, default=number)
        if number > EXCEL_MAX_ROWS:
            self._refuse(f"rijnummer {nl_number(number)} is groter dan Excel toestaat")
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


def _rownl_number(value: str, *, default: int) -> int:
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
