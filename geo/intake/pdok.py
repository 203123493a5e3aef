"""PDOK Locatieserver v3_1: ask it (:class:`PdokGeocoder`), in the order that fits the input.

Fetching happens here, through the one network seam :class:`geo.intake._http.JsonClient`;
judging the answers is pure and lives in :mod:`geo.intake.pdok_answers`. Only an answer of
PDOK's documented shape (:func:`~geo.intake.pdok_answers.validate_pdok_answer`, checked
before caching and on every cache read) is trusted.
"""

from __future__ import annotations

import logging
import re

from geo.addresses import (
    Postcode,
    StreetAddress,
    is_po_box,
    parse_postcode,
    split_street,
)
from geo.intake._http import JsonClient
from geo.intake.geocoding import AddressQuery, GeocodeResult, unique_notes
from geo.intake.pdok_answers import MAX_CANDIDATES, prepare_result, validate_pdok_answer
from geo.reference.gazetteer import PRECISIONS, Gazetteer, Location
from geo.settings import Settings

logger = logging.getLogger(__name__)

#: Fields asked from PDOK (``fl``); v3_1 returns only these.
PDOK_FIELDS = (
    "id", "type", "weergavenaam", "straatnaam", "huisnummer", "huisletter",
    "huisnummertoevoeging", "huis_nlt", "postcode", "woonplaatsnaam", "gemeentenaam",
    "gemeentecode", "provincienaam", "provinciecode", "centroide_ll", "centroide_rd", "score",
)


_SOLR_SPECIAL_RE = re.compile(r'[+\-!(){}\[\]^"~*?:\\/&|]')

def _solr_text(text: str) -> str:
    """Free text safe for PDOK's ``q``: Solr syntax characters become spaces."""
    return " ".join(_SOLR_SPECIAL_RE.sub(" ", text).split())


def _rank(result: GeocodeResult | None) -> int:
    return PRECISIONS.index(result.precision) if result else PRECISIONS.index("geen")


