"""Offline location of postcodes and place names from the bundled CBS PC4 data.

This is the fallback when PDOK cannot be reached, and the way the bundled schools and
mbo places are placed. Every answer says how precise it is (:data:`PRECISIONS`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.addresses import looks_like_postcode, parse_postcode, place_key
from geo.errors import AddressError
from geo.reference.data import Reference

#: Precision levels, best first. Stored in the database as these codes.
PRECISIONS = ("adres", "postcode6", "postcode4", "plaats", "handmatig", "geen")

#: Dutch explanation of each precision level, for people.
PRECISION_LABELS = {
    "adres": "adres (exact gebouw)",
    "postcode6": "postcode (straatdeel)",
    "postcode4": "postcodegebied (4 cijfers, vaak enkele honderden meters)",
    "plaats": "plaats (midden van de woonkern, kan kilometers afwijken)",
    "handmatig": "handmatig geplaatst",
    "geen": "niet geplaatst",
}


def precision_label(code: object) -> str:
    """The Dutch explanation of a precision code; an unknown code as it is."""
    return PRECISION_LABELS.get(str(code), str(code or "onbekend"))


@dataclass(frozen=True)
class Location:
    """A located point and how it was found.

    Attributes
    ----------
    lat, lon : float
        WGS84 coordinates.
    precision : str
        One of :data:`PRECISIONS`.
    label : str
        What was found, in Dutch, e.g. ``"1911 · Uitgeest"``.
    note : str
        A remark for the user (ambiguity, fallback), empty when none.
    """

    lat: float
    lon: float
    precision: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class _Place:
    name: str
    gemeentecode: str
    gemeentenaam: str
    lat: float
    lon: float
    inhabitants: float
    in_region: bool


def _representative(group: pd.DataFrame) -> tuple[float, float]:
    """The PC4 point of ``group`` nearest to its population-weighted mean point.

    Always a point inside one of the group's postcode areas (never in a lake between
    them), close to where most people live.
    """
    weights = group["inw_totaal_2021"].fillna(0).to_numpy(dtype=float)
    lat = group["lat_pos"].to_numpy(dtype=float)
    lon = group["lon_pos"].to_numpy(dtype=float)
    if weights.sum() <= 0:
        weights = np.ones_like(lat)
    mlat, mlon = np.average(lat, weights=weights), np.average(lon, weights=weights)
    scale = math.cos(math.radians(mlat))
    idx = int(np.argmin((lat - mlat) ** 2 + ((lon - mlon) * scale) ** 2))
    return float(lat[idx]), float(lon[idx])


class Gazetteer:
    """Index of the bundled PC4 points and place names.

    Parameters
    ----------
    reference : Reference
        The loaded reference data; its ``pc4`` table is indexed.
    """

    def __init__(self, reference: Reference) -> None:
        pc4 = reference.pc4
        region_codes = set(reference.gemeenten["gemeentecode"])
        self._pc4 = pc4.set_index("pc4")
        places: dict[str, list[_Place]] = {}
        for (plaats, code), group in pc4[pc4["plaats_certegis"] != ""].groupby(
            ["plaats_certegis", "gemeentecode"]
        ):
            lat, lon = _representative(group)
            places.setdefault(place_key(plaats), []).append(
                _Place(plaats, code, group["gemeentenaam"].iloc[0], lat, lon,
                       float(group["inw_totaal_2021"].sum()), code in region_codes)
            )
        for code, group in pc4.groupby("gemeentecode"):
            name = group["gemeentenaam"].iloc[0]
            key = place_key(name)
            if any(p.gemeentecode == code for p in places.get(key, [])):
                continue
            lat, lon = _representative(group)
            places.setdefault(key, []).append(
                _Place(name, code, name, lat, lon, float(group["inw_totaal_2021"].sum()),
                       code in region_codes)
            )
        for candidates in places.values():
            candidates.sort(key=lambda p: (not p.in_region, -p.inhabitants))
        self._places = places

    def postcode(self, text: object) -> Location | None:
        """Locate a postcode at PC4 level; None when the PC4 is unknown."""
        parsed = parse_postcode(text)
        if parsed is None or parsed.pc4 not in self._pc4.index:
            return None
        row = self._pc4.loc[parsed.pc4]
        note = ""
        if parsed.letters:
            note = "Alleen de vier cijfers van de postcode gebruikt (offline)."
        return Location(
            lat=float(row["lat_pos"]),
            lon=float(row["lon_pos"]),
            precision="postcode4",
            label=f"{parsed.pc4} · {row['plaats_certegis'] or row['gemeentenaam']}",
            note=note,
        )

    def place_candidates(self, name: object) -> list[_Place]:
        """All places called ``name`` (case-insensitive), best guess first."""
        return list(self._places.get(place_key(name), []))

    def place(self, name: object, *, gemeente: object = None) -> Location | None:
        """Locate a place (woonplaats) or municipality by name.

        Parameters
        ----------
        name : str
            ``"Heerhugowaard"``, ``"den hoorn"``, ``"Bergen (NH.)"``; exact names only,
            so ``"Hoorn"`` never matches ``"Den Hoorn"``.
        gemeente : str, optional
            Municipality name to choose between places with the same name.

        Returns
        -------
        Location or None
            At ``plaats`` precision; None when no place has that name. When several
            places share the name, the one in the five regions (then the largest) is
            chosen and the note says so.
        """
        candidates = self.place_candidates(name)
        if gemeente:
            wanted = place_key(gemeente)
            chosen = [c for c in candidates if place_key(c.gemeentenaam) == wanted]
            candidates = chosen or candidates
        if not candidates:
            return None
        best = candidates[0]
        note = ""
        if len(candidates) > 1:
            others = ", ".join(f"{c.name} ({c.gemeentenaam})" for c in candidates[1:4])
            note = (
                f"Meerdere plaatsen heten zo; gekozen is {best.name} ({best.gemeentenaam}). "
                f"Andere: {others}."
            )
        return Location(
            lat=best.lat,
            lon=best.lon,
            precision="plaats",
            label=f"{best.name} ({best.gemeentenaam})",
            note=note,
        )

    def locate(self, text: object) -> Location:
        """Locate free input: a postcode, or a place name with optional ``(gemeente)``.

        Raises
        ------
        AddressError
            With a Dutch message when the input cannot be placed.
        """
        raw = " ".join(str(text or "").split())
        if not raw:
            raise AddressError("Geef een postcode of plaatsnaam op.")
        if looks_like_postcode(raw):
            if parse_postcode(raw) is None:
                raise AddressError(f"'{raw}' is geen geldige Nederlandse postcode.")
            found = self.postcode(raw)
            if found is None:
                raise AddressError(f"Postcode '{raw}' bestaat niet in de postcodetabel (CBS).")
            return found
        hint = None
        match = re.match(r"^(.*?)\s*(?:\(([^()]+)\)|,\s*(.+))$", raw)
        if match and not self.place_candidates(raw):
            raw, hint = match.group(1), match.group(2) or match.group(3)
        found = self.place(raw, gemeente=hint)
        if found is None:
            raise AddressError(f"Plaats '{raw}' is onbekend; controleer de spelling.")
        return found
