"""Proximity: nearest-k and radius queries between schools and partners.

All distances are straight lines in RD New (EPSG:28992, metres), computed for all sources
at once with :class:`geo.analysis.nearest_points.PointSet` (the answers of a
:class:`scipy.spatial.cKDTree`; scipy itself only for large questions). The low-level functions
(:func:`to_rd`, :func:`nearest`, :func:`within_radius`) work on coordinate arrays;
the domain functions (:func:`nearest_partners`, :func:`schools_near_partner`) work on
the frames of :class:`geo.register.store.Store` and return long tables;
:mod:`geo.output.call_lists` turns them into the lists people read. A radius always
includes a partner exactly at that distance.

Rows without a location (NaN ``lat``/``lon``) are never matched; the domain functions
skip them and report how many they skipped in ``frame.attrs`` (see
:data:`SKIPPED_SCHOOLS` and :data:`SKIPPED_PARTNERS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.analysis.nearest_points import PointSet
from geo.analysis.travel import StraightLineModel, as_xy
from geo.reference.data import RD_NEW, WGS84
from geo.settings import DEFAULTS

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: ``frame.attrs`` key: number of schools skipped because they have no location.
SKIPPED_SCHOOLS = "overgeslagen_scholen"
#: ``frame.attrs`` key: number of partners skipped because they have no location.
SKIPPED_PARTNERS = "overgeslagen_partners"
#: Key in ``DataFrame.attrs``: the travel mode (a key of ``MODES``) of ``reistijd_min``.
TRAVEL_MODE = "reiswijze"



# ---------------------------------------------------------------------------------------
# Low-level, array-based API (shared contract)
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _to_rd_transformer() -> Transformer:
    return Transformer.from_crs(WGS84, RD_NEW, always_xy=True)


def to_rd(lon: Iterable[float] | np.ndarray, lat: Iterable[float] | np.ndarray) -> np.ndarray:
    """Project WGS84 longitude/latitude to RD New metres.

    Parameters
    ----------
    lon, lat : array-like of float
        WGS84 coordinates of equal length; NaN (or None) for a missing location.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: columns x and y in metres (EPSG:28992). Rows whose input
        was missing or not finite are NaN.
    """
    lon = np.asarray(pd.to_numeric(pd.Series(np.asarray(lon, dtype=object).ravel()),
                                   errors="coerce"), dtype=float)
    lat = np.asarray(pd.to_numeric(pd.Series(np.asarray(lat, dtype=object).ravel()),
                                   errors="coerce"), dtype=float)
    if lon.shape != lat.shape:
        raise ValueError("lon and lat must have the same length")
    out = np.full((len(lon), 2), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        x, y = _to_rd_transformer().transform(lon[ok], lat[ok])
        out[ok, 0] = x
        out[ok, 1] = y
        out[~np.isfinite(out).all(axis=1)] = np.nan
    return out


def nearest(
    sources_xy: np.ndarray,
    targets_xy: np.ndarray,
    *,
    k: int,
    max_distance_m: float | None = None,
    tie_order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest targets of every source, in one vectorised query.

    Parameters
    ----------
    sources_xy, targets_xy : numpy.ndarray
        Shape ``(n, 2)`` in a projected CRS (RD New metres). Rows with NaN are
        ignored (a NaN source gets no neighbours; a NaN target is never returned).
    k : int
        Number of neighbours per source (at least 1).
    max_distance_m : float, optional
        Only targets at most this far away (inclusive).
    tie_order : numpy.ndarray, optional
        One integer per target; among targets at exactly the same distance the one
        with the lower value comes first. Defaults to the target's index, so the
        answer is deterministic also when the k-th and (k+1)-th target tie.

    Returns
    -------
    distances_m : numpy.ndarray
        Shape ``(n_sources, k)``, ascending per row; ``inf`` where fewer than ``k``
        targets qualify.
    indices : numpy.ndarray
        Shape ``(n_sources, k)``, integer positions into ``targets_xy``; ``-1`` where
        fewer than ``k`` targets qualify.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    sources = as_xy(sources_xy)
    targets = as_xy(targets_xy)
    n_src = len(sources)
    dist = np.full((n_src, k), np.inf)
    idx = np.full((n_src, k), -1, dtype=np.intp)
    t_ok = np.flatnonzero(np.isfinite(targets).all(axis=1))
    s_ok = np.flatnonzero(np.isfinite(sources).all(axis=1))
    if len(t_ok) == 0 or len(s_ok) == 0:
        return dist, idx
    order = np.arange(len(targets)) if tie_order is None else np.asarray(tie_order)
    if len(order) != len(targets):
        raise ValueError("tie_order must have one value per target")
    order = order[t_ok]
    tree = PointSet(targets[t_ok])
    n_tree = len(t_ok)
    # One neighbour more than asked reveals a tie across the k-th place.
    kq = min(k + 1, n_tree)
    bound = np.inf if max_distance_m is None else np.nextafter(float(max_distance_m), np.inf)
    d, i = tree.query(sources[s_ok], k=kq, distance_upper_bound=bound)
    d = np.asarray(d, dtype=float).reshape(len(s_ok), kq)
    i = np.asarray(i, dtype=np.intp).reshape(len(s_ok), kq)
    found = i < n_tree
    # Sort each row by (distance, tie order); missing neighbours last.
    tie = np.where(found, order[np.minimum(i, n_tree - 1)], np.iinfo(np.int64).max)
    perm = np.lexsort((tie, d), axis=-1)
    d = np.take_along_axis(d, perm, axis=-1)
    i = np.take_along_axis(i, perm, axis=-1)
    found = np.take_along_axis(found, perm, axis=-1)
    take = min(k, kq)
    # Rows where the (k+1)-th equals the k-th distance: resolve the tie exactly.
    if kq > k:
        boundary = found[:, k] & (d[:, k] == d[:, k - 1])
        for row in np.flatnonzero(boundary):
            cand = np.asarray(
                tree.query_ball_point(sources[s_ok[row]], r=d[row, k - 1] * (1 + 1e-9) + 1e-9),
                dtype=np.intp,
            )
            cd = np.hypot(*(tree.data[cand] - sources[s_ok[row]]).T)
            cperm = np.lexsort((order[cand], cd))[:k]
            d[row, :k] = cd[cperm]
            i[row, :k] = cand[cperm]
    d, i, found = d[:, :take], i[:, :take], found[:, :take]
    dist[s_ok, :take] = np.where(found, d, np.inf)
    idx[s_ok, :take] = np.where(found, t_ok[np.minimum(i, n_tree - 1)], -1)
    return dist, idx


def within_radius(sources_xy: np.ndarray, targets_xy: np.ndarray, radius_m: float) -> csr_matrix:
    """Which targets lie within ``radius_m`` (inclusive) of each source.

    Parameters
    ----------
    sources_xy, targets_xy : numpy.ndarray
        Shape ``(n, 2)`` in RD New metres; rows with NaN match nothing.
    radius_m : float
        The radius in metres.

    Returns
    -------
    scipy.sparse.csr_matrix
        Boolean, shape ``(n_sources, n_targets)``: entry ``(i, j)`` is True when
        target ``j`` is within the radius of source ``i``.
    """
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree

    sources = as_xy(sources_xy)
    targets = as_xy(targets_xy)
    shape = (len(sources), len(targets))
    t_ok = np.flatnonzero(np.isfinite(targets).all(axis=1))
    s_ok = np.isfinite(sources).all(axis=1)
    if len(t_ok) == 0 or not s_ok.any() or radius_m < 0:
        return csr_matrix(shape, dtype=bool)
    tree = cKDTree(targets[t_ok])
    queried = np.where(s_ok[:, None], sources, 0.0)
    hits = tree.query_ball_point(queried, r=float(radius_m), return_sorted=True)
    lengths = np.array([len(h) if ok else 0 for h, ok in zip(hits, s_ok, strict=True)])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    cols = [t_ok[np.asarray(h, dtype=np.intp)] for h, ok in zip(hits, s_ok, strict=True) if ok]
    indices = np.concatenate(cols) if cols else np.empty(0, dtype=np.intp)
    data = np.ones(len(indices), dtype=bool)
    return csr_matrix((data, indices, indptr), shape=shape)


# ---------------------------------------------------------------------------------------
# Domain API: schools and partners
# ---------------------------------------------------------------------------------------


def default_travel() -> StraightLineModel:
    """The travel model used when a caller has no preference (default settings)."""
    return StraightLineModel()


def travel_minutes(
    distance_km: np.ndarray,
    travel: Any = None,
    *,
    mode: str = DEFAULTS.nearby_mode,
    sources_xy: np.ndarray | None = None,
    targets_xy: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated travel time in minutes for pairs at straight-line ``distance_km``.

    Parameters
    ----------
    distance_km : numpy.ndarray
        Straight-line distances (RD New) in kilometres, one per pair.
    travel : optional
        ``None`` for :func:`default_travel`; a model with ``detour`` and
        ``minutes(km, mode=)`` such as :class:`geo.analysis.travel.StraightLineModel`; any other
        :class:`geo.analysis.travel.TravelModel` (needs ``sources_xy``/``targets_xy``, one row
        per pair); or a plain callable ``straight_km -> minutes``.
    mode : str
        Travel mode passed to the model (``"fiets"`` or ``"ov_auto"``).
    sources_xy, targets_xy : numpy.ndarray, optional
        RD New coordinates of each pair, for models that route between points.

    Returns
    -------
    numpy.ndarray
        Minutes, same shape as ``distance_km``.
    """
    km = np.asarray(distance_km, dtype=float)
    if travel is None:
        travel = default_travel()
    if hasattr(travel, "detour") and callable(getattr(travel, "minutes", None)):
        return np.asarray(travel.minutes(km * float(travel.detour), mode=mode), dtype=float)
    if callable(getattr(travel, "durations_min", None)):
        if sources_xy is None or targets_xy is None:
            raise ValueError("this travel model needs the coordinates of each pair")
        if callable(getattr(travel, "pair_durations_min", None)):  # one call for all pairs
            return np.asarray(travel.pair_durations_min(sources_xy, targets_xy, mode=mode),
                              dtype=float)
        return np.array([
            float(travel.durations_min(s[None, :], t[None, :], mode=mode)[0, 0])
            for s, t in zip(np.asarray(sources_xy), np.asarray(targets_xy), strict=True)
        ])
    if callable(travel):
        return np.asarray(travel(km), dtype=float)
    raise TypeError("travel must be a travel model or a callable")