class PdokGeocoder:
    """Geocode with PDOK Locatieserver v3_1, judging each answer against the input.

    Order of lookups, stopping as soon as nothing better can follow:

    1. structured: ``fq=type:adres``, ``fq=postcode:…``, ``fq=huisnummer:…``;
    2. free text: ``q=<straat huisnummer postcode plaats>``, ``fq=type:adres``;
    3. the postcode alone: ``fq=type:postcode``, ``fq=postcode:…``;
    4. offline: the PC4 area, then the place name (bundled CBS data).

    PO boxes skip 1–3 (a PO box has no building); foreign addresses are not placed.

    Parameters
    ----------
    settings : Settings
        ``pdok_url`` and the HTTP settings (see :class:`geo.intake._http.JsonClient`).
    gazetteer : Gazetteer
        Offline index for PC4 areas and place names.
    http : JsonClient, optional
        The HTTP seam; by default a client with the persistent cache.

    Notes
    -----
    :meth:`geocode` raises :class:`~geo.errors.GeocoderUnavailable` (and its subclasses)
    when PDOK cannot be reached, :class:`~geo.errors.GeocoderBadAnswer` when PDOK keeps
    answering something that is not its documented answer and
    :class:`~geo.errors.GeocoderError` when PDOK refuses a query; :func:`make_geocoder`
    wraps it so callers never see those.
    """

    source = "pdok"

    def __init__(self, settings: Settings, gazetteer: Gazetteer, *,
                 http: JsonClient | None = None) -> None:
        self.settings = settings
        self.gazetteer = gazetteer
        self.http = http if http is not None else JsonClient(settings)
        self.endpoint = settings.pdok_url.rstrip("/") + "/free"

    def _ask(self, query: AddressQuery, params: list[tuple[str, object]]) -> GeocodeResult:
        params = [*params, ("fl", ",".join(PDOK_FIELDS))]
        answer = self.http.get_json(self.endpoint, params, validate=validate_pdok_answer)
        return prepare_result(answer, query)

    def structured(self, query: AddressQuery, postcode: Postcode,
                   street: StreetAddress) -> GeocodeResult:
        """Step 1: look up postcode + house number (``fq`` filters only)."""
        return self._ask(query, [
            ("fq", "type:adres"), ("fq", f"postcode:{postcode.pc6}"),
            ("fq", f"huisnummer:{street.number}"), ("rows", 10),
        ])

    def free_text(self, query: AddressQuery, postcode: Postcode | None,
                  street: StreetAddress) -> GeocodeResult:
        """Step 2: free-text search on street, number, postcode and place."""
        number = f"{street.number}{street.addition}" if street.number else ""
        text = " ".join(p for p in (street.name, number,
                                    (postcode.pc6 or postcode.pc4) if postcode else "",
                                    query.place.strip()) if p)
        return self._ask(query, [("q", _solr_text(text)), ("fq", "type:adres"), ("rows", 10)])

    def postcode_only(self, query: AddressQuery, postcode: Postcode) -> GeocodeResult:
        """Step 3: the six-character postcode alone."""
        return self._ask(query, [("fq", "type:postcode"), ("fq", f"postcode:{postcode.pc6}"),
                                 ("rows", 5)])

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """Place ``query`` as precisely as the input and PDOK allow.

        Raises
        ------
        GeocoderUnavailable
            PDOK cannot be reached (no complete answer within the deadline, 429/5xx
            after retries, no connection).
        GeocoderBadAnswer
            PDOK answered HTTP 200 with something unusable, on every retry.
        GeocoderError
            PDOK refused the query (an HTTP 4xx other than 429).
        """
        if not query.is_dutch:
            return GeocodeResult(None, self.source, "Buitenlands adres: niet geplaatst.")
        postcode = parse_postcode(query.postcode)
        po_box = is_po_box(query.street)
        street = split_street(query.street)
        notes: list[str] = []
        if po_box:
            notes.append("Postbusadres: geplaatst op de postcode, niet op een gebouw.")
        elif query.street.strip() and street.number is None:
            notes.append("Geen huisnummer gevonden in het adres.")
        if query.postcode.strip() and postcode is None:
            notes.append(f"'{query.postcode.strip()}' is geen geldige Nederlandse postcode.")

        best: GeocodeResult | None = None
        candidates: list[Location] = []

        def consider(result: GeocodeResult) -> None:
            nonlocal best
            for c in result.candidates:
                if c not in candidates:
                    candidates.append(c)
            if result.location is not None and _rank(result) < _rank(best):
                if best is not None and best.location not in candidates:
                    candidates.insert(0, best.location)
                best = result
            elif result.location is not None and result.location not in candidates:
                candidates.append(result.location)

        has_number = not po_box and street.number is not None
        if has_number and postcode and postcode.pc6:
            consider(self.structured(query, postcode, street))
        if has_number and best is None and (postcode or query.place.strip()):
            consider(self.free_text(query, postcode, street))
        if (not po_box and postcode and postcode.pc6
                and _rank(best) > PRECISIONS.index("postcode6")):
            found = self.postcode_only(query, postcode)
            if found.location is not None and has_number:
                found = GeocodeResult(found.location, found.source,
                                      "Adres niet gevonden bij PDOK; geplaatst op de postcode.",
                                      found.candidates)
            consider(found)
        if best is None or _rank(best) > PRECISIONS.index("postcode4"):
            offline = self._offline(query, postcode, po_box=po_box)
            if offline.location is not None and _rank(offline) < _rank(best):
                if best is not None and best.location not in candidates:
                    candidates.insert(0, best.location)
                best = offline
            elif offline.message and best is None:
                notes.append(offline.message)
        chosen = best.location if best else None
        if best is not None and best.message:
            notes.append(best.message)
        others = tuple(c for c in candidates if c != chosen)[:MAX_CANDIDATES]
        if best is None and not notes:
            notes.append("Geen postcode of plaats opgegeven; niet geplaatst.")
        return GeocodeResult(chosen, best.source if best else self.source,
                             " ".join(unique_notes(notes)), others)

    def _offline(self, query: AddressQuery, postcode: Postcode | None, *,
                 po_box: bool) -> GeocodeResult:
        """Step 4: the PC4 area, then the place name, from the bundled data."""
        notes = []
        if postcode is not None:
            found = self.gazetteer.postcode(postcode.pc4)
            if found is not None:
                if postcode.pc6 and not po_box:
                    note = (f"Postcode {postcode} niet gevonden bij PDOK; "
                            "geplaatst op de vier cijfers.")
                elif postcode.pc6:
                    note = "Geplaatst op de vier cijfers van de postcode."
                else:
                    note = "Alleen de vier cijfers van de postcode bekend."
                return GeocodeResult(Location(found.lat, found.lon, found.precision,
                                              found.label, note), "offline", note)
            notes.append(f"Postcode {postcode} is onbekend.")
        if query.place.strip():
            found = self.gazetteer.place(query.place)
            if found is not None:
                note = " ".join(unique_notes(["Alleen op plaatsnaam geplaatst.", found.note]))
                return GeocodeResult(Location(found.lat, found.lon, found.precision,
                                              found.label, note), "offline", note)
            notes.append(f"Plaats '{query.place.strip()}' is onbekend.")
        return GeocodeResult(None, "offline", " ".join(notes))

    def close(self) -> None:
        """Release the HTTP session and the cache file."""
        self.http.close()




def check_pdok(settings: Settings, *, http: JsonClient | None = None) -> None:
    """Ask PDOK one small question, without the cache and without retries.

    For ``infrakaart status``: the answer must arrive within the deadline and have
    PDOK's documented shape.

    Raises
    ------
    GeocoderError
        With a Dutch message when PDOK cannot be reached or answers something else.
    """
    from dataclasses import replace

    client = http or JsonClient(replace(settings, pdok_retries=0), use_cache=False)
    try:
        client.get_json(settings.pdok_url.rstrip("/") + "/free",
                        [("q", "1012JS"), ("rows", 1), ("fl", ",".join(PDOK_FIELDS))],
                        validate=validate_pdok_answer)
    finally:
        if http is None:
            client.close()
