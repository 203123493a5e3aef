"""Parse Dutch postcodes, street addresses and place names as offices type them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: A postcode: four digits (first not 0), optional space or hyphen, optional two letters.
POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s*-?\s*([A-Za-z]{2})?$")
#: Letter pairs PostNL never issues.
FORBIDDEN_LETTERS = frozenset({"SA", "SD", "SS"})
_STREET_RE = re.compile(
    r"^(?P<straat>.*?\S)[\s,]+(?:nr\.?\s*)?(?P<nummer>\d{1,5})"
    r"(?:\s*[-/]\s*(?P<na_streep>[A-Za-z0-9]{1,6})|\s*(?P<letters>[A-Za-z]{1,4}))?\s*$",
    re.IGNORECASE,
)
_PO_BOX_RE = re.compile(r"^\s*(postbus|antwoordnummer|p\.?\s?o\.?\s?box)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Postcode:
    """A Dutch postcode: always the four digits, the two letters when known."""

    pc4: str
    letters: str | None = None

    @property
    def pc6(self) -> str | None:
        """``"1703AB"`` (no space, as PDOK writes it) or None for a PC4-only code."""
        return f"{self.pc4}{self.letters}" if self.letters else None

    def __str__(self) -> str:
        return f"{self.pc4} {self.letters}" if self.letters else self.pc4


@dataclass(frozen=True)
class StreetAddress:
    """A street line split into street name, house number and addition."""

    name: str
    number: int | None = None
    addition: str = ""


def parse_postcode(text: object) -> Postcode | None:
    """Parse a Dutch postcode in any spacing or case.

    Parameters
    ----------
    text : object
        ``"1703ab"``, ``" 1703 AB "``, ``"1703-AB"`` or ``"1703"``; numbers such as
        ``1703`` (from a spreadsheet cell) are accepted too.

    Returns
    -------
    Postcode or None
        None when ``text`` is not a valid Dutch postcode.

    Examples
    --------
    >>> str(parse_postcode(" 1703 ab "))
    '1703 AB'
    >>> parse_postcode("0123 AB") is None
    True
    """
    if text is None:
        return None
    if isinstance(text, float):
        if text != text or not text.is_integer():  # NaN or 1703.5
            return None
        text = int(text)
    return _parse_postcode_text(str(text))


@lru_cache(maxsize=65_536)  # an import parses each row's postcode in several steps
def _parse_postcode_text(text: str) -> Postcode | None:
    match = POSTCODE_RE.match(text.strip())
    if not match:
        return None
    digits, letters = match.group(1), match.group(2)
    if letters:
        letters = letters.upper()
        if letters in FORBIDDEN_LETTERS:
            return None
    return Postcode(pc4=digits, letters=letters)


def format_postcode(value: object) -> str:
    """A postcode as the register writes it: ``"1703 AB"``; other text as typed.

    Spaces in text that is not a postcode are collapsed; an empty value gives ``""``.

    Examples
    --------
    >>> format_postcode("1703ab"), format_postcode(" 1703 "), format_postcode("B-2000  Antwerpen")
    ('1703 AB', '1703', 'B-2000 Antwerpen')
    """
    text = " ".join(str(value if value is not None else "").split())
    parsed = parse_postcode(text)
    return str(parsed) if parsed is not None else text


def _missing(value: object) -> bool:
    return (value is None or (isinstance(value, float) and value != value)
            or not str(value).strip() or str(value) == "nan")


def postcode_key(postcode: object, place: object = "") -> str:
    """The key two records at the same address share: the postcode, else the place.

    Parameters
    ----------
    postcode : object
        A postcode in any spelling (None, NaN or blank: none).
    place : object
        The place, used only when there is no postcode.

    Returns
    -------
    str
        ``"1703AB"`` or ``"1703"`` for a valid postcode, ``"?<text>"`` for an invalid one,
        ``"plaats:<place>"`` without a postcode, ``""`` without either.

    Examples
    --------
    >>> postcode_key("1703 ab"), postcode_key(None, "Hoorn"), postcode_key("B-2000")
    ('1703AB', 'plaats:hoorn', '?b-2000')
    """
    if not _missing(postcode):
        parsed = parse_postcode(postcode)
        if parsed is not None:
            return parsed.pc6 or parsed.pc4
        return "?" + re.sub(r"\s+", "", str(postcode)).casefold()
    name = "" if _missing(place) else place_key(place)
    return f"plaats:{name}" if name else ""


def looks_like_postcode(text: object) -> bool:
    """True when ``text`` starts like a postcode (four digits), valid or not."""
    return bool(re.match(r"^\s*\d{4}", str(text or "")))


def split_street(text: object) -> StreetAddress:
    """Split ``"Dorpsstraat 12a"`` into street, number and addition.

    Parameters
    ----------
    text : object
        A street line; ``"Kade 3-bis"``, ``"Laan van 1940-1945 12 B"`` and
        ``"Markt, nr. 5"`` are understood.

    Returns
    -------
    StreetAddress
        Without a house number when none can be found.
    """
    line = " ".join(str(text or "").split())
    match = _STREET_RE.match(line)
    if not match:
        return StreetAddress(name=line)
    return StreetAddress(
        name=match.group("straat").strip(" ,"),
        number=int(match.group("nummer")),
        addition=(match.group("na_streep") or match.group("letters") or "").upper(),
    )


def is_po_box(text: object) -> bool:
    """True for ``"Postbus 123"``, ``"Antwoordnummer 5"`` and ``"PO Box 7"``."""
    return bool(_PO_BOX_RE.match(str(text or "")))


def place_key(text: object) -> str:
    """Normalise a place or municipality name for case-insensitive matching.

    Accents are kept apart from case (``"Wervershoof"`` = ``"WERVERSHOOF"``), the CBS
    suffixes ``(NH.)`` and DUO's ``NH`` are dropped, hyphens and dots become spaces.

    Examples
    --------
    >>> place_key("Bergen (NH.)") == place_key("BERGEN NH") == "bergen"
    True
    """
    if type(text) is str:  # an import asks for the places of its rows in several steps
        return _place_key_of_text(text)
    return _place_key(text)


def _place_key(text: object) -> str:
    name = unicodedata.normalize("NFKC", str(text or "")).casefold()
    name = re.sub(r"\(\s*(nh|n\.h)\.?\s*\)|\s+nh\.?$", " ", name)
    name = re.sub(r"[.\-()]", " ", name)
    return " ".join(name.split())


_place_key_of_text = lru_cache(maxsize=16_384)(_place_key)


def address_line(record) -> str:
    """A record's address on one line for people: ``"Akkerbouwstraat 1, 1787 AR Julianadorp"``.

    ``record`` is any mapping (dict, pandas row) with ``straat``, ``postcode`` and
    ``plaats``; missing parts are left out, spaces are collapsed and a valid postcode is
    written the Dutch way.
    """
    street, place = (" ".join(str(record.get(key)).split()) if not _missing(record.get(key))
                     else "" for key in ("straat", "plaats"))
    code = "" if _missing(record.get("postcode")) else format_postcode(record.get("postcode"))
    town = " ".join(part for part in (code, place) if part)
    return ", ".join(part for part in (street, town) if part)
