"""The rules for one import row: read it, place it, judge it (a :class:`RowVerdict`).

A row is checked in three steps, so that many rows can share the middle one:

1. :func:`read_row` reads the row as the rules need it: postcode and place (also from
   one cell or from the address), accepted suggestions, yes/no fields, contact notes,
   and the :class:`~geo.intake.geocoding.AddressQuery` to ask, unless the row cannot be
   placed anyway (no name, a foreign address, no address, an invalid postcode);
2. the spelling suggestions (:func:`geo.intake.spelling.row_suggestions`) and the
   geocoder's answer: per row (:func:`check_one`), or for many rows at once offline
   (:mod:`geo.intake.batch`);
3. :func:`judge` turns the read row, its suggestions and the answer into the verdict.

:func:`geo.intake.verdicts.check_rows` runs them over a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from geo import fields, vocabulary
from geo.addresses import Postcode, is_po_box, parse_postcode
from geo.intake.contacts import contact_notes
from geo.intake.geocoding import (
    OFFLINE_NOTICE,
    UNUSABLE_NOTICE,
    AddressQuery,
    Geocoder,
    GeocodeResult,
)
from geo.intake.rawtable import RawRow
from geo.intake.spelling import PlaceIndex, Suggestion, row_suggestions
from geo.reference.gazetteer import Location

#: The problem of a row without a name.
NAMELESS = "Naam: ontbreekt; de rij wordt niet in het register opgenomen."


@dataclass(frozen=True)
class RowVerdict:
    """The verdict on one input row.

    Attributes
    ----------
    row : int
        Row number as the user sees it in Excel.
    name : str
        The organisation's name, verbatim.
    values : dict
        Field → text as given (see :class:`RawRow`).
    lat, lon : float or None
        WGS84 location; None when not placed.
    precision : str
        Precision code (:data:`geo.reference.gazetteer.PRECISIONS`), ``"geen"`` when
        not placed.
    source : str
        Geocoder that placed the row (``"pdok"``, ``"offline"``) or empty.
    label : str
        What the geocoder found, e.g. ``"Dorpsstraat 1, 1703AB Heerhugowaard"``.
    candidates : tuple of Location
        Alternatives the geocoder offered (for the review list).
    problems : tuple of str
        Dutch messages that make the row a ``fout``.
    remarks : tuple of str
        Dutch messages that make the row a ``waarschuwing``.
    notes : tuple of str
        Informational Dutch messages (status unchanged).
    areas : dict
        ``gemeentecode``, ``gemeentenaam``, ``subregio``, ``arbeidsmarktregio_code``,
        ``arbeidsmarktregio``, ``in_werkgebied`` (filled after checking).
    existing_id : int or None
        The register id of the same organisation (or school): importing updates it.
    existing_version : int or None
        The ``versie`` of that organisation when the row was checked; importing refuses
        to overwrite a newer version (see :meth:`geo.register.store.Store.apply_import`).
    duplicate_of : int or None
        Row number of an earlier row in the file for the same organisation; this row is
        then not imported separately.
    skip : str
        Dutch reason why the row is not turned into a record, or empty.
    keep_location : bool
        True when the row updates an organisation that was placed by hand at the same
        address: the record then leaves its location alone.
    register_note : str
        What importing will do to the register (``"wordt bijgewerkt"``); shown, but not
        stored with the organisation, so re-importing an unchanged file changes nothing.
    suggestions : tuple of Suggestion
        Corrections the data suggest (place, postcode, kind), for the user to accept.
    accepted : tuple of Suggestion
        Suggestions the user accepted: the row was checked with their values, and its
        notes keep the originals.
    """

    row: int
    name: str
    values: dict[str, str]
    lat: float | None = None
    lon: float | None = None
    precision: str = "geen"
    source: str = ""
    label: str = ""
    candidates: tuple[Location, ...] = ()
    problems: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    areas: dict[str, object] = field(default_factory=dict)
    existing_id: int | None = None
    existing_version: int | None = None
    duplicate_of: int | None = None
    skip: str = ""
    keep_location: bool = False
    register_note: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    accepted: tuple[Suggestion, ...] = ()

    @property
    def status(self) -> str:
        """``"fout"``, ``"waarschuwing"`` or ``"ok"``."""
        if self.problems:
            return "fout"
        if self.remarks:
            return "waarschuwing"
        return "ok"

    @property
    def message(self) -> str:
        """All messages for this row in one Dutch sentence sequence."""
        return " ".join(
            m for m in (*self.problems, *self.remarks, *self.notes, self.register_note) if m
        )

    @property
    def stored_message(self) -> str:
        """The messages kept with the organisation (about its data, not this import)."""
        return " ".join(m for m in (*self.problems, *self.remarks, *self.notes) if m)

    @property
    def placed(self) -> bool:
        """True when the row has a location."""
        return self.lat is not None and self.lon is not None


#: The fields of a :class:`RowVerdict`, for :func:`with_changes`.
_VERDICT_FIELDS = frozenset(RowVerdict.__dataclass_fields__)


def with_changes(verdict: RowVerdict, **changes: object) -> RowVerdict:
    """``dataclasses.replace(verdict, **changes)`` without running ``__init__`` again.

    The same new verdict (a verdict has no ``__post_init__``), made for every row of an
    import at a fraction of the cost.
    """
    unknown = changes.keys() - _VERDICT_FIELDS
    if unknown:
        raise TypeError(f"not fields of a RowVerdict: {sorted(unknown)}")
    new = object.__new__(type(verdict))
    new.__dict__.update(verdict.__dict__)
    new.__dict__.update(changes)
    return new


def flag_defaults() -> dict[str, bool]:
    """Yes/no fields an import reads → their value when a cell is empty or unclear."""
    return {f.name: bool(f.default) for f in fields.ORGANISATION_FIELDS
            if f.type == fields.YES_NO and f.synonyms}


@lru_cache(maxsize=1024)  # a file's yes/no columns hold a few texts
def read_flag(text: str, label: str, *, default: bool = False) -> tuple[bool | None, str]:
    """``ja/nee/x/1/true`` → bool; (None, remark) when not understood; (None, "") if empty."""
    try:
        return vocabulary.parse_yes_no(text), ""
    except ValueError:
        reading = "ja" if default else "nee"
        return None, (f"{label}: '{text}' niet begrepen (gebruik ja of nee); als '{reading}' "
                      "gelezen.")


_POSTCODE_IN_TEXT = re.compile(r"^\s*([1-9][0-9]{3}\s*[A-Za-z]{2})\b[\s,]*(.*)$")


def split_postcode_place(values: dict[str, str]) -> tuple[str, str]:
    """Postcode and place, also when written together in one cell (``1703 AB Heerhugowaard``)."""
    postcode = values.get("postcode", "").strip()
    place = values.get("plaats", "").strip()
    if postcode and parse_postcode(postcode) is None:  # "1703 AB Heerhugowaard"
        match = _POSTCODE_IN_TEXT.match(postcode)
        if match and match.group(2):
            postcode, place = match.group(1), place or match.group(2).strip()
    if not postcode:
        match = _POSTCODE_IN_TEXT.match(place)
        if match:
            postcode, place = match.group(1), match.group(2).strip()
    if not postcode:  # "Dorpsstraat 1, 1703 AB Heerhugowaard" in the address column
        street = values.get("straat", "")
        match = re.search(r",\s*([1-9][0-9]{3}\s*[A-Za-z]{2})\b\s*(.*)$", street)
        if match:
            postcode = match.group(1)
            place = place or match.group(2).strip(" ,")
            values["straat"] = street[: match.start()].strip()
    if not place and values.get("gemeente", "").strip():
        place = values["gemeente"].strip()
    return postcode, place


@lru_cache(maxsize=4096)  # the same messages come back on many rows
def _sentence_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


@lru_cache(maxsize=4096)
def _sentences(message: str) -> tuple[tuple[str, str], ...]:
    """The sentences of a message, each with its :func:`_sentence_key`."""
    return tuple((s, _sentence_key(s)) for s in _SENTENCE_END.split(message.strip()))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _new_sentences(message: str, said: Sequence[str]) -> list[str]:
    """Sentences of ``message`` that do not repeat something in ``said``."""
    if not message:
        return []
    return list(_new_sentences_of(message, tuple(said)))


@lru_cache(maxsize=4096)  # the rows of a file share their messages
def _new_sentences_of(message: str, said: tuple[str, ...]) -> tuple[str, ...]:
    known = [_sentence_key(s) for s in said]
    out = []
    for sentence, key in _sentences(message):
        if key and not any(k.startswith(key) or key in k for k in known):
            out.append(sentence)
            known.append(key)
    return tuple(out)


def _address_problem(query: AddressQuery, postcode_text: str, postcode: object) -> str:
    """Why an address cannot be placed before asking a geocoder, or ""."""
    if not query.is_dutch:
        return (f"Land: buitenlands adres ({query.country}); alleen adressen in Nederland "
                "worden geplaatst.")
    if not (query.street or postcode_text or query.place):
        return "Adres: straat, postcode en plaats ontbreken; niet geplaatst."
    if postcode_text and postcode is None:
        return (f"Postcode: '{postcode_text}' is geen geldige Nederlandse postcode (onjuist of "
                "buitenlands); niet geplaatst.")
    return ""


@dataclass
class RowRead:
    """One row as the rules read it, before its suggestions and its place are known.

    ``query`` is what to ask a geocoder (a PO box without its street), None when the
    row is not placed: it has no name (``problem`` is empty) or ``problem`` says why.
    """

    number: int
    name: str
    values: dict[str, str]
    postcode_text: str
    place: str
    street: str
    kind: str
    accepted: tuple[Suggestion, ...]
    remarks: list[str]
    notes: list[str]
    postcode: Postcode | None = None
    query: AddressQuery | None = None
    problem: str = ""
    po_box: bool = False

    @property
    def corrected(self) -> frozenset[str]:
        """The fields of the accepted suggestions (they get no new ones)."""
        return frozenset(s.field for s in self.accepted)


def read_row(row: RawRow, accepted: Sequence[Suggestion] = (), *,
             labels: dict[str, str] | None = None,
             flags: dict[str, bool] | None = None) -> RowRead:
    """Read one row (step 1); ``accepted`` suggestions replace the file's values.

    ``labels`` (:func:`geo.fields.field_labels`) and ``flags`` (:func:`flag_defaults`)
    may be passed in when many rows are read.
    """
    values = dict(row.values)
    name = values.get("naam", "").strip()
    remarks: list[str] = list(row.remarks)  # how the text was read (geo.intake.reading)
    postcode_text, place = split_postcode_place(values)
    for suggestion in accepted:
        if suggestion.field == "postcode":
            postcode_text = suggestion.suggestion
        elif suggestion.field == "plaats":
            place = suggestion.suggestion
        else:
            values[suggestion.field] = suggestion.suggestion
    kind = values.get("soort", "")
    street = values.get("straat", "").strip()
    postcode = parse_postcode(postcode_text) if postcode_text else None
    if postcode is not None:
        values["postcode"] = str(postcode)
    elif postcode_text:
        values["postcode"] = postcode_text
    if place:
        values["plaats"] = place
    values["straat"] = street
    labels = fields.field_labels() if labels is None else labels
    for flag, default in (flag_defaults() if flags is None else flags).items():
        if flag in values:
            _, remark = read_flag(values[flag], labels[flag], default=default)
            if remark:
                remarks.append(remark)
    notes = [*contact_notes(values), *(s.accepted_note for s in accepted)]
    read = RowRead(row.number, name, values, postcode_text, place, street, kind,
                   tuple(accepted), remarks, notes, postcode)
    if not name:
        return read
    query = AddressQuery(street=street, postcode=postcode_text, place=place,
                         country=values.get("land", "").strip())
    read.problem = _address_problem(query, postcode_text, postcode)
    if not read.problem:
        read.po_box = is_po_box(street)
        read.query = replace(query, street="") if read.po_box else query
    return read


def judge(read: RowRead, suggestions: tuple[Suggestion, ...], result: GeocodeResult | None,
          places: PlaceIndex, geocoder: Geocoder, *, agrees: bool | None = None
          ) -> RowVerdict:
    """The verdict on a read row (step 3), given its suggestions and the geocoder's answer.

    ``result`` is None exactly when ``read.query`` is. ``agrees`` may say that the place
    lies in the municipality of the postcode (:meth:`PlaceIndex.agrees`, computed for
    many rows at once); None lets this function ask when it needs to know.
    """
    remarks = list(read.remarks)
    notes = [*read.notes, *(s.reason for s in suggestions)]
    more = {"suggestions": suggestions, "accepted": read.accepted}
    if not read.name:
        return RowVerdict(read.number, read.name, read.values, remarks=tuple(remarks),
                          notes=tuple(notes), problems=(NAMELESS,), skip="geen naam", **more)
    if result is None:
        return RowVerdict(read.number, read.name, read.values, problems=(read.problem,),
                          remarks=tuple(remarks), notes=tuple(notes), **more)
    location = result.location
    if location is None:
        message = result.message or "het adres is niet gevonden."
        field_name = "Plaats" if not read.street and not read.postcode_text else "Adres"
        if not message.casefold().startswith(field_name.casefold()):
            message = f"{field_name}: {message}"
        return RowVerdict(read.number, read.name, read.values, source=result.source,
                          candidates=tuple(result.candidates),
                          problems=(f"{message} Niet geplaatst.",), remarks=tuple(remarks),
                          notes=tuple(notes), **more)
    if read.po_box:
        remarks.append(
            "Postbus: geplaatst op de postcode van de postbus, niet op het gebouw; "
            "vul zo mogelijk het bezoekadres in."
        )
    if location.precision == "plaats":
        remarks.append("Alleen op plaatsnaam geplaatst (kan kilometers afwijken).")
    if result.source == "offline" and location.precision == "postcode4" and agrees is not True:
        # Judged on its own merits: the postcode must lie in the place named. That PDOK
        # was unreachable is said once for the whole check (the page, the CLI).
        place_hint = next((s for s in suggestions if s.field == "plaats"), None)
        remark = places.mismatch(read.place, read.postcode_text, place_hint)
        if remark:
            remarks.append(remark)
    went_offline = result.source == "offline" and getattr(geocoder, "went_offline", False)
    given_up = tuple(_sentence_key(n) for n in (OFFLINE_NOTICE, UNUSABLE_NOTICE))
    for message in (result.message, location.note):
        if message:
            notes.extend(
                s for s in _new_sentences(message, [*remarks, *notes])
                if not (went_offline and _sentence_key(s).startswith(given_up))
            )
    return RowVerdict(
        read.number, read.name, read.values, lat=location.lat, lon=location.lon,
        precision=location.precision, source=result.source, label=location.label,
        candidates=tuple(result.candidates), remarks=tuple(remarks), notes=tuple(notes),
        **more,
    )


def check_one(row: RawRow, geocoder: Geocoder, places: PlaceIndex,
              accepted: Sequence[Suggestion] = ()) -> RowVerdict:
    """Check and geocode one row (no duplicate or area checks yet).

    ``accepted`` are suggestions the user accepted for this row: their values replace
    the file's, and the notes keep the originals.
    """
    read = read_row(row, accepted)
    suggestions = row_suggestions(places, postcode=read.postcode_text, place=read.place,
                                  kind=read.kind, skip=read.corrected)
    result = None if read.query is None else geocoder.geocode(read.query)
    return judge(read, suggestions, result, places, geocoder)
