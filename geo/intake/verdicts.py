"""Checking an import: every row of a :class:`RawTable` gets a :class:`RowVerdict`.

The import flows in pure steps, each testable and shown in a preview:

1. :func:`geo.intake.reading.read_table` reads ``.xlsx`` or ``.csv`` bytes as Dutch
   offices produce them into a :class:`~geo.intake.rawtable.RawTable`;
2. :func:`check_rows` (here) gives every non-empty row a verdict — ``ok``,
   ``waarschuwing`` (placed, with a remark) or ``fout`` (not placed) — with a Dutch
   message naming the field. Geocoding goes through the
   :class:`~geo.intake.geocoding.Geocoder` given; long runs report progress, can be
   stopped and resumed (:class:`ImportRun`). Duplicates within the file and against
   the register are marked by :mod:`geo.intake.duplicates`;
3. :func:`geo.intake.records.to_records` turns the verdicts into records for
   :meth:`geo.register.store.Store.apply_import`.

Text is stored verbatim (HTML in a name included); escaping happens on display.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from geo import fields, vocabulary
from geo.addresses import is_po_box, parse_postcode
from geo.intake.contacts import contact_notes
from geo.intake.duplicates import mark_duplicates
from geo.intake.geocoding import OFFLINE_NOTICE, UNUSABLE_NOTICE, AddressQuery, Geocoder
from geo.intake.rawtable import RawRow, RawTable
from geo.intake.spelling import PlaceIndex, Suggestion, place_index, row_suggestions
from geo.reference.data import Reference
from geo.reference.gazetteer import Location
from geo.reference.regions import assign_areas

log = logging.getLogger(__name__)

#: Kinds of import: the partner register or user-added schools.
KINDS = ("partners", "scholen")

#: Verdicts, from good to bad.
STATUSES = fields.STATUSES


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


@dataclass
class ImportRun:
    """State of one (possibly interrupted) check of an import file.

    :func:`check_rows` stores every row it has checked here as soon as it is done, so
    an interruption (a stop request, a Streamlit rerun) loses nothing; calling it again
    with the same run checks only the remaining rows. Plain data only: it may be kept in
    a session.

    Attributes
    ----------
    table : RawTable
        The file being checked.
    kind : str
        ``"partners"`` or ``"scholen"``.
    checked : dict
        Row number → verdict of the per-row check (before duplicate and area checks).
    accepted : dict
        Row number → the suggestions the user accepted for it; such a row is checked
        (again) with the suggested values.
    """

    table: RawTable
    kind: str = "partners"
    checked: dict[int, RowVerdict] = field(default_factory=dict)
    accepted: dict[int, tuple[Suggestion, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of non-empty rows in the file."""
        return len(self.table.rows)

    @property
    def done(self) -> int:
        """Number of rows checked so far."""
        return len(self.checked)

    @property
    def complete(self) -> bool:
        """True when every row has been checked."""
        return self.done >= self.total

    def in_order(self) -> list[RowVerdict]:
        """The per-row verdicts so far, in the order of the file."""
        return [self.checked[row.number] for row in self.table.rows if row.number in self.checked]


def flag_defaults() -> dict[str, bool]:
    """Yes/no fields an import reads → their value when a cell is empty or unclear."""
    return {f.name: bool(f.default) for f in fields.ORGANISATION_FIELDS
            if f.type == fields.YES_NO and f.synonyms}


def read_flag(text: str, label: str, *, default: bool = False) -> tuple[bool | None, str]:
    """``ja/nee/x/1/true`` → bool; (None, remark) when not understood; (None, "") if empty."""
    try:
        return vocabulary.parse_yes_no(text), ""
    except ValueError:
        reading = "ja" if default else "nee"
        return None, (f"{label}: '{text}' niet begrepen (gebruik ja of nee); als '{reading}' "
                      "gelezen.")


_POSTCODE_IN_TEXT = re.compile(r"^\s*([1-9][0-9]{3}\s*[A-Za-z]{2})\b[\s,]*(.*)$")


def _split_postcode_place(values: dict[str, str]) -> tuple[str, str]:
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


def _sentence_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _new_sentences(message: str, said: Sequence[str]) -> list[str]:
    """Sentences of ``message`` that do not repeat something in ``said``."""
    known = [_sentence_key(s) for s in said]
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", message.strip()):
        key = _sentence_key(sentence)
        if key and not any(k.startswith(key) or key in k for k in known):
            out.append(sentence)
            known.append(key)
    return out


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


