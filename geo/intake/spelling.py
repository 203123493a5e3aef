"""Spelling help from the data: suggestions for place names, postcodes and kinds.

An import row whose place, postcode or kind is not what the data know gets a
:class:`Suggestion`: the field, what the file says, what the data suggest and a Dutch
reason. Suggestions are offered, never applied by themselves; the user accepts them per
row or for all (:attr:`geo.intake.verdicts.ImportRun.accepted`), and what is stored is
then the official name, with the original kept in the row's import note.

* :func:`suggest_place`: fuzzy matching (``rapidfuzz``) against the place and
  municipality names of the bundled CBS PC4 table, preferring places in the municipality
  of the row's postcode (``"Den Heldr"`` with postcode 1781 → Den Helder);
* :func:`suggest_postcode`: letters typed for digits (``"17O3AB"`` → ``1703 AB``);
* :func:`suggest_kind`: a kind not recognised by :func:`geo.fields.normalise_kind`
  matched against the codes, labels and :attr:`geo.fields.Kind.synonyms` of the kinds
  (``"Riolering"`` → aannemer).

:class:`PlaceIndex` also says whether a postcode lies in the place named
(:meth:`PlaceIndex.agrees`): the offline check of a row placed on its postcode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from geo import fields, vocabulary
from geo.addresses import parse_postcode, place_key
from geo.reference.data import Reference, shared_per_reference

#: Fields that can get a suggestion, in the order they are shown.
SUGGESTED_FIELDS = ("postcode", "plaats", "soort")

#: Minimum similarity (0–100) for a place in the municipality of the row's postcode.
NEAR_SCORE = 80.0

#: Minimum similarity for a place anywhere (no usable postcode): stricter.
ANYWHERE_SCORE = 88.0

#: Minimum similarity of a kind to a kind's code, label or synonym.
KIND_SCORE = 85.0

#: Letters typed for digits in the digit part of a postcode.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "i": "1", "l": "1",
                                   "L": "1"})


@dataclass(frozen=True)
class Suggestion:
    """A correction the data suggest for one field of one row.

    Attributes
    ----------
    field : str
        ``"plaats"``, ``"postcode"`` or ``"soort"``.
    original : str
        The text as the file has it.
    suggestion : str
        The value to store when accepted: an official place name, a postcode as
        ``"1703 AB"``, a kind code.
    reason : str
        Why, in Dutch, for people.
    """

    field: str
    original: str
    suggestion: str
    reason: str

    @property
    def shown(self) -> str:
        """``"Plaats: Den Heldr → Den Helder"`` (a kind by its Dutch label)."""
        label = fields.field_labels().get(self.field, self.field)
        new = fields.kind_label(self.suggestion) if self.field == "soort" else self.suggestion
        return f"{label}: {self.original} → {new}"

    @property
    def accepted_note(self) -> str:
        """The import note of an accepted suggestion: the original is kept here."""
        label = fields.field_labels().get(self.field, self.field)
        new = fields.kind_label(self.suggestion) if self.field == "soort" else self.suggestion
        return f"{label}: '{self.original}' verbeterd tot '{new}' (voorstel aangenomen)."


@dataclass(frozen=True)
class _Pc4:
    place: str
    gemeentecode: str
    gemeentenaam: str


class PlaceIndex:
    """The official place and municipality names of the PC4 table, for spelling help.

    Parameters
    ----------
    reference : Reference
        Its ``pc4`` table (``pc4``, ``plaats_certegis``, ``gemeentecode``,
        ``gemeentenaam``) is indexed.
    """

    def __init__(self, reference: Reference) -> None:
        pc4 = reference.pc4
        self._pc4: dict[str, _Pc4] = {}
        self._names: dict[str, str] = {}  # place key → official name
        self._gemeenten_of: dict[str, set[str]] = {}  # place key → municipality codes
        self._in_gemeente: dict[str, dict[str, str]] = {}  # code → place key → name
        for code4, place, code, gemeente in zip(
                pc4["pc4"].astype(str), pc4["plaats_certegis"].fillna(""),
                pc4["gemeentecode"], pc4["gemeentenaam"], strict=True):
            self._pc4[code4] = _Pc4(place or gemeente, code, gemeente)
            for name in (place, gemeente):
                if name:
                    key = place_key(name)
                    self._names.setdefault(key, name)
                    self._gemeenten_of.setdefault(key, set()).add(code)
                    self._in_gemeente.setdefault(code, {}).setdefault(key, name)
        self._keys = list(self._names)
        # For many rows at once (agrees_many): PC4 → municipality, and (place, municipality).
        self._pc4_codes = pd.Series({code4: found.gemeentecode
                                     for code4, found in self._pc4.items()}, dtype=object)
        self._pairs = pd.MultiIndex.from_tuples(
            [(key, code) for key, codes in self._gemeenten_of.items() for code in codes])

    def known(self, place: object) -> bool:
        """True when ``place`` is a place or municipality name (case and dots aside)."""
        return place_key(place) in self._names

    def official(self, place: object) -> str | None:
        """The official spelling of a known place, or None."""
        return self._names.get(place_key(place))

    def municipalities(self, place: object) -> frozenset[str]:
        """The GM codes of the municipalities a place or municipality name lies in."""
        return frozenset(self._gemeenten_of.get(place_key(place), ()))

    def pc4_place(self, postcode: object) -> str | None:
        """``"Heerhugowaard, gemeente Dijk en Waard"`` for the PC4 of ``postcode``, or None."""
        found = self._pc4_of(postcode)
        if found is None:
            return None
        if place_key(found.place) == place_key(found.gemeentenaam):
            return found.place
        return f"{found.place}, gemeente {found.gemeentenaam}"

    def agrees(self, place: object, postcode: object) -> bool | None:
        """Whether the PC4 of ``postcode`` lies in the municipality of ``place``.

        None when either is missing or unknown (nothing to compare); a place that is a
        village of the municipality counts (Julianadorp for a Den Helder postcode).
        """
        found = self._pc4_of(postcode)
        key = place_key(place)
        if found is None or key not in self._names:
            return None
        return found.gemeentecode in self._gemeenten_of[key]

    def agrees_many(self, keys: Sequence[str], pc4s: Sequence[str | None]
                    ) -> list[bool | None]:
        """:meth:`agrees` for many rows at once, from place keys and parsed PC4 codes.

        ``keys`` are :func:`geo.addresses.place_key` of the places, ``pc4s`` the four
        digits of the postcodes (None when a postcode does not parse).
        """
        if not len(keys):
            return []
        codes = self._pc4_codes.reindex(pd.Index(pc4s, dtype=object)).to_numpy()
        known = pd.Index(keys, dtype=object).isin(list(self._names))
        inside = pd.MultiIndex.from_arrays(
            [pd.Index(keys, dtype=object), pd.Index(codes, dtype=object)]).isin(self._pairs)
        missing = pd.isna(codes) | ~known
        return [None if gone else bool(yes) for gone, yes in zip(missing, inside, strict=True)]

    def mismatch(self, place: str, postcode: str, hint: Suggestion | None = None) -> str:
        """Why a row placed on ``postcode`` may be in the wrong place, or "".

        Empty when no place is named, when the postcode lies in the municipality of the
        place, or when the place is unknown but ``hint`` (its spelling suggestion) does
        lie there: a misspelling, not a wrong location.
        """
        where = self.pc4_place(postcode)
        if not place.strip() or where is None:
            return ""
        pc4 = parse_postcode(postcode).pc4
        agrees = self.agrees(place, postcode)
        if agrees is None and hint is not None:
            agrees = self.agrees(hint.suggestion, postcode)
        if agrees:
            return ""
        if agrees is None:
            return (f"Plaats: '{place.strip()}' is onbekend; geplaatst op postcode {pc4} "
                    f"({where}).")
        return (f"Plaats: postcode {pc4} ligt in {where}, niet in {place.strip()}; "
                "geplaatst op de postcode. Controleer postcode en plaats.")

    def _pc4_of(self, postcode: object) -> _Pc4 | None:
        parsed = parse_postcode(postcode)
        return None if parsed is None else self._pc4.get(parsed.pc4)

    def closest(self, place: object, postcode: object = None) -> tuple[str, bool] | None:
        """The official name most like ``place``, and whether it fits the postcode.

        Places in the municipality of the postcode are tried first (a lower threshold,
        :data:`NEAR_SCORE`); then all places (:data:`ANYWHERE_SCORE`). None when nothing
        is close enough.
        """
        key = place_key(place)
        if not key:
            return None
        found = self._pc4_of(postcode)
        if found is not None:
            near = self._in_gemeente.get(found.gemeentecode, {})
            best = process.extractOne(key, list(near), scorer=fuzz.ratio,
                                      score_cutoff=NEAR_SCORE)
            if best is not None:
                return near[best[0]], True
        best = process.extractOne(key, self._keys, scorer=fuzz.ratio,
                                  score_cutoff=ANYWHERE_SCORE)
        if best is None:
            return None
        return self._names[best[0]], False


def place_index(reference: Reference) -> PlaceIndex:
    """One read-only :class:`PlaceIndex` per loaded reference (shared by all users)."""
    return shared_per_reference(reference, PlaceIndex)


def suggest_place(index: PlaceIndex, place: str, postcode: str = "") -> Suggestion | None:
    """A suggestion for a place name the data do not know, or that lies elsewhere.

    None for a known name that fits the postcode (or without a postcode), and when no
    name is close. A known name of a place far from the postcode gets a suggestion only
    for a place of the postcode's municipality (``"Ouddorp"`` with 1829 → Oudorp).

    Examples
    --------
    ``suggest_place(index, "Den Heldr", "1781 AB").suggestion == "Den Helder"``.
    """
    text = place.strip()
    known = index.known(text)
    if not text or (known and index.agrees(text, postcode) is not False):
        return None
    found = index.closest(text, postcode)
    if found is None or (known and (not found[1] or place_key(found[0]) == place_key(text))):
        return None
    name, fits = found
    where = index.pc4_place(postcode)
    if known:
        reason = (f"Plaats '{text}' ligt niet bij postcode {parse_postcode(postcode).pc4} "
                  f"({where}); bedoeld is waarschijnlijk {name}.")
    elif fits and where:
        reason = (f"Plaats '{text}' is onbekend; postcode {parse_postcode(postcode).pc4} "
                  f"ligt in {where}.")
    else:
        reason = f"Plaats '{text}' is onbekend; lijkt op {name}."
    return Suggestion("plaats", text, name, reason)


def repaired_postcode(text: str) -> str | None:
    """``"17O3AB"`` → ``"1703 AB"``: letters O, I and l typed for digits; else None."""
    compact = re.sub(r"[\s.\-]+", "", text.strip())
    if len(compact) not in (4, 6):
        return None
    digits = compact[:4].translate(_DIGIT_LOOKALIKES)
    parsed = parse_postcode(digits + compact[4:])
    return None if parsed is None else str(parsed)


def suggest_postcode(index: PlaceIndex, postcode: str) -> Suggestion | None:
    """A repaired postcode for one that is not valid as typed, when its PC4 exists."""
    text = postcode.strip()
    if not text or parse_postcode(text) is not None:
        return None
    repaired = repaired_postcode(text)
    if repaired is None:
        return None
    where = index.pc4_place(repaired)
    if where is None:
        return None
    return Suggestion("postcode", text, repaired,
                      f"Postcode '{text}' heeft een letter waar een cijfer hoort; bedoeld is "
                      f"waarschijnlijk {repaired} ({where}).")


def _kind_words() -> dict[str, str]:
    """Folded code, label and synonym of every kind → its code."""
    words: dict[str, str] = {}
    for kind in fields.KINDS:
        for word in (kind.code, kind.label, *kind.synonyms):
            words.setdefault(vocabulary.fold_text(word), kind.code)
    return words


def suggest_kind(text: str) -> Suggestion | None:
    """A kind for text :func:`geo.fields.normalise_kind` does not recognise.

    Such text would be stored as ``overig``; None when it is recognised or nothing is
    close to it.
    """
    given = text.strip()
    folded = vocabulary.fold_text(given)
    if not folded or fields.normalise_kind(given) != fields.FALLBACK_KIND:
        return None
    words = _kind_words()
    if words.get(folded) == fields.FALLBACK_KIND:
        return None
    best = process.extractOne(folded, list(words), scorer=fuzz.WRatio,
                              score_cutoff=KIND_SCORE)
    if best is None or words[best[0]] == fields.FALLBACK_KIND:
        return None
    code = words[best[0]]
    return Suggestion("soort", given, code,
                      f"Soort '{given}' is niet herkend en zou als "
                      f"{fields.kind_label(fields.FALLBACK_KIND)} worden opgeslagen; "
                      f"waarschijnlijk {fields.kind_label(code)}.")


def row_suggestions(index: PlaceIndex, *, postcode: str, place: str, kind: str,
                    skip: set[str] | frozenset[str] = frozenset()) -> tuple[Suggestion, ...]:
    """The suggestions for one row, in :data:`SUGGESTED_FIELDS` order.

    A repaired postcode is also used to choose the place (``"17O3AB"``, ``"Heerhugowaad"``
    → Heerhugowaard). Fields in ``skip`` (already corrected) get none.
    """
    found: dict[str, Suggestion | None] = {}
    if "postcode" not in skip:
        found["postcode"] = suggest_postcode(index, postcode)
    if found.get("postcode") is not None:
        postcode = found["postcode"].suggestion
    if "plaats" not in skip:
        found["plaats"] = suggest_place(index, place, postcode)
    if "soort" not in skip:
        found["soort"] = suggest_kind(kind)
    return tuple(s for s in found.values() if s is not None)
