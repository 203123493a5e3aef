"""Beheer → Controleren: the review queue and what a person does with one organisation.

``pages/beheer.py`` shows the queue and one organisation at a time; everything it decides is
here, tested with plain pytest (``tests/test_views_review.py``).

How the queue flows (decision)
    The queue holds every organisation with a warning or an error, or without a precise
    location (:func:`geo.intake.records.review_queue`). A person handles one by choosing a PDOK
    candidate, typing coordinates, clicking the map, or confirming the location: each of these
    saves status ``ok``, and a location a person chose or confirmed gets precision
    ``handmatig``, so the organisation leaves the queue. The page then shows the *next*
    organisation of the queue (:func:`next_after`), on the same tab, so five organisations
    are reviewed without going back to the list; "Volgende" skips one without saving.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.errors import AddressError, InfrakaartError
from geo.intake.geocoding import AddressQuery
from geo.intake.records import REVIEW_PRECISIONS, parse_coordinates, review_queue
from geo.reference.gazetteer import Location, precision_label
from geo.register.store import Store
from geo.text import md
from geo.views.beheer import GeocoderFactory, Message, opened, organisation_label

#: What the queue's table shows (the rest of the row is for the page's choices).
QUEUE_TABLE_DROP = ["id", "versie", "lat", "lon"]

#: Shown when nothing needs a look.
EMPTY_QUEUE = ("Niets te controleren: elke organisatie is op adres of postcode geplaatst "
               "zonder waarschuwing, of door iemand gecontroleerd.")


@dataclass(frozen=True)
class ReviewQueue:
    """The organisations to review, in the order they are handled.

    Attributes
    ----------
    rows : pandas.DataFrame
        :func:`geo.intake.records.review_queue` (no personal data).
    ids : list of int
        The organisations' ids in queue order.
    labels : dict
        id → ``"Naam — Plaats (status)"`` for the select box.
    """

    rows: pd.DataFrame
    ids: list[int]
    labels: dict[int, str]

    @property
    def empty(self) -> bool:
        """True when nothing waits for a look."""
        return not self.ids

    def caption(self) -> str:
        """How many organisations wait, and what a person can do."""
        n = len(self.ids)
        what = "organisatie" if n == 1 else "organisaties"
        return (f"{n} {what} met een waarschuwing, een fout of een ruwe locatie (plaats of "
                "niet geplaatst). Kies een PDOK-kandidaat, typ coördinaten, klik op de kaart "
                "of bevestig de locatie; daarna volgt de volgende organisatie.")

    def table(self) -> pd.DataFrame:
        """The queue as the page's table shows it."""
        return self.rows.drop(columns=QUEUE_TABLE_DROP)

    def position(self, org_id: int) -> str:
        """``"Organisatie 2 van 7"`` for the one under review."""
        return f"Organisatie {self.ids.index(int(org_id)) + 1} van {len(self.ids)}"

    def record(self, org_id: int) -> dict:
        """The queue row of ``org_id`` as a dict."""
        return self.rows[self.rows["id"] == int(org_id)].iloc[0].to_dict()


def review_section(store: Store) -> ReviewQueue:
    """The review queue of the register, in order."""
    rows = review_queue(store.organisations())
    ids = [int(i) for i in rows["id"]]
    labels = {int(r["id"]): organisation_label(r) for r in rows.to_dict("records")}
    return ReviewQueue(rows=rows, ids=ids, labels=labels)


def next_after(ids: list[int], current: int) -> int | None:
    """The organisation after ``current`` in the queue (wrapping round), None if no other.

    Called before ``current`` is saved: after the save it leaves the queue and the page
    selects what this returns, so the person goes on where they were.
    """
    others = [i for i in ids if i != int(current)]
    if not others:
        return None
    if int(current) not in ids:
        return others[0]
    at = ids.index(int(current))
    later = [i for i in ids[at + 1:] if i != int(current)]
    return later[0] if later else others[0]


def precision_text(org: dict) -> str:
    """``"Nu: <precision>."`` for the organisation under review."""
    return f"Nu: {precision_label(org.get('nauwkeurigheid') or 'geen')}."


def find_candidates(org: dict, *, geocoder_factory: GeocoderFactory
                    ) -> tuple[list[Location], Message | None]:
    """PDOK's candidates for the address of ``org`` (a warning when there are none)."""
    with opened(geocoder_factory, offline=False) as geocoder:
        result = geocoder.geocode(AddressQuery(
            street=org.get("straat") or "", postcode=org.get("postcode") or "",
            place=org.get("plaats") or ""))
    found = list(result.candidates) or ([result.location] if result.location else [])
    warning = None if found else Message("warning",
                                         md(result.message or "Geen kandidaten gevonden."))
    return found, warning


def typed_location(text: str) -> tuple[tuple[float, float] | None, Message | None]:
    """Coordinates typed by the user, or the Dutch reason they cannot be used."""
    try:
        return parse_coordinates(text), None
    except AddressError as err:
        return None, Message("error", md(err))


def save_location(store: Store, org: dict, lat: float, lon: float, how: str, *,
                  user: str) -> Message:
    """Save a hand-picked location (precision ``handmatig``) and mark the row checked."""
    try:
        store.save_organisation(
            {"id": int(org["id"]), "lat": lat, "lon": lon, "nauwkeurigheid": "handmatig",
             "status": "ok", "melding": f"Handmatig geplaatst ({how}) door {user}."},
            user=user, expected_version=int(org["versie"]),
        )
    except InfrakaartError as err:
        return Message("error", md(err))
    return Message("success",
                   md(f"Locatie van '{org['naam']}' opgeslagen ({lat:.5f}, {lon:.5f})."))


def can_confirm(org: dict) -> bool:
    """Whether ``org`` has a location a person can confirm (not: not placed at all)."""
    return pd.notna(org.get("lat")) and pd.notna(org.get("lon"))


def mark_checked(store: Store, org: dict, *, user: str) -> Message:
    """Confirm the location of ``org``: status ok; a rough one becomes ``handmatig``.

    A place-level location that a person confirms is their choice from then on, like a
    point they clicked, so it leaves the queue. An organisation without a location cannot
    be confirmed: it needs a candidate, coordinates or a click first.
    """
    if not can_confirm(org):
        return Message("error", md(f"'{org['naam']}' heeft nog geen locatie: kies een "
                                   "kandidaat, typ coördinaten of klik op de kaart."))
    change = {"id": int(org["id"]), "status": "ok", "melding": f"Gecontroleerd door {user}."}
    if org.get("nauwkeurigheid") in REVIEW_PRECISIONS:
        change["nauwkeurigheid"] = "handmatig"
    try:
        store.save_organisation(change, user=user, expected_version=int(org["versie"]))
    except InfrakaartError as err:
        return Message("error", md(err))
    return Message("success", md(f"'{org['naam']}' gemarkeerd als gecontroleerd."))
