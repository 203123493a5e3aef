"""Subregion divisions from a CSV file: the bundled proposal and anyone's own upload.

Anonymous visitors may try their own division, so the file is read strictly: a bounded
size, decodable text, both columns exactly once, each of the 46 municipality codes exactly
once, and short, visible subregion names (see :func:`read_division`). Names may contain
braces or HTML: those are neutralised where they are shown, not refused here.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pandas as pd

from geo.errors import INVISIBLE_CATEGORIES, DivisionError, shown
from geo.limited_read import FileTooLarge, read_at_most, unreadable_reason
from geo.reference.data import Division
from geo.text import count_noun

#: The two columns of a division file.
DIVISION_COLUMNS = {"gemeentecode", "subregio"}

#: Largest division file accepted, in bytes (46 rows take a few kilobytes).
MAX_DIVISION_BYTES = 256 * 1024

#: Longest subregion name, in characters (the longest real one has 27).
MAX_SUBREGION_CHARS = 60

#: Longest display name of a division (an uploaded file name), in characters.
MAX_DIVISION_NAME_CHARS = 80

#: First characters a subregion name may not have: a spreadsheet reads the name as a
#: formula (the division can be downloaded again as CSV).
_FORMULA_STARTS = frozenset("=+-@")


def _clean_text(text: str) -> str:
    """NFC, every space separator (also no-break spaces) as one space, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    return re.sub(" {2,}", " ", text).strip()


def division_label(name: str) -> str:
    """The display name of a division read from a file called ``name``.

    Invisible characters (:data:`geo.errors.INVISIBLE_CATEGORIES`) are dropped, spaces
    normalised and the result cut to :data:`MAX_DIVISION_NAME_CHARS`; ``"upload"`` when
    nothing is left. Pages compare an upload's name with ``division.name`` through this.
    """
    text = "".join(
        ch for ch in str(name) if unicodedata.category(ch) not in INVISIBLE_CATEGORIES
    )
    text = _clean_text(text)
    if len(text) > MAX_DIVISION_NAME_CHARS:
        text = text[: MAX_DIVISION_NAME_CHARS - 1] + "…"
    return text or "upload"


def _division_bytes(source: str | Path | bytes | io.IOBase, label: str) -> bytes:
    """The raw bytes of a division file, refusing anything over the size limit unread."""
    limit = MAX_DIVISION_BYTES
    too_large = DivisionError(
        f"Indelingsbestand {label} is groter dan {limit // 1024} kB; een indeling van 46 "
        "gemeenten is maar een paar kilobyte."
    )
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, (str, Path)):
        try:
            raw = read_at_most(source, limit)
        except FileTooLarge as err:
            raise too_large from err
        except OSError as err:
            raise DivisionError(f"Indelingsbestand {label} kan niet worden gelezen: "
                                f"{unreadable_reason(err)}.") from err
    else:
        raw = source.read(limit + 1)
        raw = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(raw) > limit:
        raise too_large
    return raw


def _division_text(raw: bytes, label: str) -> str:
    """Decode strictly: UTF-8 (BOM or not), else Windows-1252 if every line fits it."""
    if b"\x00" in raw:
        raise DivisionError(
            f"Indelingsbestand {label} is geen tekstbestand (CSV). Sla het op als CSV "
            "(UTF-8)."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = raw.splitlines()
    utf8 = [n for n, line in enumerate(lines, 1) if not line.isascii() and _is_utf8(line)]
    if utf8:
        other = next(n for n, line in enumerate(lines, 1) if not _is_utf8(line))
        raise DivisionError(
            f"Indelingsbestand {label} mengt twee tekstcoderingen: rij {utf8[0]} is UTF-8, "
            f"rij {other} niet. Sla het bestand opnieuw op als CSV (UTF-8)."
        )
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as err:
        row = raw[: err.start].count(b"\n") + 1
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: bevat tekens die niet te lezen zijn (geen "
            "UTF-8 en geen Windows-1252). Sla het bestand opnieuw op als CSV (UTF-8)."
        ) from err


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _division_header(text: str, label: str) -> tuple[str, int, int]:
    """The separator and the columns of ``gemeentecode`` and ``subregio``."""
    best: list[str] = []
    for sep in (",", ";", "\t"):
        records = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            cells = next((r for r in records if any(c.strip() for c in r)), [])
        except csv.Error:
            continue
        names = [_clean_text(c).casefold() for c in cells]
        if len(names) > len(best):
            best = names
        if not DIVISION_COLUMNS <= set(names):
            continue
        for column in sorted(DIVISION_COLUMNS):
            if names.count(column) > 1:
                raise DivisionError(
                    f"Indelingsbestand {label}: de kolom '{column}' staat meer dan eens in de "
                    "kopregel; laat er één over."
                )
        return sep, names.index("gemeentecode"), names.index("subregio")
    missing = sorted(DIVISION_COLUMNS - set(best))
    found = ", ".join(shown(c, 30) for c in best if c) or "geen"
    raise DivisionError(
        f"Indelingsbestand {label} mist de kolom(men) {', '.join(missing)}; nodig zijn "
        f"'gemeentecode' (GMxxxx) en 'subregio'. Gevonden kolommen: {found}."
    )


def _subregion_name(text: str, *, label: str, row: int, code: str) -> str:
    """A subregion name, cleaned, or a :class:`DivisionError` naming the row."""
    text = text.strip()
    for ch in text:
        if unicodedata.category(ch) in INVISIBLE_CATEGORIES:
            raise DivisionError(
                f"Indelingsbestand {label}, rij {row}: de subregionaam bevat een onzichtbaar "
                f"teken of stuurteken (U+{ord(ch):04X}); typ de naam opnieuw."
            )
    name = _clean_text(text)
    if not name:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: gemeente {code} heeft geen subregio."
        )
    if len(name) > MAX_SUBREGION_CHARS:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: de subregionaam is langer dan "
            f"{MAX_SUBREGION_CHARS} tekens."
        )
    if name[0] in _FORMULA_STARTS:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: een subregionaam mag niet beginnen met "
            f"'{name[0]}' (een spreadsheet leest dat als formule)."
        )
    return name


