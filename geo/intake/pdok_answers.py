"""PDOK's answers, judged: pure functions, tested on fixture JSON (no network).

:func:`validate_pdok_answer` says whether an answer has PDOK's documented shape (only such
answers are cached or trusted); :func:`judge_doc` compares one document with the input
(PDOK's relevance score is ignored on purpose); :func:`prepare_result` turns an answer into
a :class:`~geo.intake.geocoding.GeocodeResult` with an honest precision.
"""

from __future__ import annotations

import logging
import math
import re

from geo.addresses import format_postcode, is_po_box, parse_postcode, place_key, split_street
from geo.errors import GeocoderBadAnswer, GeocoderError
from geo.intake.geocoding import AddressQuery, GeocodeResult
from geo.reference.gazetteer import PRECISIONS, Location

logger = logging.getLogger(__name__)

#: Most alternatives offered in :attr:`GeocodeResult.candidates`.
MAX_CANDIDATES = 5

#: Precision a PDOK document has by itself, when a user picks it as a candidate.
_DOC_PRECISION = {"adres": "adres", "postcode": "postcode6", "weg": "postcode6"}

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_POINT_RE = re.compile(rf"^\s*POINT\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)\s*$", re.I)
# Characters with a meaning in Solr query syntax; removed from free-text queries.

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
    plaats = query.place.strip()
    place_eq = bool(plaats) and place_key(plaats) in {
        place_key(doc.get("woonplaatsnaam")), place_key(doc.get("gemeentenaam"))}

    if kind == "postcode":
        return ("postcode6", "") if pc6 and doc_pc == pc6 else None
    if kind == "woonplaats":
        return ("plaats", "") if place_eq else None
    if kind != "adres" or is_po_box(query.street):
        return None

    street = split_street(query.street)
    pc6_eq = bool(pc6) and doc_pc == pc6
    pc4_eq = postcode is not None and doc_pc[:4] == postcode.pc4
    street_eq = _same_street(street.name, doc.get("straatnaam"))
    if not (pc6_eq or (street_eq and (place_eq or pc4_eq))):
        return None

    label = _doc_label(doc)
    number = street.number
    if number is not None and _int_or_none(doc.get("huisnummer")) == number:
        wanted = _addition_key(street.addition)
        found = _addition_key(f"{doc.get('huisletter') or ''}"
                              f"{doc.get('huisnummertoevoeging') or ''}")
        if wanted and wanted != found:
            return ("postcode6", f"Toevoeging '{street.addition}' niet gevonden bij PDOK; "
                                 f"geplaatst op {label}.")
        notes = []
        if pc6 and not pc6_eq:
            notes.append(f"Postcode wijkt af: opgegeven {postcode}, volgens PDOK "
                         f"{format_postcode(doc_pc)}.")
        if street.name and not street_eq:
            notes.append(f"Straatnaam volgens PDOK: {doc.get('straatnaam')} "
                         f"(opgegeven: {street.name}).")
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


