"""Point → gemeente, subregio and arbeidsmarktregio; unit polygons at each level.

All spatial joins run in RD New. The CBS polygons are generalised, so a point a few
hundred metres beyond a coastline or boundary is snapped to the nearest municipality
within :data:`SNAP_TOLERANCE_M`; anything further away is outside every municipality.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.kept import Kept
from geo.reference.data import OUTSIDE, RD_NEW, WGS84, Division, Reference
from geo.reference.levels import LEVELS

#: Largest distance (m) over which a point is snapped to the nearest municipality.
SNAP_TOLERANCE_M = 750.0

#: :func:`unit_polygons` per level and division (the latest few).
_UNITS = Kept(12)

AREA_COLUMNS = [
    "gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code", "arbeidsmarktregio",
    "in_werkgebied",
]


def assign_areas(
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    reference: Reference,
    division: Division | None = None,
) -> pd.DataFrame:
    """Assign WGS84 points to municipality, subregion and labour-market region.

    Parameters
    ----------
    lon, lat : array-like of float
        Coordinates in WGS84; NaN for points without a location.
    reference : Reference
        The loaded reference layers.
    division : Division, optional
        Subregion division; the bundled proposal when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per input point, in input order, with the columns of
        :data:`AREA_COLUMNS`. Points in a neighbouring municipality keep its code and
        name but get ``"buiten werkgebied"`` as subregion and region; points outside
        every known municipality (the sea, far away) get no municipality at all.
    """
    division = division or reference.default_division
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.shape != lat.shape:
        raise ValueError("lon and lat must have the same length")
    n = len(lon)
    out = pd.DataFrame(
        {
            "gemeentecode": pd.Series([None] * n, dtype=object),
            "gemeentenaam": pd.Series([None] * n, dtype=object),
            "subregio": OUTSIDE,
            "arbeidsmarktregio_code": pd.Series([None] * n, dtype=object),
            "arbeidsmarktregio": OUTSIDE,
            "in_werkgebied": False,
        }
    )
    valid = np.isfinite(lon) & np.isfinite(lat)
    if not valid.any():
        return out
    points = gpd.GeoDataFrame(
        {"pos": np.flatnonzero(valid)},
        geometry=gpd.points_from_xy(lon[valid], lat[valid]),
        crs=WGS84,
    ).to_crs(RD_NEW)
    polygons = reference.gemeenten_rd
    hits = gpd.sjoin(points, polygons, how="left", predicate="within")
    hits = hits[~hits.index.duplicated(keep="first")]
    missing = hits["gemeentecode"].isna()
    if missing.any():
        near = gpd.sjoin_nearest(
            points.loc[missing], polygons, how="left", max_distance=SNAP_TOLERANCE_M
        )
        near = near[~near.index.duplicated(keep="first")]
        hits.loc[missing, ["gemeentecode", "gemeentenaam"]] = near[
            ["gemeentecode", "gemeentenaam"]
        ].to_numpy()
    pos = hits["pos"].to_numpy()
    out.loc[pos, "gemeentecode"] = hits["gemeentecode"].to_numpy()
    out.loc[pos, "gemeentenaam"] = hits["gemeentenaam"].to_numpy()

    region = reference.gemeenten.set_index("gemeentecode")
    sub = division.subregion_of()
    inside = out["gemeentecode"].isin(region.index)
    codes = out.loc[inside, "gemeentecode"]
    out.loc[inside, "subregio"] = codes.map(sub).to_numpy()
    out.loc[inside, "arbeidsmarktregio_code"] = codes.map(region["arbeidsmarktregio_code"])
    out.loc[inside, "arbeidsmarktregio"] = codes.map(region["arbeidsmarktregio"]).to_numpy()
    out.loc[inside, "in_werkgebied"] = True
    for column in ("gemeentecode", "gemeentenaam", "arbeidsmarktregio_code"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def gemeenten_with_division(
    reference: Reference, division: Division | None = None
) -> gpd.GeoDataFrame:
    """The 46 municipalities (WGS84) with a ``subregio`` column from ``division``."""
    division = division or reference.default_division
    gem = reference.gemeenten.copy()
    gem["subregio"] = gem["gemeentecode"].map(division.subregion_of())
    return gem


def unit_polygons(
    level: str, reference: Reference, division: Division | None = None
) -> gpd.GeoDataFrame:
    """Polygons of the units at one level, in WGS84.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    reference : Reference
    division : Division, optional

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``naam``, ``arbeidsmarktregio_code``, ``arbeidsmarktregio``,
        ``geometry``; one row per unit, sorted by code. A subregion's code is its name.
        Kept for the latest levels and divisions (dissolving the subregions is the slow
        part of a map); every call gets its own copy.
    """
    division = division or reference.default_division
    key = (level, division.name, tuple(division.table[["gemeentecode", "subregio"]]
                                       .itertuples(index=False, name=None)))
    found = _UNITS.get(key)
    if found is not None and found[0] is reference.gemeenten:
        return found[1].copy()
    units = _unit_polygons(level, reference, division)
    # The entry holds the reference layer it was made of, so no other reference can take
    # its identity while the entry lives.
    _UNITS.put(key, (reference.gemeenten, units))
    return units.copy()


def _unit_polygons(level: str, reference: Reference, division: Division) -> gpd.GeoDataFrame:
    gem = gemeenten_with_division(reference, division)
    if level == "gemeente":
        units = gem.rename(columns={"gemeentecode": "code", "gemeentenaam": "naam"})
    elif level == "subregio":
        rd = gem.to_crs(RD_NEW)
        units = rd.dissolve(by="subregio", as_index=False, aggfunc="first")
        # A subregion that spans two regions (user division) keeps the first one.
        units["geometry"] = units.buffer(0)
        units = units.to_crs(WGS84)
        units["code"] = units["subregio"]
        units["naam"] = units["subregio"]
    elif level == "arbeidsmarktregio":
        units = reference.regios.copy()
        units["code"] = units["arbeidsmarktregio_code"]
        units["naam"] = units["arbeidsmarktregio"]
    else:
        raise ValueError(f"Onbekend niveau '{level}'; kies uit {', '.join(LEVELS)}.")
    units = units[["code", "naam", "arbeidsmarktregio_code", "arbeidsmarktregio", "geometry"]]
    return gpd.GeoDataFrame(units, geometry="geometry", crs=WGS84).sort_values(
        "code"
    ).reset_index(drop=True)