def filter_partners(
    partners: pd.DataFrame,
    *,
    kinds: Iterable[str] | None = None,
    donor: bool | None = None,
    active: bool | None = None,
) -> pd.DataFrame:
    """Partners matching the filters; ``None`` means "do not filter on this".

    Parameters
    ----------
    partners : pandas.DataFrame
        Organisations as :meth:`geo.register.store.Store.organisations` returns them.
    kinds : iterable of str, optional
        Keep only these kinds (column ``soort``, one of ``geo.fields.kind_codes()``). An
        empty iterable keeps none.
    donor, active : bool, optional
        Keep only rows whose ``donateur`` or ``actief`` flag equals this value.

    Returns
    -------
    pandas.DataFrame
        A filtered copy, original order and index.
    """
    keep = pd.Series(True, index=partners.index)
    if kinds is not None:
        keep &= partners["soort"].isin(list(kinds))
    if donor is not None:
        keep &= partners["donateur"].fillna(False).astype(bool) == bool(donor)
    if active is not None:
        keep &= partners["actief"].fillna(False).astype(bool) == bool(active)
    return partners.loc[keep].copy()


def _located(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Rows with a usable location, their RD coordinates, and how many were skipped."""
    xy = to_rd(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    ok = np.isfinite(xy).all(axis=1)
    return frame.loc[ok].reset_index(drop=True), xy[ok], int((~ok).sum())


def _name_key(names: pd.Series) -> pd.Series:
    return names.fillna("").astype(str).str.casefold()


def _id_key(ids: pd.Series) -> pd.Series:
    """Ids as a sortable key: numbers numerically, anything else as text."""
    return ids if pd.api.types.is_numeric_dtype(ids) else ids.astype(str)


def _school_ids(schools: pd.DataFrame) -> pd.Series:
    for column in ("id", "vestigingscode"):
        if column in schools.columns:
            return schools[column]
    return pd.Series(schools.index, index=schools.index)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A plain DataFrame without a geometry column."""
    return pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))