def _check_one(row: RawRow, geocoder: Geocoder, places: PlaceIndex,
               accepted: Sequence[Suggestion] = ()) -> RowVerdict:
    """Check and geocode one row (no duplicate or area checks yet).

    ``accepted`` are suggestions the user accepted for this row: their values replace
    the file's, and the notes keep the originals.
    """
    values = dict(row.values)
    name = values.get("naam", "").strip()
    remarks: list[str] = list(row.remarks)  # how the text was read (geo.intake.reading)
    postcode_text, place = _split_postcode_place(values)
    for suggestion in accepted:
        if suggestion.field == "postcode":
            postcode_text = suggestion.suggestion
        elif suggestion.field == "plaats":
            place = suggestion.suggestion
        else:
            values[suggestion.field] = suggestion.suggestion
    suggestions = row_suggestions(places, postcode=postcode_text, place=place,
                                  kind=values.get("soort", ""),
                                  skip={s.field for s in accepted})
    street = values.get("straat", "").strip()
    postcode = parse_postcode(postcode_text) if postcode_text else None
    if postcode is not None:
        values["postcode"] = str(postcode)
    elif postcode_text:
        values["postcode"] = postcode_text
    if place:
        values["plaats"] = place
    values["straat"] = street
    labels = fields.field_labels()
    for flag, default in flag_defaults().items():
        if flag in values:
            _, remark = read_flag(values[flag], labels[flag], default=default)
            if remark:
                remarks.append(remark)
    notes = [*contact_notes(values), *(s.accepted_note for s in accepted),
             *(s.reason for s in suggestions)]
    more = {"suggestions": suggestions, "accepted": tuple(accepted)}

    if not name:
        return RowVerdict(row.number, name, values, remarks=tuple(remarks), notes=tuple(notes),
                          problems=("Naam: ontbreekt; de rij wordt niet in het register "
                                    "opgenomen.",), skip="geen naam", **more)
    query = AddressQuery(street=street, postcode=postcode_text, place=place,
                         country=values.get("land", "").strip())
    problem = _address_problem(query, postcode_text, postcode)
    if problem:
        return RowVerdict(row.number, name, values, problems=(problem,), remarks=tuple(remarks),
                          notes=tuple(notes), **more)
    po_box = is_po_box(street)
    result = geocoder.geocode(replace(query, street="") if po_box else query)
    location = result.location
    if location is None:
        message = result.message or "het adres is niet gevonden."
        field_name = "Plaats" if not street and not postcode_text else "Adres"
        if not message.casefold().startswith(field_name.casefold()):
            message = f"{field_name}: {message}"
        return RowVerdict(row.number, name, values, source=result.source,
                          candidates=tuple(result.candidates),
                          problems=(f"{message} Niet geplaatst.",), remarks=tuple(remarks),
                          notes=tuple(notes), **more)
    if po_box:
        remarks.append(
            "Postbus: geplaatst op de postcode van de postbus, niet op het gebouw; "
            "vul zo mogelijk het bezoekadres in."
        )
    if location.precision == "plaats":
        remarks.append("Alleen op plaatsnaam geplaatst (kan kilometers afwijken).")
    if result.source == "offline" and location.precision == "postcode4":
        # Judged on its own merits: the postcode must lie in the place named. That PDOK
        # was unreachable is said once for the whole check (the page, the CLI).
        place_hint = next((s for s in suggestions if s.field == "plaats"), None)
        remark = places.mismatch(place, postcode_text, place_hint)
        if remark:
            remarks.append(remark)
    went_offline = result.source == "offline" and getattr(geocoder, "went_offline", False)
    given_up = tuple(_sentence_key(n) for n in (OFFLINE_NOTICE, UNUSABLE_NOTICE))
    for message in (result.message, location.note):
        notes.extend(
            s for s in _new_sentences(message, [*remarks, *notes])
            if not (went_offline and _sentence_key(s).startswith(given_up))
        )
    return RowVerdict(
        row.number, name, values, lat=location.lat, lon=location.lon,
        precision=location.precision, source=result.source, label=location.label,
        candidates=tuple(result.candidates), remarks=tuple(remarks), notes=tuple(notes),
        **more,
    )


