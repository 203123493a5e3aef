"""Offline location of postcodes and place names from the bundled CBS PC4 data.

This is the fallback when PDOK cannot be reached, and the way the bundled schools and
mbo places are placed. Every answer says how precise it is (:data:`PRECISIONS`).
"""

from __future__ import annotations

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


def representatives(pc4: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of PC4 areas: the PC4 point nearest to the population-weighted mean point.

    Always a point inside one of the group's postcode areas (never in a lake between
    them), close to where most people live; a group without inhabitants uses the plain
    mean. Computed for all groups at once (one pass of numpy over the table, not a loop
    over groups).

    Returns
    -------
    pandas.DataFrame
        One row per group in ``keys`` order (sorted, as ``groupby`` sorts): the keys,
        ``lat``, ``lon``, ``gemeentenaam`` (of the group's first area) and ``inwoners``.
    """
    lat = pc4["lat_pos"].to_numpy(dtype=float)
    lon = pc4["lon_pos"].to_numpy(dtype=float)
    people = pc4["inw_totaal_2021"].fillna(0).to_numpy(dtype=float)
    group = pc4.groupby(keys, sort=True).ngroup().to_numpy()
    n = int(group.max()) + 1 if len(group) else 0
    total = np.bincount(group, weights=people, minlength=n)
    weights = np.where(total[group] > 0, people, 1.0)
    weight_sum = np.bincount(group, weights=weights, minlength=n)
    mean_lat = np.bincount(group, weights=weights * lat, minlength=n) / weight_sum
    mean_lon = np.bincount(group, weights=weights * lon, minlength=n) / weight_sum
    scale = np.cos(np.radians(mean_lat))[group]
    distance = (lat - mean_lat[group]) ** 2 + ((lon - mean_lon[group]) * scale) ** 2
    # The first nearest point of each group, in table order (as argmin per group would).
    order = np.lexsort((np.arange(len(group)), distance, group))
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]] if n else order
    chosen = pc4.iloc[first]
    return pd.DataFrame({
        **{key: chosen[key].to_numpy() for key in keys},
        "lat": lat[first], "lon": lon[first],
        "gemeentenaam": pc4["gemeentenaam"].to_numpy()[np.unique(group, return_index=True)[1]],
        "inwoners": total,
    })


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
        named = representatives(pc4[pc4["plaats_certegis"] != ""],
                                ["plaats_certegis", "gemeentecode"])
        for row in named.itertuples(index=False):
            places.setdefault(place_key(row.plaats_certegis), []).append(
                _Place(row.plaats_certegis, row.gemeentecode, row.gemeentenaam, row.lat,
                       row.lon, float(row.inwoners), row.gemeentecode in region_codes))
        for row in representatives(pc4, ["gemeentecode"]).itertuples(index=False):
            key = place_key(row.gemeentenaam)
            if any(p.gemeentecode == row.gemeentecode for p in places.get(key, [])):
                continue
            places.setdefault(key, []).append(
                _Place(row.gemeentenaam, row.gemeentecode, row.gemeentenaam, row.lat, row.lon,
                       float(row.inwoners), row.gemeentecode in region_codes))
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