def nearest_partners(
    schools: pd.DataFrame,
    partners: pd.DataFrame,
    *,
    k: int | None = 5,
    radius_km: float | None = None,
    travel: Any = None,
    travel_mode: str = DEFAULTS.nearby_mode,
    kinds: Iterable[str] | None = None,
    donor: bool | None = None,
    active: bool | None = None,
) -> pd.DataFrame:
    """The nearest partners of every school, as one long table.

    Parameters
    ----------
    schools : pandas.DataFrame
        Needs ``naam`` (or ``vestigingsnaam``), ``lat``, ``lon``; ``id`` or
        ``vestigingscode`` identifies a school. As :meth:`geo.register.store.Store.schools`.
    partners : pandas.DataFrame
        Needs ``naam``, ``lat``, ``lon`` and the filtered columns (``soort``,
        ``donateur``, ``actief``). As :meth:`geo.register.store.Store.organisations`; personal
        columns are passed through only when the input has them.
    k : int or None
        Number of partners per school; ``None`` for all within ``radius_km``.
    radius_km : float, optional
        Only partners within this straight-line distance (inclusive).
    travel : optional
        Travel model for ``reistijd_min``; see :func:`travel_minutes`.
    travel_mode : str
        ``"fiets"`` or ``"ov_auto"``; default ``DEFAULTS.nearby_mode``.
    kinds, donor, active : optional
        Filters, see :func:`filter_partners`.

    Returns
    -------
    pandas.DataFrame
        One row per (school, partner): ``school_id``, ``school_naam``, ``rang``
        (1 = nearest), ``partner_id``, the partner's columns, ``afstand_km`` and
        ``reistijd_min``; ordered by school (input order) and rang. Among partners at
        the same distance the name decides (then the id). Schools with no partner in
        reach have no rows. ``attrs`` holds :data:`SKIPPED_SCHOOLS` and
        :data:`SKIPPED_PARTNERS` (rows without a location) and :data:`TRAVEL_MODE`.
    """
    if k is None and radius_km is None:
        raise ValueError("give k, radius_km or both")
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    schools = _plain(schools)
    if "naam" not in schools.columns and "vestigingsnaam" in schools.columns:
        schools = schools.assign(naam=schools["vestigingsnaam"])
    schools = schools.assign(_school_id=_school_ids(schools))
    chosen = filter_partners(_plain(partners), kinds=kinds, donor=donor, active=active)
    located_schools, school_xy, skipped_s = _located(schools)
    located_partners, partner_xy, skipped_p = _located(chosen)

    # Ties are broken by name, then by id (stable and independent of input order).
    tie_keys = pd.DataFrame({
        "naam": _name_key(located_partners["naam"]),
        "id": _id_key(located_partners["id"]) if "id" in located_partners else 0,
    })
    tie_order = np.empty(len(located_partners), dtype=np.int64)
    tie_order[tie_keys.sort_values(["naam", "id"], kind="stable").index.to_numpy()] = np.arange(
        len(located_partners)
    )
    n_neighbours = max(min(k or len(located_partners), len(located_partners)), 1)
    max_m = None if radius_km is None else float(radius_km) * 1000.0
    dist, idx = nearest(
        school_xy, partner_xy, k=n_neighbours, max_distance_m=max_m, tie_order=tie_order
    )
    rows, ranks = np.nonzero(idx >= 0)
    partner_pos = idx[rows, ranks]
    km = dist[rows, ranks] / 1000.0

    partner_part = located_partners.iloc[partner_pos].reset_index(drop=True)
    partner_part = partner_part.rename(columns={"id": "partner_id"})
    result = pd.DataFrame({
        "school_id": located_schools["_school_id"].iloc[rows].to_numpy(),
        "school_naam": located_schools["naam"].iloc[rows].to_numpy(),
        "rang": ranks + 1,
    })
    if "vestigingscode" in located_schools.columns:
        result.insert(1, "school_vestigingscode",
                      located_schools["vestigingscode"].iloc[rows].to_numpy())
    partner_part = partner_part.drop(columns=[c for c in result.columns if c in partner_part])
    result = pd.concat([result, partner_part], axis=1)
    result["afstand_km"] = km
    result["reistijd_min"] = travel_minutes(
        km, travel, mode=travel_mode, sources_xy=school_xy[rows],
        targets_xy=partner_xy[partner_pos],
    )
    result.attrs[SKIPPED_SCHOOLS] = skipped_s
    result.attrs[SKIPPED_PARTNERS] = skipped_p
    result.attrs[TRAVEL_MODE] = travel_mode
    return result


