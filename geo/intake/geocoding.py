"""Geocoders: the :class:`Geocoder` protocol, PDOK Locatieserver and offline.

A geocoder turns an :class:`AddressQuery` (what a spreadsheet row says) into a
:class:`GeocodeResult` with an honest precision (see :data:`geo.reference.gazetteer.PRECISIONS`).

* :class:`OfflineGeocoder` uses the bundled CBS PC4 points and place names only.
* :class:`PdokGeocoder` asks PDOK Locatieserver v3_1: a structured lookup on postcode and
  house number first, then free text, then the postcode alone. Fetching
  (:meth:`PdokGeocoder.geocode`) and judging (:func:`prepare_result`, pure) are separate;
  the precision comes from comparing PDOK's answer with the input, never from PDOK's
  relevance score.
* :func:`make_geocoder` returns what the application should use: PDOK that falls back to
  offline by itself when PDOK cannot be reached or keeps giving unusable answers
  (:class:`FallbackGeocoder`), or offline.

Only an answer of PDOK's documented shape is trusted (:func:`validate_pdok_answer`,
checked by :mod:`geo.intake._http` before anything is cached and again on every cache read);
anything else is a geocoder fault, never a place "found by PDOK".
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from typing import Protocol

from geo.errors import GeocoderBadAnswer, GeocoderError, GeocoderUnavailable
from geo.intake._http import JsonClient
from geo.intake.addresses import (
    Postcode,
    StreetAddress,
    format_postcode,
    is_po_box,
    parse_postcode,
    place_key,
    split_street,
)
from geo.reference.gazetteer import PRECISIONS, Gazetteer, Location
from geo.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddressQuery:
    """An address as given by a user: any field may be empty.

    Attributes
    ----------
    straat : str
        Street line, possibly with number (``"Dorpsstraat 12a"``).
    postcode : str
        Postcode in any spacing or case.
    plaats : str
        Place name.
    land : str
        Country; empty means the Netherlands.
    """

    straat: str = ""
    postcode: str = ""
    plaats: str = ""
    land: str = ""

    @property
    def is_dutch(self) -> bool:
        """True unless a country other than the Netherlands is given."""
        return self.land.strip().casefold() in {"", "nl", "nederland", "netherlands",
                                                 "the netherlands", "holland"}


@dataclass(frozen=True)
class GeocodeResult:
    """The answer of a geocoder for one query.

    Attributes
    ----------
    location : Location or None
        None when the query could not be placed (precision ``geen``).
    source : str
        ``"pdok"`` or ``"offline"``.
    message : str
        Dutch remark for the user (fallback used, mismatch, ambiguity), or empty.
    candidates : tuple of Location
        Alternatives a user may pick from in the review list (PDOK only).
    """

    location: Location | None
    source: str
    message: str = ""
    candidates: tuple[Location, ...] = field(default_factory=tuple)

    @property
    def precision(self) -> str:
        """The precision code, ``"geen"`` when not placed."""
        return self.location.precision if self.location else "geen"


class Geocoder(Protocol):
    """Anything that can place an :class:`AddressQuery`."""

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """Place one query; never raises for an unplaceable address."""
        ...


class OfflineGeocoder:
    """Geocode with the bundled CBS PC4 points and place names only.

    Precision is at best ``postcode4``; without a usable postcode the place name is
    used (``plaats``). Always available, needs no network.

    Parameters
    ----------
    gazetteer : Gazetteer
        Index of the bundled postcode and place data.
    """

    source = "offline"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """Place ``query`` by postcode, else by place name."""
        if not query.is_dutch:
            return GeocodeResult(None, self.source, "Buitenlands adres: niet geplaatst.")
        notes = []
        postcode = parse_postcode(query.postcode)
        if postcode is not None:
            found = self.gazetteer.postcode(postcode.pc4)
            if found is not None:
                if postcode.letters:
                    notes.append("Offline geplaatst op de vier cijfers van de postcode.")
                return GeocodeResult(found, self.source, " ".join(notes))
            notes.append(f"Postcode {postcode} is onbekend.")
        elif query.postcode.strip():
            notes.append(f"'{query.postcode.strip()}' is geen geldige Nederlandse postcode.")
        if query.plaats.strip():
            found = self.gazetteer.place(query.plaats)
            if found is not None:
                notes.append("Alleen op plaatsnaam geplaatst.")
                if found.note:
                    notes.append(found.note)
                return GeocodeResult(found, self.source, " ".join(notes))
            notes.append(f"Plaats '{query.plaats.strip()}' is onbekend.")
        if not notes:
            notes.append("Geen postcode of plaats opgegeven.")
        return GeocodeResult(None, self.source, " ".join(notes))



# --------------------------------------------------------------------------------------
# PDOK Locatieserver v3_1
# --------------------------------------------------------------------------------------

#: Fields asked from PDOK (``fl``); v3_1 returns only these.
PDOK_FIELDS = (
    "id", "type", "weergavenaam", "straatnaam", "huisnummer", "huisletter",
    "huisnummertoevoeging", "huis_nlt", "postcode", "woonplaatsnaam", "gemeentenaam",
    "gemeentecode", "provincienaam", "provinciecode", "centroide_ll", "centroide_rd", "score",
)

#: Most alternatives offered in :attr:`GeocodeResult.candidates`.
MAX_CANDIDATES = 5

#: Precision a PDOK document has by itself, when a user picks it as a candidate.
_DOC_PRECISION = {"adres": "adres", "postcode": "postcode6", "weg": "postcode6"}

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_POINT_RE = re.compile(rf"^\s*POINT\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)\s*$", re.I)
# Characters with a meaning in Solr query syntax; removed from free-text queries.
_SOLR_SPECIAL_RE = re.compile(r'[+\-!(){}\[\]^"~*?:\\/&|]')


def parse_wkt_point(text: object) -> tuple[float, float]:
    """Read a WKT point such as PDOK's ``centroide_ll``.

    Parameters
    ----------
    text : str
        ``"POINT(4.7479077 52.3038972)"``. For ``centroide_ll`` the first number is the
        LONGITUDE and the second the latitude; for ``centroide_rd`` they are x and y.

    Returns
    -------
    tuple of float
        ``(x, y)`` in the order written, i.e. ``(lon, lat)`` for ``centroide_ll``.

    Raises
    ------
    GeocoderError
        When ``text`` is not a WKT point with two finite numbers.

    Examples
    --------
    >>> parse_wkt_point("POINT(4.7479077 52.3038972)")
    (4.7479077, 52.3038972)
    """
    match = _WKT_POINT_RE.match(str(text or ""))
    if not match:
        raise GeocoderError(f"PDOK gaf een onleesbaar punt: {str(text)[:60]!r}.")
    x, y = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GeocoderError(f"PDOK gaf een onleesbaar punt: {str(text)[:60]!r}.")
    return x, y


def _doc_point(doc: dict) -> tuple[float, float]:
    """``(lat, lon)`` of a PDOK document, checked to be a WGS84 position."""
    lon, lat = parse_wkt_point(doc.get("centroide_ll"))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GeocoderError(f"PDOK gaf een punt buiten de wereldkaart: {lon}, {lat}.")
    return lat, lon


def _doc_label(doc: dict) -> str:
    label = str(doc.get("weergavenaam") or "").strip()
    if label:
        return label
    parts = [str(doc.get(k) or "") for k in ("straatnaam", "huis_nlt", "postcode",
                                             "woonplaatsnaam")]
    return " ".join(p for p in parts if p) or str(doc.get("id") or "PDOK")


def _addition_key(text: object) -> str:
    """House letter + addition without spaces or separators: ``"a-1"`` → ``"A1"``."""
    return re.sub(r"[\s\-/._]", "", str(text or "")).upper()


def _street_key(text: object) -> str:
    """Street name for comparison: letters and digits only, ``str`` spelled out."""
    key = re.sub(r"[^0-9a-z]", "", place_key(text))
    return re.sub(r"str$", "straat", key)


def _same_street(given: str, found: object) -> bool:
    a, b = _street_key(given), _street_key(found)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def judge_doc(doc: dict, query: AddressQuery) -> tuple[str, str] | None:
    """Compare one PDOK document with the input: does it fit, and how precisely.

    Pure: no network. PDOK's relevance ``score`` is ignored on purpose.

    Parameters
    ----------
    doc : dict
        One element of PDOK's ``response.docs``.
    query : AddressQuery
        What the user gave.

    Returns
    -------
    tuple of (str, str) or None
        ``(precision, Dutch note)`` when the document fits the input; None when it
        belongs to another address, postcode or place.

    Notes
    -----
    An ``adres`` document fits when its postcode equals the given six-character
    postcode, or its street equals the given street in the given place (or PC4 area).
    It is then ``adres`` when the house number and any given letter/addition are equal;
    ``postcode6`` when only the letter/addition differs or when another number in the
    same postcode was found; ``plaats`` for another number in the same street elsewhere.
    A ``postcode`` document fits at ``postcode6`` when its postcode equals the input's;
    a ``woonplaats`` document at ``plaats`` when its name equals the given place.
    """
    kind = str(doc.get("type") or "")
    postcode = parse_postcode(query.postcode)
    pc6 = postcode.pc6 if postcode else None
    doc_pc = str(doc.get("postcode") or "").replace(" ", "").upper()
    plaats = query.plaats.strip()
    place_eq = bool(plaats) and place_key(plaats) in {
        place_key(doc.get("woonplaatsnaam")), place_key(doc.get("gemeentenaam"))}

    if kind == "postcode":
        return ("postcode6", "") if pc6 and doc_pc == pc6 else None
    if kind == "woonplaats":
        return ("plaats", "") if place_eq else None
    if kind != "adres" or is_po_box(query.straat):
        return None

    street = split_street(query.straat)
    pc6_eq = bool(pc6) and doc_pc == pc6
    pc4_eq = postcode is not None and doc_pc[:4] == postcode.pc4
    street_eq = _same_street(street.straat, doc.get("straatnaam"))
    if not (pc6_eq or (street_eq and (place_eq or pc4_eq))):
        return None

    label = _doc_label(doc)
    number = street.huisnummer
    if number is not None and _int_or_none(doc.get("huisnummer")) == number:
        wanted = _addition_key(street.toevoeging)
        found = _addition_key(f"{doc.get('huisletter') or ''}"
                              f"{doc.get('huisnummertoevoeging') or ''}")
        if wanted and wanted != found:
            return ("postcode6", f"Toevoeging '{street.toevoeging}' niet gevonden bij PDOK; "
                                 f"geplaatst op {label}.")
        notes = []
        if pc6 and not pc6_eq:
            notes.append(f"Postcode wijkt af: opgegeven {postcode}, volgens PDOK "
                         f"{format_postcode(doc_pc)}.")
        if street.straat and not street_eq:
            notes.append(f"Straatnaam volgens PDOK: {doc.get('straatnaam')} "
                         f"(opgegeven: {street.straat}).")
        if plaats and not place_eq:
            notes.append(f"Plaats volgens PDOK: {doc.get('woonplaatsnaam')} "
                         f"(opgegeven: {plaats}).")
        return ("adres", " ".join(notes))
    missing = (f"Huisnummer {number} niet gevonden bij PDOK" if number is not None
               else "Geen huisnummer opgegeven")
    if pc6_eq:
        return ("postcode6", f"{missing}; geplaatst bij {label} (zelfde postcode).")
    return ("plaats", f"{missing}; geplaatst bij {label} (zelfde straat).")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def validate_pdok_answer(answer: object) -> None:
    """Check that ``answer`` has the documented shape of a PDOK ``free`` answer.

    ``{"response": {"numFound": int, "start": int, "docs": [object, ...]}}`` (other keys,
    such as ``maxScore``, may be present). Passed to :meth:`geo.intake._http.JsonClient.get_json`
    as its ``validate``, so only such answers are cached or used; also checked by
    :func:`prepare_result`.

    Parameters
    ----------
    answer : object
        Decoded JSON.

    Raises
    ------
    GeocoderBadAnswer
        With a Dutch message naming what is wrong: not an object, an ``error`` member
        (Solr's error shape), no ``response`` object, ``numFound``/``start`` not
        counts, ``docs`` not a list of objects.
    """
    lead = "PDOK gaf een onbruikbaar antwoord"
    if not isinstance(answer, dict):
        raise GeocoderBadAnswer(f"{lead}: geen JSON-object.")
    if answer.get("error"):
        raise GeocoderBadAnswer(f"{lead}: een foutmelding in plaats van resultaten.")
    response = answer.get("response")
    if not isinstance(response, dict):
        raise GeocoderBadAnswer(f"{lead}: 'response' ontbreekt.")
    for name in ("numFound", "start"):
        if not _is_count(response.get(name)):
            raise GeocoderBadAnswer(f"{lead}: '{name}' ontbreekt of is geen aantal.")
    docs = response.get("docs")
    if not isinstance(docs, list):
        raise GeocoderBadAnswer(f"{lead}: 'docs' ontbreekt of is geen lijst.")
    if not all(isinstance(doc, dict) for doc in docs):
        raise GeocoderBadAnswer(f"{lead}: 'docs' bevat iets anders dan resultaten.")


def _answer_docs(answer: object) -> list[dict]:
    """The ``response.docs`` list of a PDOK answer, checked for shape."""
    validate_pdok_answer(answer)
    return answer["response"]["docs"]  # type: ignore[index]


def _candidate(doc: dict) -> Location | None:
    try:
        lat, lon = _doc_point(doc)
    except GeocoderError:
        return None
    precision = _DOC_PRECISION.get(str(doc.get("type") or ""), "plaats")
    return Location(lat=lat, lon=lon, precision=precision, label=_doc_label(doc))


def prepare_result(answer: dict, query: AddressQuery) -> GeocodeResult:
    """Turn one PDOK ``free`` answer and the query into a :class:`GeocodeResult`.

    Pure (the transform half of fetch/transform): tested on fixture JSON.

    Parameters
    ----------
    answer : dict
        PDOK's JSON: ``{"response": {"numFound", "start", "maxScore", "docs": [...]}}``.
    query : AddressQuery
        The input the answer is judged against (see :func:`judge_doc`).

    Returns
    -------
    GeocodeResult
        The best fitting document (best precision, then PDOK's order) as location with
        its note as message; the other documents, fitting ones first, as up to
        :data:`MAX_CANDIDATES` candidates. Location None when no document fits.

    Raises
    ------
    GeocoderBadAnswer
        When ``answer`` does not have PDOK's response shape (see
        :func:`validate_pdok_answer`).
    """
    docs = _answer_docs(answer)
    fitting: list[tuple[int, int, str, dict]] = []
    for order, doc in enumerate(docs):
        verdict = judge_doc(doc, query)
        if verdict is None:
            continue
        try:
            _doc_point(doc)
        except GeocoderError as err:
            logger.warning("PDOK doc %s skipped: %s", doc.get("id"), err)
            continue
        precision, note = verdict
        fitting.append((PRECISIONS.index(precision), order, note, doc))
    fitting.sort(key=lambda item: (item[0], item[1]))
    chosen_doc: dict | None = None
    location: Location | None = None
    message = ""
    if fitting:
        rank, _, message, chosen_doc = fitting[0]
        lat, lon = _doc_point(chosen_doc)
        location = Location(lat=lat, lon=lon, precision=PRECISIONS[rank],
                            label=_doc_label(chosen_doc), note=message)
    elif docs:
        message = "PDOK vond niets dat bij de invoer past."
    ordered = [item[3] for item in fitting[1:]]
    ordered += [d for d in docs if d is not chosen_doc and not any(d is o for o in ordered)]
    candidates: list[Location] = []
    for doc in ordered:
        found = _candidate(doc)
        if found is not None and found not in candidates:
            candidates.append(found)
        if len(candidates) == MAX_CANDIDATES:
            break
    return GeocodeResult(location, "pdok", message, tuple(candidates))


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
            ("fq", f"huisnummer:{street.huisnummer}"), ("rows", 10),
        ])

    def free_text(self, query: AddressQuery, postcode: Postcode | None,
                  street: StreetAddress) -> GeocodeResult:
        """Step 2: free-text search on street, number, postcode and place."""
        number = f"{street.huisnummer}{street.toevoeging}" if street.huisnummer else ""
        text = " ".join(p for p in (street.straat, number,
                                    (postcode.pc6 or postcode.pc4) if postcode else "",
                                    query.plaats.strip()) if p)
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
        po_box = is_po_box(query.straat)
        street = split_street(query.straat)
        notes: list[str] = []
        if po_box:
            notes.append("Postbusadres: geplaatst op de postcode, niet op een gebouw.")
        elif query.straat.strip() and street.huisnummer is None:
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

        has_number = not po_box and street.huisnummer is not None
        if has_number and postcode and postcode.pc6:
            consider(self.structured(query, postcode, street))
        if has_number and best is None and (postcode or query.plaats.strip()):
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
                             " ".join(_unique(notes)), others)

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
        if query.plaats.strip():
            found = self.gazetteer.place(query.plaats)
            if found is not None:
                note = " ".join(_unique(["Alleen op plaatsnaam geplaatst.", found.note]))
                return GeocodeResult(Location(found.lat, found.lon, found.precision,
                                              found.label, note), "offline", note)
            notes.append(f"Plaats '{query.plaats.strip()}' is onbekend.")
        return GeocodeResult(None, "offline", " ".join(notes))

    def close(self) -> None:
        """Release the HTTP session and the cache file."""
        self.http.close()


def _unique(notes: list[str]) -> list[str]:
    seen: list[str] = []
    for note in notes:
        if note and note not in seen:
            seen.append(note)
    return seen


#: Message prefix when PDOK could not be reached and the offline data were used.
OFFLINE_NOTICE = "PDOK onbereikbaar"

#: Message prefix when PDOK's answers were unusable and the offline data were used.
UNUSABLE_NOTICE = "PDOK gaf een onbruikbaar antwoord"

#: Message prefix when PDOK refused one query and the offline data were used for it.
REFUSED_NOTICE = "PDOK weigerde deze zoekvraag"


class FallbackGeocoder:
    """PDOK first; the offline geocoder when PDOK cannot be reached or cannot be trusted.

    PDOK is given up on for the rest of this geocoder's life (one run, one import) after
    the first query that fails, after the client's retries, with

    * :class:`~geo.errors.GeocoderUnavailable` (no connection, no complete answer within
      the deadline, 429/5xx), or
    * :class:`~geo.errors.GeocoderBadAnswer` (HTTP 200 with something that is not
      PDOK's documented answer: a web page, an array, ``{"error": …}``, an empty or too
      large body). The real PDOK never answers like that; when every retry does,
      something between us and PDOK (a proxy, a captive portal, a wrong
      ``INFRAKAART_PDOK_URL``) is broken for all queries alike, so asking again for
      every row would only cost retries and time.

    So a broken PDOK costs the retries of one query, not of every row. A refusal of one
    query (another :class:`~geo.errors.GeocoderError`, an HTTP 4xx) places that query
    offline but stays online. Every row placed offline says why in its message; none is
    ever reported as placed by PDOK.

    Parameters
    ----------
    primary : PdokGeocoder
        The online geocoder.
    fallback : OfflineGeocoder
        Used when PDOK fails.

    Attributes
    ----------
    went_offline : bool
        True once PDOK was given up on; the UI/CLI should say so.
    offline_reason : str
        Dutch reason PDOK was given up on (the error's message), empty while online.
    """

    def __init__(self, primary: PdokGeocoder, fallback: OfflineGeocoder) -> None:
        self.primary = primary
        self.fallback = fallback
        self.went_offline = False
        self.offline_reason = ""
        self._notice = OFFLINE_NOTICE

    @property
    def source(self) -> str:
        """``"offline"`` once PDOK was given up on, else ``"pdok"``."""
        return "offline" if self.went_offline else "pdok"

    def geocode(self, query: AddressQuery) -> GeocodeResult:
        """Place ``query`` with PDOK, or offline when PDOK fails (see the class notes)."""
        if not self.went_offline:
            try:
                return self.primary.geocode(query)
            except GeocoderUnavailable as err:
                self._give_up(err, OFFLINE_NOTICE)
                logger.warning("PDOK unreachable (%s); geocoding offline for the rest of "
                               "this run", type(err).__name__)
            except GeocoderBadAnswer as err:
                self._give_up(err, UNUSABLE_NOTICE)
                logger.warning("PDOK answers unusable (%s); geocoding offline for the rest "
                               "of this run", type(err).__name__)
            except GeocoderError as err:
                logger.warning("PDOK refused a query (%s); this query geocoded offline",
                               type(err).__name__)
                return self._offline(query, REFUSED_NOTICE)
        return self._offline(query, self._notice)

    def _give_up(self, err: GeocoderError, notice: str) -> None:
        self.went_offline = True
        self.offline_reason = str(err)
        self._notice = notice

    def _offline(self, query: AddressQuery, reason: str) -> GeocodeResult:
        result = self.fallback.geocode(query)
        if result.precision == "postcode4":
            lead = f"{reason}; offline geplaatst op postcode."
        elif result.precision == "plaats":
            lead = f"{reason}; offline geplaatst op plaatsnaam."
        else:
            lead = f"{reason}; offline niet te plaatsen."
        message = " ".join(_unique([lead, result.message]))
        return GeocodeResult(result.location, result.source, message, result.candidates)


def make_geocoder(settings: Settings, gazetteer: Gazetteer, *,
                  offline: bool = False) -> Geocoder:
    """The geocoder the application should use. Cheap: nothing is contacted or opened.

    Parameters
    ----------
    settings : Settings
        PDOK and HTTP settings; ``settings.offline`` forces offline mode.
    gazetteer : Gazetteer
        Offline index of the bundled postcode and place data.
    offline : bool
        Chosen offline mode (e.g. ``--offline``): never contact PDOK.

    Returns
    -------
    Geocoder
        :class:`OfflineGeocoder` when offline is chosen, else a
        :class:`FallbackGeocoder` (PDOK, automatically offline when PDOK is unreachable
        or its answers are unusable; check its ``went_offline``).
    """
    offline_geocoder = OfflineGeocoder(gazetteer)
    if offline or settings.offline:
        return offline_geocoder
    return FallbackGeocoder(PdokGeocoder(settings, gazetteer), offline_geocoder)
