"""Geocoders: the :class:`Geocoder` protocol, PDOK Locatieserver and offline.

A geocoder turns an :class:`AddressQuery` (what a spreadsheet row says) into a
:class:`GeocodeResult` with an honest precision (see :data:`geo.reference.gazetteer.PRECISIONS`).

* :class:`OfflineGeocoder` uses the bundled CBS PC4 points and place names only.
* :class:`~geo.intake.pdok.PdokGeocoder` asks PDOK Locatieserver v3_1 (see
  :mod:`geo.intake.pdok`): a structured lookup on postcode and house number first, then
  free text, then the postcode alone.
* :func:`make_geocoder` returns what the application should use: PDOK that falls back to
  offline by itself when PDOK cannot be reached or keeps giving unusable answers
  (:class:`FallbackGeocoder`), or offline.

A PDOK answer that is not of PDOK's documented shape is a geocoder fault, never a place
"found by PDOK".
"""


from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from geo.addresses import parse_postcode
from geo.errors import GeocoderBadAnswer, GeocoderError, GeocoderUnavailable
from geo.reference.gazetteer import Gazetteer, Location
from geo.settings import Settings

if TYPE_CHECKING:
    from geo.intake.pdok import PdokGeocoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddressQuery:
    """An address as given by a user: any field may be empty.

    Attributes
    ----------
    street : str
        Street line, possibly with number (``"Dorpsstraat 12a"``).
    postcode : str
        Postcode in any spacing or case.
    place : str
        Place name.
    country : str
        Country; empty means the Netherlands.
    """

    street: str = ""
    postcode: str = ""
    place: str = ""
    country: str = ""

    @property
    def is_dutch(self) -> bool:
        """True unless a country other than the Netherlands is given."""
        return not self.country or self.country.strip().casefold() in _DUTCH


#: How a country column names the Netherlands (casefolded), empty included.
_DUTCH = frozenset({"", "nl", "nederland", "netherlands", "the netherlands", "holland"})


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
        if query.place.strip():
            found = self.gazetteer.place(query.place)
            if found is not None:
                notes.append("Alleen op plaatsnaam geplaatst.")
                if found.note:
                    notes.append(found.note)
                return GeocodeResult(found, self.source, " ".join(notes))
            notes.append(f"Plaats '{query.place.strip()}' is onbekend.")
        if not notes:
            notes.append("Geen postcode of plaats opgegeven.")
        return GeocodeResult(None, self.source, " ".join(notes))

    def geocode_many(self, queries: Sequence[AddressQuery]) -> list[GeocodeResult]:
        """:meth:`geocode` of every query; the postcodes are looked up all at once."""
        from geo.intake.batch import place_offline

        return place_offline(self, queries)



# --------------------------------------------------------------------------------------
# PDOK Locatieserver v3_1
# --------------------------------------------------------------------------------------



def unique_notes(notes: list[str]) -> list[str]:
    """``notes`` without empty and repeated ones, in order."""
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

    def close(self) -> None:
        """Release PDOK's HTTP session and cache file (the offline part holds nothing)."""
        self.primary.close()

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
        message = " ".join(unique_notes([lead, result.message]))
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
        return offline_geocoder  # without loading the HTTP client at all
    from geo.intake.pdok import PdokGeocoder

    return FallbackGeocoder(PdokGeocoder(settings, gazetteer), offline_geocoder)