def schools_near_partner(
    partner_row: pd.Series | dict,
    schools: pd.DataFrame,
    *,
    radius_km: float,
    travel: Any = None,
    travel_mode: str = DEFAULTS.nearby_mode,
    vmbo_only: bool = False,
) -> pd.DataFrame:
    """The schools within ``radius_km`` of one partner, vmbo schools first.

    Parameters
    ----------
    partner_row : pandas.Series or dict
        One organisation; needs ``lat`` and ``lon``.
    schools : pandas.DataFrame
        As for :func:`nearest_partners`; ``heeft_vmbo`` marks vmbo schools.
    radius_km : float
        Straight-line radius in km (inclusive).
    travel : optional
        Travel model for ``reistijd_min``; see :func:`travel_minutes`.
    travel_mode : str
        ``"fiets"`` or ``"ov_auto"``; default ``DEFAULTS.nearby_mode``.
    vmbo_only : bool
        Keep only schools with vmbo.

    Returns
    -------
    pandas.DataFrame
        The schools' columns plus ``rang``, ``afstand_km`` and ``reistijd_min``;
        sorted vmbo first, then by distance, then by name. Empty when the partner has
        no location or no school is in reach; ``attrs`` holds
        :data:`SKIPPED_SCHOOLS` and :data:`TRAVEL_MODE`.
    """
    schools = _plain(schools)
    if "naam" not in schools.columns and "vestigingsnaam" in schools.columns:
        schools = schools.assign(naam=schools["vestigingsnaam"])
    if "heeft_vmbo" not in schools.columns:
        schools = schools.assign(heeft_vmbo=False)
    if vmbo_only:
        schools = schools[schools["heeft_vmbo"].fillna(False).astype(bool)]
    located, school_xy, skipped = _located(schools)
    get = partner_row.get
    source = to_rd([get("lon")], [get("lat")])
    hits = within_radius(source, school_xy, float(radius_km) * 1000.0)
    pos = hits.indices if hits.shape[0] else np.empty(0, dtype=np.intp)
    result = located.iloc[pos].reset_index(drop=True)
    km = np.hypot(*(school_xy[pos] - source[0]).T) / 1000.0 if len(pos) else np.empty(0)
    result["afstand_km"] = km
    result["reistijd_min"] = travel_minutes(
        km, travel, mode=travel_mode, sources_xy=np.repeat(source, len(pos), axis=0),
        targets_xy=school_xy[pos],
    )
    result["_vmbo"] = ~result["heeft_vmbo"].fillna(False).astype(bool)
    result["_naam"] = _name_key(result["naam"])
    result = result.sort_values(["_vmbo", "afstand_km", "_naam"], kind="stable")
    result = result.drop(columns=["_vmbo", "_naam"]).reset_index(drop=True)
    result.insert(0, "rang", np.arange(1, len(result) + 1))
    result.attrs[SKIPPED_SCHOOLS] = skipped
    result.attrs[TRAVEL_MODE] = travel_mode
    return result
