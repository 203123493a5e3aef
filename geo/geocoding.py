"""Geocoders: the :class:`Geocoder` protocol and the offline implementation.

A geocoder turns an :class:`AddressQuery` (what a spreadsheet row says) into a
:class:`GeocodeResult` with an honest precision (see :data:`geo.gazetteer.PRECISIONS`).
The PDOK Locatieserver implementation lives beside this one and follows the same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from geo.addresses import parse_postcode
from geo.gazetteer import Gazetteer, Location


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

