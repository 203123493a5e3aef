"""Education places in the register: placing one at an address or by hand, finding one.

:class:`EducationPlaces` is the store's part that keeps them (``store.places``: read,
save with the permission check and history); the functions make the records that change
a place's location and say, in Dutch, how precise it is and where it came from. The
Beheer page (:mod:`geo.views.education`) and ``infrakaart mbo`` use the same functions,
so a place set on the page and one set on the command line are set alike.

Placing at an address (decision)
    :func:`address_update` asks PDOK, or the bundled postcodes and place names when
    offline placing is asked for (``--offline``, the Beheer toggle, or an offline
    installation). The place keeps what was found with its honest precision: ``adres``
    from PDOK, at best ``postcode4`` offline, and the note says so. When PDOK is down and
    online placing was asked for, nothing is changed and the message says how to place
    offline: one place moves the travel times of whole subregions, so it is not quietly
    moved to a postcode centre when the user meant its building. Nothing is changed
    either when the address cannot be placed at all, or the postcode is not Dutch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from geo import auth, education_places, fields, vocabulary
from geo.addresses import address_line, format_postcode, parse_postcode
from geo.errors import GeocoderError, StoreError
from geo.reference.gazetteer import precision_label
from geo.register._database import Database
from geo.register.schema import place_columns
from geo.register.writes import RowWriter

if TYPE_CHECKING:  # the store never geocodes: the geocoder loads only when a place is set
    from geo.intake.geocoding import Geocoder, GeocodeResult

#: Why nothing changed when PDOK could not place an address and offline was not asked for.
PDOK_DOWN = ("Niet geplaatst: PDOK is nu niet bereikbaar, er is niets gewijzigd. Probeer het "
             "later opnieuw, of plaats bewust offline op postcode of plaatsnaam "
             "('infrakaart mbo zet … --offline'; op Beheer: 'Offline plaatsen').")

#: What a place's note adds when it is not yet at its exact address.
NOT_EXACT_HINT = ("Nog niet op het exacte adres: zet het adres met PDOK (online) of kies de "
                  "plek op de kaart.")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def is_place_level(place: dict | pd.Series) -> bool:
    """True when a place is located by its place name only (or not at all)."""
    return str(place.get("nauwkeurigheid") or "geen") in (education_places.PLACE_LEVEL, "geen")


def is_destination(place: dict | pd.Series) -> bool:
    """True when a place counts in the travel analysis (active, a destination kind)."""
    return bool(place.get("actief")) and (
        str(place.get("soort")) in education_places.destination_kind_codes())


def places_table(places: pd.DataFrame) -> pd.DataFrame:
    """The places for people, with Dutch columns (lists on Beheer and the command line).

    Columns: Nr, Naam, Instelling, Soort, Adres, Nauwkeurigheid, Bron, Actief, Telt mee
    in reistijd.
    """
    rows = [{
        "Nr": int(p["id"]),
        "Naam": _text(p["naam"]),
        "Instelling": _text(p["instelling"]),
        "Soort": education_places.place_kind_label(p["soort"]),
        "Adres": address_line(p),
        "Nauwkeurigheid": precision_label(p["nauwkeurigheid"] or "geen"),
        "Bron": education_places.place_source_label(p["bron"]),
        "Actief": "ja" if p["actief"] else "nee",
        "Telt mee in reistijd": "ja" if is_destination(p) else "nee",
    } for p in places.to_dict("records")]
    return pd.DataFrame(rows, columns=["Nr", "Naam", "Instelling", "Soort", "Adres",
                                       "Nauwkeurigheid", "Bron", "Actief",
                                       "Telt mee in reistijd"])


def place_lines(places: pd.DataFrame) -> list[str]:
    """The places as lines of Dutch text for the terminal, one block per place.

    Each block names the place (number, name, institution, kind), its address, how precise
    its location is and where it came from, whether it counts in the travel time, and its
    note (a place-level place says so).
    """
    lines = []
    for p in places.to_dict("records"):
        kind = education_places.place_kind_label(p["soort"])
        head = f"{int(p['id'])}. {_text(p['naam'])}"
        if _text(p["instelling"]):
            head += f" — {_text(p['instelling'])}"
        lines.append(f"{head} ({kind}{'' if p['actief'] else ', niet actief'})")
        lines.append(f"   Adres: {address_line(p) or '(onbekend)'}"
                     + (f" · gemeente {_text(p['gemeentenaam'])}"
                        if _text(p["gemeentenaam"]) else ""))
        lines.append(f"   Nauwkeurigheid: {precision_label(p['nauwkeurigheid'] or 'geen')} · "
                     f"bron: {education_places.place_source_label(p['bron'])} · telt mee in "
                     f"reistijd: {'ja' if is_destination(p) else 'nee'}")
        if is_place_level(p):
            lines.append(f"   {education_places.PLACE_LEVEL_NOTE}")
        if _text(p["melding"]):
            lines.append(f"   Toelichting: {_text(p['melding'])}")
    return lines


def checked_postcode(postcode: object) -> str:
    """A typed postcode, formatted (``"1703 AB"``); "" when empty.

    Raises
    ------
    StoreError
        In Dutch, when the text is not a Dutch postcode.
    """
    text = _text(postcode)
    if text and parse_postcode(text) is None:
        raise StoreError(f"'{text}' is geen geldige Nederlandse postcode (bijvoorbeeld "
                         "1703 AB).")
    return format_postcode(text) if text else ""


def address_record(result: GeocodeResult, *, street: str, postcode: str,
                   place: str) -> dict:
    """The fields that place an education place at an address, from a geocoder's answer.

    Parameters
    ----------
    result : GeocodeResult
        What the geocoder found for the address.
    street, postcode, place : str
        The address as given (stored as the place's address).

    Returns
    -------
    dict
        ``straat``, ``postcode``, ``plaats``, ``lat``, ``lon``, ``nauwkeurigheid``,
        ``bron`` (``pdok`` or ``offline``) and ``melding`` (what was found, how precise,
        and what to do when it is not the exact address).

    Raises
    ------
    StoreError
        When nothing was found (the geocoder's reason is in the message).
    """
    found = result.location
    if found is None:
        reason = result.message or "Het adres is niet gevonden."
        raise StoreError(f"Niet geplaatst: {reason} Er is niets gewijzigd.")
    source = "pdok" if result.source == "pdok" else "offline"
    notes = [f"{education_places.place_source_label(source)}: {found.label} "
             f"({precision_label(found.precision)}).", result.message]
    if found.precision != "adres":
        notes.append(NOT_EXACT_HINT)
    return {
        "straat": _text(street), "postcode": postcode, "plaats": _text(place),
        "lat": float(found.lat), "lon": float(found.lon),
        "nauwkeurigheid": found.precision, "bron": source,
        "melding": " ".join(note for note in notes if note),
    }


def address_update(geocoder: Geocoder, *, street: object, postcode: object, place: object,
                   offline: bool) -> dict:
    """Geocode an address for an education place: :func:`address_record` of the answer.

    The postcode is checked first (:func:`checked_postcode`); at least a postcode or a
    place is needed.

    Parameters
    ----------
    geocoder : Geocoder
        PDOK with its offline fallback, or the offline geocoder.
    street, postcode, place : object
        The address as typed.
    offline : bool
        Whether placing offline (on postcode or place name) was asked for. When it was
        not and PDOK cannot answer, nothing is placed (see the module notes).

    Raises
    ------
    StoreError
        In Dutch, for an invalid or missing postcode and place, an address that cannot be
        placed, or PDOK down while online placing was asked for; the geocoder is not
        asked for an invalid postcode.
    """
    from geo.intake.geocoding import AddressQuery

    code = checked_postcode(postcode)
    street, town = _text(street), _text(place)
    if not code and not town:
        raise StoreError("Geef een postcode of een plaats op (met straat en huisnummer voor "
                         "een exacte plek).")
    try:
        result = geocoder.geocode(AddressQuery(street=street, postcode=code, place=town))
    except GeocoderError as err:  # a geocoder without an offline fallback
        raise StoreError(f"{PDOK_DOWN} ({err})") from err
    if not offline and result.source != "pdok":
        raise StoreError(" ".join(note for note in (PDOK_DOWN, result.message) if note))
    return address_record(result, street=street, postcode=code, place=town)


def manual_update(lat: float, lon: float, *, how: str) -> dict:
    """The fields that place an education place by hand (precision and source ``handmatig``).

    The note says how (``how``, e.g. "op de kaart gekozen"); who did it is in the history,
    not in the public note.
    """
    return {"lat": float(lat), "lon": float(lon), "nauwkeurigheid": "handmatig",
            "bron": "handmatig", "melding": f"Handmatig geplaatst ({how})."}


def find_place(places: pd.DataFrame, text: object) -> dict:
    """The one place ``text`` names: its number, its name, or a unique part of its name.

    Case, accents, punctuation and legal forms are ignored (:func:`geo.vocabulary.name_key`
    for the whole name, folded text for a part).

    Raises
    ------
    StoreError
        In Dutch when no place or more than one place matches.
    """
    wanted = _text(text)
    records = places.to_dict("records")
    if wanted.isdigit():
        hits = [p for p in records if int(p["id"]) == int(wanted)]
    else:
        key = vocabulary.name_key(wanted)
        hits = [p for p in records if vocabulary.name_key(p["naam"]) == key]
        if not hits and vocabulary.fold_text(wanted):
            part = vocabulary.fold_text(wanted)
            hits = [p for p in records if part in vocabulary.fold_text(p["naam"])]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise StoreError(f"Geen opleidingslocatie heet '{wanted}'.")
    names = "; ".join(f"{_text(p['naam'])} (nr {int(p['id'])})" for p in hits)
    raise StoreError(f"'{wanted}' past bij meer dan één opleidingslocatie: {names}. Geef de "
                     "volledige naam of het nummer.")


class EducationPlaces:
    """The education places of the register (table ``opleidingslocaties``).

    Reached as ``store.places`` (:class:`~geo.register.store.Store` is the one way in);
    writes go through the store's :class:`~geo.register.writes.RowWriter`, so each change
    is validated, versioned and written to the history like an organisation's.

    Parameters
    ----------
    database : Database
        The register's connection.
    rows : RowWriter
        The store's row writer.
    """

    def __init__(self, database: Database, rows: RowWriter) -> None:
        self._db = database
        self._rows = rows

    def all(self, *, active_only: bool = False) -> pd.DataFrame:
        """The places of every kind, by id: :data:`geo.register.schema.PLACE_COLUMNS`.

        Public data (no field is personal). ``actief`` is bool, ``lat``/``lon`` float (NaN
        when not placed); ``nauwkeurigheid`` and ``bron`` say how a place was located.
        """
        where = " WHERE actief = 1" if active_only else ""
        return self._db.frame(f"SELECT {', '.join(place_columns())} "
                              f"FROM opleidingslocaties{where} ORDER BY id")

    def destinations(self) -> pd.DataFrame:
        """The destinations of the travel analysis: the active places of a destination kind.

        Same columns as :meth:`all` (:func:`geo.education_places.destination_kind_codes`,
        today the mbo infra places). Indicators, score, "wat als", maps and the CLI read
        these through :meth:`~geo.register.store.Store.mbo_locations`.
        """
        places = self.all(active_only=True)
        chosen = places["soort"].isin(education_places.destination_kind_codes())
        return places[chosen].reset_index(drop=True)

    def get(self, place_id: int) -> dict:
        """One place as a dict; :class:`StoreError` (Dutch) when the id is unknown."""
        record = self._db.row(fields.EDUCATION_PLACES, int(place_id), place_columns())
        if record is None:
            raise StoreError(f"Opleidingslocatie {place_id} bestaat niet (meer).")
        return record

    def save(self, record: dict, *, user: str, role: str | None,
             expected_version: int | None = None) -> int:
        """Insert or update a place and record the change in the history.

        Parameters
        ----------
        record : dict
            Settable fields of :data:`geo.education_places.PLACE_FIELDS`; without ``"id"``
            a new place (``naam`` required), with ``"id"`` only the given fields change.
            Coordinates without a precision or source were placed by hand: both become
            ``handmatig``; a new place without a source is ``handmatig`` too.
        user : str
            Login name recorded in the history.
        role : str or None
            Only a role with ``geo.auth.can(role, "opleidingslocaties_beheren")`` may
            (else an :class:`~geo.errors.AuthError` and nothing saved).
        expected_version : int, optional
            The version the caller edited; another stored version raises
            :class:`~geo.errors.ConflictError`.

        Returns
        -------
        int
            The id of the place.
        """
        auth.require(role, "opleidingslocaties_beheren")
        if "lat" in record or "lon" in record:
            record = {"nauwkeurigheid": "handmatig", "bron": "handmatig", **record}
        elif record.get("id") is None:
            record = {"bron": "handmatig", **record}
        return self._rows.save(fields.EDUCATION_PLACES, record, user=user,
                               expected_version=expected_version)[0]
