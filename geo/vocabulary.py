"""Reading what people type: yes/no answers and organisation names.

Shared by the intake (import files, forms) and the register, so a value is read the
same way wherever it comes in: :func:`parse_yes_no` is the one yes/no parser and
:func:`name_key` the one key two spellings of an organisation name share. The field and
kind registry is :mod:`geo.fields`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache


def fold_text(text: object) -> str:
    """Casefold, strip accents, turn everything but letters and digits into spaces.

    Examples
    --------
    >>> fold_text("Bèta-Infra & Zn.")
    'beta infra en zn'
    """
    value = _without_accents(str(text or ""))
    value = value.replace("&", " en ")
    return " ".join(_NOT_ALPHANUMERIC_RE.sub(" ", value).split())


_NOT_ALPHANUMERIC_RE = re.compile(r"[^0-9a-z]+")


def _without_accents(text: str) -> str:
    """Casefolded, decomposed (NFKD) and without combining marks (accents)."""
    if text.isascii():  # NFKD leaves ASCII as it is and it has no combining marks
        return text.casefold()
    value = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in value if not unicodedata.combining(ch))


_YES = frozenset({"ja", "j", "x", "1", "true", "waar", "wel", "yes", "y", "v", "✓", "✔",
                  "donateur", "actief"})
_NO = frozenset({"nee", "n", "0", "false", "onwaar", "niet", "no", "-", "inactief", "geen",
                 "none", "nan"})


def parse_yes_no(value: object) -> bool | None:
    """Read a yes/no value as people and spreadsheets write it.

    Parameters
    ----------
    value : object
        A bool, 0/1, or text such as ``ja``, ``nee``, ``x``, ``1``, ``true``, ``✓``,
        ``-`` (case and a trailing full stop do not matter).

    Returns
    -------
    bool or None
        None when the value is empty (None, NaN, blank text).

    Raises
    ------
    ValueError
        When the text is not a yes/no value.

    Examples
    --------
    >>> parse_yes_no("Ja."), parse_yes_no("-"), parse_yes_no(" ")
    (True, False, None)
    """
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not isinstance(value, str) and hasattr(value, "item"):  # a numpy scalar
        value = value.item()
        if isinstance(value, bool):
            return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold().rstrip(".")
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


#: Legal forms and suffixes left out of a name key (after dots are removed).
LEGAL_FORMS = frozenset({
    "bv", "nv", "vof", "cv", "holding", "ltd", "gmbh", "bvba", "sarl", "inc", "llc",
    "eenmanszaak", "stichting", "vereniging",
})

_DOTTED_FORM_RE = re.compile(r"\b([a-z])\s?\.\s?([a-z])\s?\.?(?:\s?([a-z])\s?\.?)?(?=\s|$)")


def name_key(name: object) -> str:
    """Normalise an organisation name for matching (the ``importsleutel``).

    Case, accents, punctuation and legal forms (B.V., BV, N.V., V.O.F., C.V., Holding,
    Stichting …) are ignored; ``&`` counts as ``en``.

    Parameters
    ----------
    name : object
        An organisation name as typed.

    Returns
    -------
    str
        The key; names consisting only of a legal form keep it, so the key of a
        non-empty name is never empty.

    Examples
    --------
    >>> name_key("Beta Infra B.V.") == name_key("Beta Infra BV") == name_key("beta infra")
    True
    >>> name_key("Bèta-Infra v.o.f.")
    'beta infra'
    """
    if type(name) is str:  # an import asks for every row, in several steps
        return _name_key_of_text(name)
    return _name_key(name)


def _name_key(name: object) -> str:
    value = _without_accents(str(name or ""))
    # "b.v." / "b. v." / "v.o.f" → "bv" / "vof" before punctuation becomes spaces.
    value = _DOTTED_FORM_RE.sub(lambda m: " " + "".join(g for g in m.groups() if g) + " ",
                                value)
    tokens = fold_text(value).split()
    kept = [t for t in tokens if t not in LEGAL_FORMS]
    return " ".join(kept or tokens)


#: :func:`name_key` of a text, remembered for the last names asked (they are asked again
#: by the duplicate check, the register's match and its write).
_name_key_of_text = lru_cache(maxsize=50_000)(_name_key)