def _with_areas(verdicts: list[RowVerdict], reference: Reference) -> list[RowVerdict]:
    """Add municipality, subregion and region; remark rows outside the five regions."""
    lon = np.array([v.lon if v.placed else np.nan for v in verdicts], dtype=float)
    lat = np.array([v.lat if v.placed else np.nan for v in verdicts], dtype=float)
    areas = assign_areas(lon, lat, reference) if verdicts else pd.DataFrame()
    out = []
    for i, verdict in enumerate(verdicts):
        if not verdict.placed:
            out.append(replace(verdict, areas={}))
            continue
        row = {k: (None if pd.isna(v) else v) for k, v in areas.iloc[i].to_dict().items()}
        remarks = verdict.remarks
        if not row.get("in_werkgebied"):
            where = row.get("gemeentenaam") or "buiten Nederland of op zee"
            remarks = (*remarks, f"Ligt buiten de vijf arbeidsmarktregio's ({where}).")
        out.append(replace(verdict, areas=row, remarks=remarks))
    return out


def finish_verdicts(
    verdicts: Iterable[RowVerdict],
    *,
    reference: Reference,
    existing: pd.DataFrame | None,
    kind: str = "partners",
) -> list[RowVerdict]:
    """Add areas, the outside-the-regions remark and duplicate checks to per-row verdicts.

    Parameters
    ----------
    verdicts : iterable of RowVerdict
        Per-row verdicts as stored in :attr:`ImportRun.checked`, in input order.
    reference : Reference
    existing : pandas.DataFrame or None
        The register (``Store.organisations()`` or ``Store.schools()``).
    kind : {"partners", "scholen"}

    Returns
    -------
    list of RowVerdict
        New verdicts; the input is not changed.
    """
    return mark_duplicates(_with_areas(list(verdicts), reference), existing, kind)


def check_rows(
    table: RawTable,
    *,
    geocoder: Geocoder,
    reference: Reference,
    existing: pd.DataFrame | None,
    kind: str = "partners",
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    run: ImportRun | None = None,
) -> list[RowVerdict]:
    """Give every non-empty row of ``table`` a verdict.

    Parameters
    ----------
    table : RawTable
        From :func:`geo.intake.reading.read_table`.
    geocoder : Geocoder
        Places the addresses (its cache and offline fallback apply).
    reference : Reference
        For the municipality, subregion and region of each location.
    existing : pandas.DataFrame or None
        The current register (``Store.organisations()`` for partners,
        ``Store.schools()`` for schools) to find organisations that are already known.
    kind : {"partners", "scholen"}
        What is being imported.
    progress : callable, optional
        Called as ``progress(done, total)`` after each row.
    should_stop : callable, optional
        Asked before each row; when it returns True the check stops and the verdicts of
        the rows done so far are returned.
    run : ImportRun, optional
        Keeps the per-row results between calls: rows already in ``run.checked`` are
        not checked again, new ones are stored as soon as they are done.

    Returns
    -------
    list of RowVerdict
        One verdict per checked row, in input order (all rows unless stopped).
    """
    if kind not in KINDS:
        raise ValueError(f"Onbekende soort import '{kind}'; kies uit {', '.join(KINDS)}.")
    if run is None:
        run = ImportRun(table, kind=kind)
    elif run.table is not table:
        raise ValueError("run belongs to another table")
    total = len(table.rows)
    places = place_index(reference)
    for row in table.rows:
        if row.number in run.checked:
            continue
        if should_stop is not None and should_stop():
            log.info("import check stopped after %d of %d rows", run.done, total)
            break
        run.checked[row.number] = _check_one(row, geocoder, places,
                                             run.accepted.get(row.number, ()))
        if progress is not None:
            progress(run.done, total)
    return finish_verdicts(run.in_order(), reference=reference, existing=existing, kind=kind)


def accept_suggestions(run: ImportRun, rows: Iterable[int] | None = None) -> int:
    """Accept the suggestions of ``rows`` (every row when None); returns how many.

    The rows' verdicts are dropped from ``run.checked``, so the next :func:`check_rows`
    with this run checks them again with the suggested values (and only them).
    """
    wanted = None if rows is None else set(rows)
    count = 0
    for number, verdict in list(run.checked.items()):
        if verdict.suggestions and (wanted is None or number in wanted):
            run.accepted[number] = (*run.accepted.get(number, ()), *verdict.suggestions)
            del run.checked[number]
            count += len(verdict.suggestions)
    return count


def count_statuses(verdicts: Iterable[RowVerdict]) -> dict[str, int]:
    """Number of rows per status, every status present (``{"ok": 3, ...}``)."""
    counts = dict.fromkeys(STATUSES, 0)
    for v in verdicts:
        counts[v.status] += 1
    return counts
