"""Partner access per young person with distance decay, and figures per postcode area.

:func:`two_step_fca` is the two-step floating catchment area method (2SFCA, Luo & Wang
2003) with a Gaussian distance decay (Dai 2010): every partner's capacity is shared by the
young people within its catchment, nearer ones weighing more, and every postcode area adds
up the shares of the partners within its reach. A partner thus counts for the young people
around it, wherever the municipal border runs, and one partner in a small municipality is
shared with its neighbours instead of turning the municipality from "none" into "many".

The PySAL ``access`` package implements the same measure; this small numpy version has no
extra dependencies and is fast enough for every partner against every PC4 area. Distances
are straight lines in RD New metres (EPSG:28992).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.analysis.names import share_column
from geo.settings import DEFAULTS

#: Young people per this many is how access is shown ("partners per 10.000 jongeren").
PER_YOUNG_PEOPLE = 10_000.0


def gaussian_decay(distance_m: np.ndarray, catchment_m: float) -> np.ndarray:
    """Weight of a distance in the catchment: 1 at 0, falling to 0 at ``catchment_m``.

    ``(exp(-½(d/d₀)²) − exp(-½)) / (1 − exp(-½))`` for ``d ≤ d₀``, else 0 (Dai 2010); NaN
    distances (a missing location) weigh 0.

    Parameters
    ----------
    distance_m : numpy.ndarray
        Distances in metres.
    catchment_m : float
        The catchment radius d₀ in metres, > 0.

    Returns
    -------
    numpy.ndarray
        Weights in [0, 1], the shape of ``distance_m``.
    """
    if not np.isfinite(catchment_m) or catchment_m <= 0:
        raise ValueError("De reikwijdte moet groter dan 0 km zijn.")
    d = np.asarray(distance_m, dtype=float)
    edge = np.exp(-0.5)
    with np.errstate(invalid="ignore"):
        weight = (np.exp(-0.5 * (d / catchment_m) ** 2) - edge) / (1.0 - edge)
        inside = np.isfinite(d) & (d <= catchment_m)
    return np.where(inside, np.clip(weight, 0.0, 1.0), 0.0)


def two_step_fca(
    demand_xy: np.ndarray,
    demand: np.ndarray,
    supply_xy: np.ndarray,
    *,
    catchment_km: float = DEFAULTS.access_catchment_km,
    supply: np.ndarray | None = None,
) -> np.ndarray:
    """Supply within reach per person at every demand point (2SFCA, Gaussian decay).

    Step 1, per supply point j: ``R_j = S_j / Σ_i P_i f(d_ij)``; step 2, per demand point
    i: ``A_i = Σ_j R_j f(d_ij)``. A supply point without demand in its catchment serves
    nobody (``R_j = 0``). What is shared out is kept: ``Σ_i P_i A_i = Σ S_j`` over the
    supply points with demand in reach.

    Parameters
    ----------
    demand_xy : numpy.ndarray
        Shape ``(n, 2)``, RD New metres.
    demand : numpy.ndarray
        People at each demand point (``n``), ≥ 0.
    supply_xy : numpy.ndarray
        Shape ``(m, 2)``, RD New metres; rows with NaN are ignored.
    catchment_km : float
        Catchment radius in km (default ``DEFAULTS.access_catchment_km``).
    supply : numpy.ndarray, optional
        Capacity of each supply point; 1 each when omitted.

    Returns
    -------
    numpy.ndarray
        ``A_i``: supply per person within reach (multiply by 10,000 for "per 10,000").
    """
    demand = np.asarray(demand, dtype=float)
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, dtype=float).reshape(-1, 2)
    if len(supply_xy) == 0 or len(demand_xy) == 0:
        return np.zeros(len(demand_xy))
    capacity = np.ones(len(supply_xy)) if supply is None else np.asarray(supply, float)
    gap = demand_xy[:, None, :] - supply_xy[None, :, :]
    weight = gaussian_decay(np.hypot(gap[..., 0], gap[..., 1]), catchment_km * 1000.0)
    reached = (np.where(np.isfinite(demand) & (demand > 0), demand, 0.0)[:, None]
               * weight).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reached > 0, capacity / reached, 0.0)
    return weight @ ratio


def weighted_by_unit(per_pc4: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per unit: mean of ``column`` weighted by young people, and the maximum.

    Areas without young inhabitants are left out of both; a unit where nobody aged
    10–19 lives gets the plain mean and maximum of all its areas. A share is the mean of
    a 0/1 column.

    Parameters
    ----------
    per_pc4 : pandas.DataFrame
        ``unit``, ``inw_10_19`` and ``column``, one row per PC4 area.
    column : str

    Returns
    -------
    pandas.DataFrame
        ``mean`` and ``max``, indexed by unit.
    """
    values = per_pc4[column].to_numpy(float)
    weights = per_pc4["inw_10_19"].to_numpy(float)
    inhabited = (weights > 0) & np.isfinite(values)
    frame = pd.DataFrame({
        "unit": per_pc4["unit"].to_numpy(),
        "vw": np.where(inhabited, values * weights, 0.0),
        "w": np.where(inhabited, weights, 0.0),
        "v_inhabited": np.where(inhabited, values, np.nan),
        "v": values,
    })
    grouped = frame.groupby("unit")
    sums = grouped[["vw", "w"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sums["w"] > 0, sums["vw"] / sums["w"], grouped["v"].mean())
    maximum = grouped["v_inhabited"].max().fillna(grouped["v"].max())
    return pd.DataFrame({"mean": mean, "max": maximum}, index=sums.index)


def access_and_trips_by_unit(
    per_pc4: pd.DataFrame,
    pc4_xy: np.ndarray,
    partner_xy: np.ndarray,
    *,
    catchment_km: float = DEFAULTS.access_catchment_km,
    thresholds_min: tuple[float, ...] = DEFAULTS.travel_thresholds_min,
) -> pd.DataFrame:
    """Partner access and the shares of long trips, per unit, weighted by young people.

    Parameters
    ----------
    per_pc4 : pandas.DataFrame
        As :func:`geo.analysis.indicators.pc4_travel` plus ``unit``.
    pc4_xy : numpy.ndarray
        The PC4 points in RD New, aligned with ``per_pc4``.
    partner_xy : numpy.ndarray
        The partners in RD New (inside and outside the area: a partner across the border
        serves young people near it).
    catchment_km : float
        Catchment of a partner (default ``DEFAULTS.access_catchment_km``).
    thresholds_min : tuple of float
        Travel times for the shares (default ``DEFAULTS.travel_thresholds_min``).

    Returns
    -------
    pandas.DataFrame
        Indexed by unit: ``toegang_partners_per_10k_jongeren`` (NaN where nobody aged
        10–19 lives) and one
        ``aandeel_jongeren_boven_<T>_min`` per threshold (NaN without a travel time).
    """
    frame = per_pc4[["unit", "inw_10_19"]].copy()
    frame["toegang"] = PER_YOUNG_PEOPLE * two_step_fca(
        pc4_xy, per_pc4["inw_10_19"].to_numpy(float), partner_xy, catchment_km=catchment_km)
    access = weighted_by_unit(frame, "toegang")["mean"]
    youth = frame.groupby("unit")["inw_10_19"].sum().reindex(access.index)
    out = pd.DataFrame({"toegang_partners_per_10k_jongeren": access.where(youth > 0)})
    minutes = per_pc4["reistijd_min"].to_numpy(float)
    for threshold in thresholds_min:
        frame["boven"] = np.where(np.isfinite(minutes), minutes > threshold, np.nan)
        out[share_column(threshold)] = weighted_by_unit(frame, "boven")["mean"]
    return out