def read_division(
    source: str | Path | bytes | io.IOBase,
    gemeentecodes: list[str],
    *,
    name: str | None = None,
) -> Division:
    """Read and strictly validate a subregion division table (CSV).

    Anyone may upload a division on the public map page, so everything is checked and
    every problem is a :class:`DivisionError` with a Dutch message naming the row:

    * at most :data:`MAX_DIVISION_BYTES` (a path is checked on disk before reading);
      reading stops at the first bad row, so at most 46 rows are ever kept;
    * text in UTF-8 (with or without BOM), else in Windows-1252 when every byte fits
      it; a file that mixes the two is refused rather than read garbled;
    * separator ``,``, ``;`` or tab; the columns ``gemeentecode`` (GMxxxx) and
      ``subregio`` exactly once each (other columns are ignored: names are never used
      for joins);
    * each of ``gemeentecodes`` exactly once, nothing else;
    * subregion names: no invisible or control characters
      (:data:`geo.errors.INVISIBLE_CATEGORIES`), not empty, at most
      :data:`MAX_SUBREGION_CHARS` characters, not starting with ``=``, ``+``, ``-`` or
      ``@`` (a formula in a spreadsheet); stored in NFC with spaces normalised and
      surrounding whitespace stripped. Braces, ``<``, ``&`` and the like are allowed:
      they are escaped where names are shown, not refused here.

    Parameters
    ----------
    source : path, bytes or file-like
        The CSV to read.
    gemeentecodes : list of str
        The GM codes that must each appear exactly once.
    name : str, optional
        Display name; defaults to the file name. Cleaned by :func:`division_label`.

    Returns
    -------
    Division

    Raises
    ------
    DivisionError
        With a Dutch message naming the row or the codes at fault.
    """
    label = division_label(
        name or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    )
    text = _division_text(_division_bytes(source, label), label)
    sep, code_col, sub_col = _division_header(text, label)
    wanted = set(gemeentecodes)
    seen: dict[str, int] = {}
    records: list[tuple[str, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header_done = False
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            if not header_done:
                header_done = True
                continue
            code = _clean_text(cells[code_col] if code_col < len(cells) else "").upper()
            if not code:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: de gemeentecode ontbreekt."
                )
            if code not in wanted:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: '{shown(code, 20)}' is geen "
                    "gemeentecode van de vijf arbeidsmarktregio's."
                )
            if code in seen:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: gemeente {code} staat ook al op rij "
                    f"{seen[code]}; elke gemeente hoort er precies één keer in."
                )
            seen[code] = row
            raw_name = cells[sub_col] if sub_col < len(cells) else ""
            records.append(
                (code, _subregion_name(raw_name, label=label, row=row, code=code))
            )
    except csv.Error as err:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row + 1}: onleesbare CSV (bijvoorbeeld een "
            "aanhalingsteken dat niet wordt gesloten)."
        ) from err
    absent = sorted(wanted - set(seen))
    if absent:
        raise DivisionError(
            f"Indelingsbestand {label}: "
            f"{count_noun(len(absent), 'gemeente ontbreekt', 'gemeenten ontbreken')}: "
            + ", ".join(absent)
        )
    frame = pd.DataFrame(records, columns=["gemeentecode", "subregio"])
    frame = frame.sort_values("gemeentecode").reset_index(drop=True)
    return Division(name=label, table=frame)


