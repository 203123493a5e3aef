"""Offline location of postcodes and place names from the bundled CBS PC4 data.

This is the fallback when PDOK cannot be reached, and the way the bundled schools and
mbo places are placed. Every answer says how precise it is (:data:`PRECISIONS`).
:class:`Gazetteer` builds the index from the reference tables (pandas); the lookups, the
precisions and :class:`Location` live in :mod:`geo.reference.place_index` (no pandas) and are
importable from here as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.addresses import place_key
from geo.reference.data import Reference
from geo.reference.place_index import (  # noqa: F401 (Location and the precisions: from here too)
    PRECISION_LABELS,
    PRECISIONS,
    Location,
    Place,
    PlaceIndex,
    Postcode4,
    precision_label,
)


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


class Gazetteer(PlaceIndex):
    """Index of the bundled PC4 points and place names (the lookups: :class:`PlaceIndex`).

    Parameters
    ----------
    reference : Reference
        The loaded reference data; its ``pc4`` table is indexed.
    """

    def __init__(self, reference: Reference) -> None:
        pc4 = reference.pc4
        region_codes = set(reference.gemeenten["gemeentecode"])
        labels = pc4["plaats_certegis"].where(pc4["plaats_certegis"] != "", pc4["gemeentenaam"])
        postcodes: dict[str, Postcode4] = {
            code: (float(lat), float(lon), str(label))
            for code, lat, lon, label in zip(pc4["pc4"], pc4["lat_pos"], pc4["lon_pos"], labels,
                                             strict=True)}
        places: dict[str, list[Place]] = {}
        named = representatives(pc4[pc4["plaats_certegis"] != ""],
                                ["plaats_certegis", "gemeentecode"])
        for row in named.itertuples(index=False):
            places.setdefault(place_key(row.plaats_certegis), []).append(
                Place(row.plaats_certegis, row.gemeentecode, row.gemeentenaam, row.lat,
                      row.lon, float(row.inwoners), row.gemeentecode in region_codes))
        for row in representatives(pc4, ["gemeentecode"]).itertuples(index=False):
            key = place_key(row.gemeentenaam)
            if any(p.gemeentecode == row.gemeentecode for p in places.get(key, [])):
                continue
            places.setdefault(key, []).append(
                Place(row.gemeentenaam, row.gemeentecode, row.gemeentenaam, row.lat, row.lon,
                      float(row.inwoners), row.gemeentecode in region_codes))
        for candidates in places.values():
            candidates.sort(key=lambda p: (not p.in_region, -p.inhabitants))
        super().__init__(postcodes, places)
        #: The same PC4 points as a table (index ``pc4``; ``lat``, ``lon``, ``name``), to
        #: look up the postcodes of many rows at once (:mod:`geo.intake.batch`).
        self.pc4_points = pd.DataFrame.from_dict(postcodes, orient="index",
                                                 columns=["lat", "lon", "name"])
