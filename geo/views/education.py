"""Beheer → Opleidingslocaties: the education places, their address and their history.

``pages/beheer.py`` shows this section as a tab; everything it decides is here, tested
with plain pytest, and done with the functions ``infrakaart mbo`` uses
(:mod:`geo.register.places`), so a place set on the page and one set on the command line
are set alike.

Saving a place (decision)
    One form holds the details (name, institution, kind, active) and the address. The
    place is placed again only when its address changed (or for a new place with an
    address); coordinates typed by hand win over the address. Placing goes first: when the
    address cannot be placed (or the postcode is invalid, or PDOK is down while the
    "offline" toggle is off) nothing is saved and the message says so. Everything else
    is one write, one version, history per changed field.
    Who may: ``geo.auth.can(role, "opleidingslocaties_beheren")`` (team and board); the
    store checks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from geo import auth, education_places
from geo.addresses import address_line
from geo.errors import AddressError, InfrakaartError
from geo.intake.geocoding import Geocoder
from geo.intake.records import parse_coordinates
from geo.reference.gazetteer import precision_label
from geo.register.places import (
    address_update,
    is_place_level,
    manual_update,
    places_table,
)
from geo.register.store import Store
from geo.text import md
from geo.views.beheer import Message, opened

#: Makes a geocoder: ``factory(offline=True)`` never contacts PDOK.
GeocoderFactory = Callable[..., Geocoder]

#: The choice in the place list that makes a new place.
NEW_PLACE = 0

#: The kinds of place to choose from, and their Dutch label.
KINDS = education_places.place_kind_codes()
kind_label = education_places.place_kind_label

#: The fields of the place form; the address is placed when one of them changed.
DETAIL_FIELDS = ("naam", "instelling", "soort", "actief")
ADDRESS_FIELDS = ("straat", "postcode", "plaats")

#: What the section says about itself.
INTRO = ("De opleidingslocaties op de kaart en in de analyse (reistijd naar mbo infra, witte "
         "vlekken, Wat als). Alleen actieve mbo-infralocaties tellen mee in de reistijd; "
         "andere soorten (zoals een opleidingscentrum of hbo) staan alleen op de kaart. "
         "Hetzelfde kan met `infrakaart mbo lijst` en `infrakaart mbo zet`.")


@dataclass(frozen=True)
class PlacesSection:
    """What the section shows.

    Attributes
    ----------
    table : pandas.DataFrame
        Every place with Dutch columns (:func:`geo.register.places.places_table`).
    choices : list of int
        The ids to choose from, :data:`NEW_PLACE` first.
    labels : dict
        id → label of the choice (name and precision).
    notice : str or None
        A warning (Markdown, escaped) when a destination is only placed by place name.
    may_edit : bool
        Whether the role may change places (else the form is read-only).
    """

    table: pd.DataFrame
    choices: list[int]
    labels: dict[int, str]
    notice: str | None
    may_edit: bool


def places_section(store: Store, *, role: str | None) -> PlacesSection:
    """The list of places, the choices of the form and the place-level warning."""
    places = store.places.all()
    labels = {NEW_PLACE: "(nieuwe opleidingslocatie)"}
    for p in places.to_dict("records"):
        labels[int(p["id"])] = f"{p['naam']} — {p['nauwkeurigheid']}"
    rough = [p["naam"] for p in store.mbo_locations().to_dict("records") if is_place_level(p)]
    notice = None
    if rough:
        notice = md(f"Nog alleen op plaatsniveau: {', '.join(rough)}. "
                    f"{education_places.PLACE_LEVEL_NOTE} Zet het adres hieronder; de "
                    "reistijden in de analyse worden dan nauwkeuriger.")
    return PlacesSection(places_table(places), list(labels), labels, notice,
                         auth.can(role, "opleidingslocaties_beheren"))


def current_place(store: Store, place_id: int) -> dict:
    """The stored place (empty values for :data:`NEW_PLACE`)."""
    if place_id == NEW_PLACE:
        return {"id": None, "naam": "", "instelling": "", "actief": True, "straat": "",
                "postcode": "", "plaats": "", "soort": education_places.DEFAULT_PLACE_KIND,
                "nauwkeurigheid": "geen", "bron": "", "melding": "", "versie": None}
    return store.places.get(place_id)


def place_summary(place: dict) -> str:
    """Markdown (escaped): the address, precision, source and note of a stored place."""
    if place.get("id") is None:
        return "Nieuwe opleidingslocatie: vul naam en adres in."
    lines = [f"**Adres:** {md(address_line(place) or '(onbekend)')}",
             f"**Nauwkeurigheid:** {md(precision_label(place['nauwkeurigheid']))} · "
             f"**Bron:** {md(education_places.place_source_label(place['bron']))}"]
    if is_place_level(place):
        lines.append(md(education_places.PLACE_LEVEL_NOTE))
    if place.get("melding"):
        lines.append(f"_{md(place['melding'])}_")
    return "  \n".join(lines)


def _changed(form: dict, current: dict, names: tuple[str, ...]) -> dict:
    return {k: form[k] for k in names
            if k in form and str(form[k] or "").strip() != str(current.get(k) or "").strip()}


def save_place(store: Store, form: dict, *, current: dict, coordinates: str,
               geocoder_factory: GeocoderFactory, offline: bool, user: str,
               role: str | None) -> Message:
    """Save the form of one place: details, and the address placed again when it changed.

    Parameters
    ----------
    form : dict
        ``naam``, ``instelling``, ``soort``, ``actief``, ``straat``, ``postcode``,
        ``plaats`` as typed.
    current : dict
        :func:`current_place` (``id`` None for a new place).
    coordinates : str
        ``"lat, lon"`` typed by hand, or empty; wins over the address.
    geocoder_factory, offline
        How to place the address (``offline=True`` never contacts PDOK).

    Returns
    -------
    Message
        Success (what was saved, with the precision in Dutch) or the Dutch reason nothing
        was saved.
    """
    if not auth.can(role, "opleidingslocaties_beheren"):
        return Message("error", "U mag de opleidingslocaties niet wijzigen.")
    record = _changed(form, current, DETAIL_FIELDS)
    address = _changed(form, current, ADDRESS_FIELDS)
    try:
        if coordinates.strip():
            lat, lon = parse_coordinates(coordinates)
            record.update({k: form.get(k, "") for k in ADDRESS_FIELDS},
                          **manual_update(lat, lon, how="coördinaten ingevoerd"))
        elif address or (current.get("id") is None and any(form.get(k) for k in
                                                           ADDRESS_FIELDS)):
            with opened(geocoder_factory, offline=offline) as geocoder:
                record.update(address_update(geocoder, street=form.get("straat"),
                                             postcode=form.get("postcode"),
                                             place=form.get("plaats"), offline=offline))
        if not record:
            return Message("info", "Niets gewijzigd.")
        if current.get("id") is not None:
            record["id"] = int(current["id"])
        place_id = store.places.save(record, user=user, role=role,
                                     expected_version=current.get("versie"))
    except (AddressError, InfrakaartError) as err:
        return Message("error", md(err))
    saved = store.places.get(place_id)
    text = (f"'{saved['naam']}' opgeslagen. Nauwkeurigheid: "
            f"{precision_label(saved['nauwkeurigheid'])}.")
    kind = "warning" if is_place_level(saved) or saved["nauwkeurigheid"] not in (
        "adres", "handmatig") else "success"
    return Message(kind, md(text))


def place_history(store: Store, place_id: int) -> pd.DataFrame:
    """The edit history of one place, newest first (no field of a place is personal)."""
    if place_id == NEW_PLACE:
        return pd.DataFrame()
    return store.history(place_id, table="opleidingslocaties")
