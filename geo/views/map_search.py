"""Searching a map for a place, and which focus a map looks at.

The pages with a map someone looks for a place on (Kaart, School koppelen, Beheer →
Controleren) put a search box above it. :func:`search_place` answers it:

* a postcode (``1703 AB`` or ``1703``) and a place or municipality name are found offline in
  the bundled CBS data (:class:`~geo.reference.gazetteer.Gazetteer`);
* a street address (``Bouwkade 12, Heerhugowaard``) goes to PDOK through the geocoder the
  page hands over (:func:`geo.intake.geocoding.make_geocoder`), which falls back to the
  offline data by itself and says so;
* anything else gets a Dutch message, and the map stays where it was.

Every answer says in Dutch what was found, where and how precisely
(:func:`~geo.reference.gazetteer.precision_label`). The searched text is never code: the
page shows it through :func:`geo.text.md`, the map gets it as data
(:mod:`geo.output.focus`).

A map can also be pointed at a row chosen in the table next to it. :func:`next_state`
decides what the map looks at: what the person did last, a search or a chosen row; the page
keeps the :class:`FocusState` of each map in its session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import folium

from geo.addresses import looks_like_postcode, parse_postcode
from geo.errors import AddressError
from geo.intake.geocoding import AddressQuery
from geo.output.focus import CHOSEN, SEARCHED, Focus, add_focus, zoom_for
from geo.reference.gazetteer import Gazetteer, Location, precision_label
from geo.text import md
from geo.views.beheer import GeocoderFactory, opened

#: The search box, as the pages show it.
SEARCH_LABEL = "Zoek een plaats, postcode of adres"
SEARCH_PLACEHOLDER = "bijv. Alkmaar, 1703 AB of Bouwkade 12, Heerhugowaard"
SEARCH_HELP = ("Druk op Enter: de kaart gaat naar de gevonden plek. Plaatsen en postcodes "
               "zoekt de kaart in de eigen CBS-gegevens; een adres met huisnummer online bij "
               "PDOK (zonder internet op postcode of plaats).")
#: Longer input is cut off (a place, postcode or address is never this long).
MAX_QUERY_CHARS = 120

#: What to type instead, after a search that found nothing.
_EXAMPLES = ("Typ een plaatsnaam (Alkmaar), een postcode (1703 AB of 1703) of een adres "
             "met plaats of postcode (Bouwkade 12, Heerhugowaard).")

#: A postcode inside longer text: four digits (not 0…), optionally a space, two letters.
_POSTCODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3} ?[A-Za-z]{2})(?![0-9A-Za-z])")

#: Where a location came from, for people.
_SOURCES = {"pdok": "bij PDOK", "offline": "offline, in de CBS-postcodegegevens"}

Search = Callable[[str], "PlaceSearch"]


def normalised(text: object) -> str:
    """The search text as it is looked up: whitespace folded, cut at the maximum length."""
    return " ".join(str(text or "").split())[:MAX_QUERY_CHARS].strip()


@dataclass(frozen=True)
class PlaceSearch:
    """The answer to one search.

    Attributes
    ----------
    query : str
        The text as searched (:func:`normalised`); empty when nothing was asked.
    location : Location or None
        What was found; None when nothing was.
    source : str
        ``"offline"`` or ``"pdok"``; empty when nothing was found.
    note : str
        The geocoder's or the gazetteer's Dutch remark (fallback, ambiguity), plain text.
    """

    query: str = ""
    location: Location | None = None
    source: str = ""
    note: str = ""

    @property
    def found(self) -> bool:
        """Whether a place was found."""
        return self.location is not None

    @property
    def message(self) -> str:
        """What was found and how precisely, or why nothing was (Markdown, values escaped)."""
        if not self.query:
            return ""
        note = f" {md(self.note)}" if self.note else ""
        if self.location is None:
            return f"Niets gevonden voor '{md(self.query)}'.{note} {_EXAMPLES}"
        where = _SOURCES.get(self.source, md(self.source))
        return (f"Gevonden {where}: **{md(self.location.label)}**. Nauwkeurigheid: "
                f"{md(precision_label(self.location.precision))}.{note}")

    @property
    def focus(self) -> Focus | None:
        """The found place as a map focus (a point labelled ``Gezocht: …``)."""
        if self.location is None:
            return None
        return Focus(self.location.lat, self.location.lon,
                     label=f"Gezocht: {self.location.label}",
                     zoom=zoom_for(self.location.precision), kind=SEARCHED)


def _place_at_end(text: str, gazetteer: Gazetteer) -> tuple[str, str]:
    """Split off the longest run of last words that is a known place.

    ``"Bouwkade 12 Den Helder"`` → ``("Bouwkade 12", "Den Helder")``; ``(text, "")`` when
    no run of last words is a place.
    """
    words = text.split()
    for start in range(len(words)):
        place = " ".join(words[start:])
        if gazetteer.place_candidates(place):
            return " ".join(words[:start]), place
    return text, ""


def address_query(text: str, gazetteer: Gazetteer) -> AddressQuery | None:
    """``text`` read as an address: street and number, postcode, place.

    ``"Bouwkade 12, 1703 AB Heerhugowaard"``, ``"Bouwkade 12 Heerhugowaard"`` and
    ``"1703AB Heerhugowaard"`` are understood; after a comma comes the place. None when
    neither a postcode nor a known place is in it (a geocoder could only guess).
    """
    postcode = ""
    match = _POSTCODE_IN_TEXT.search(text)
    if match and parse_postcode(match.group(1)) is not None:
        postcode = match.group(1)
        text = f"{text[:match.start()]} {text[match.end():]}"
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > 1:
        street, place = parts[0], " ".join(parts[1:])
    else:
        street, place = _place_at_end(parts[0] if parts else "", gazetteer)
    if not postcode and not place:
        return None
    return AddressQuery(street=street, postcode=postcode, place=place)


def search_place(text: object, *, gazetteer: Gazetteer,
                 geocoder_factory: GeocoderFactory) -> PlaceSearch:
    """Find what someone typed in a map's search box.

    Parameters
    ----------
    text : str
        A place or municipality (``Julianadorp``, ``Bergen (NH.)``), a postcode
        (``1703 AB``, ``1703``) or an address with place or postcode.
    gazetteer : Gazetteer
        The offline index; postcodes and places are found here, never online.
    geocoder_factory : callable
        ``factory(offline=False)`` gives the geocoder for an address (PDOK with its
        offline fallback); it is opened only for an address and closed afterwards.

    Returns
    -------
    PlaceSearch
        With a location, or with ``location`` None and the reason in its message.
    """
    query = normalised(text)
    if not query:
        return PlaceSearch()
    try:
        found = gazetteer.locate(query)
    except AddressError as err:
        if parse_postcode(query) is not None:  # a postcode, not in the CBS table
            return PlaceSearch(query, note=str(err))
        problem = str(err) if looks_like_postcode(query) else ""
    else:
        return PlaceSearch(query, found, "offline", found.note)
    address = address_query(query, gazetteer)
    if address is None:  # "0000": says it is no postcode
        return PlaceSearch(query, note=problem)
    with opened(geocoder_factory, offline=False) as geocoder:
        result = geocoder.geocode(address)
    return PlaceSearch(query, result.location, result.source if result.location else "",
                       result.message)


# --------------------------------------------------------------------------- the focus


@dataclass(frozen=True)
class FocusState:
    """What one map remembers between runs: plain data, kept in the session by the page.

    Attributes
    ----------
    search : PlaceSearch
        The answer to the text now in the search box.
    found : PlaceSearch or None
        The last search that found a place; kept when a later one finds nothing, so the
        map stays where it was.
    row : Focus or None
        The row chosen in the table next to the map.
    last : str
        What the person did last: :data:`~geo.output.focus.SEARCHED`,
        :data:`~geo.output.focus.CHOSEN`, or ``""`` (the map opens as it always does).
    """

    search: PlaceSearch = field(default_factory=PlaceSearch)
    found: PlaceSearch | None = None
    row: Focus | None = None
    last: str = ""

    @property
    def look_at(self) -> Focus | None:
        """Where the map looks: what was done last, else None (the map's own view)."""
        if self.last == SEARCHED and self.found is not None:
            return self.found.focus
        if self.last == CHOSEN:
            return self.row
        return None

    @property
    def message(self) -> str:
        """The search's Dutch message (Markdown); says when the map stays where it was."""
        text = self.search.message
        if text and not self.search.found and self.found is not None:
            text += " De kaart blijft bij de vorige gevonden plek."
        return text

    @property
    def message_kind(self) -> str:
        """``"success"`` for a found place, ``"warning"`` otherwise (a Streamlit call)."""
        return "success" if self.search.found else "warning"

    def apply(self, fmap: folium.Map) -> folium.Map:
        """Mark the found place and the chosen row on ``fmap`` and look at :attr:`look_at`."""
        look = self.look_at
        marks = [self.found.focus if self.found is not None else None, self.row]
        for focus in sorted((m for m in marks if m is not None), key=lambda m: m == look):
            add_focus(fmap, focus, look=focus == look)  # the one looked at last
        return fmap


def next_state(previous: FocusState | None, *, text: object, row: Focus | None,
               search: Search) -> FocusState:
    """The focus of a map after this run.

    Parameters
    ----------
    previous : FocusState or None
        The state after the previous run (None on the first).
    text : str
        The text in the search box now.
    row : Focus or None
        The focus of the row chosen in the table now (None: no row chosen).
    search : callable
        ``search(query) -> PlaceSearch``; called only when the text changed, so a rerun
        for another reason (a filter) asks nobody again.

    Returns
    -------
    FocusState
        A new search that found a place, or a newly chosen row, is what the map looks at;
        clearing the one it looked at hands the view back to the other, or to the map.
    """
    previous = previous or FocusState()
    query = normalised(text)
    changed = query != previous.search.query
    answer = (search(query) if query else PlaceSearch()) if changed else previous.search
    if not query:
        found = None
    else:
        found = answer if answer.found else previous.found
    last = previous.last
    if row is not None and row != previous.row:
        last = CHOSEN
    elif changed and answer.found:
        last = SEARCHED
    if last == CHOSEN and row is None:
        last = SEARCHED if found is not None else ""
    if last == SEARCHED and found is None:
        last = CHOSEN if row is not None else ""
    return FocusState(search=answer, found=found, row=row, last=last)
