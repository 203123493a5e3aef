"""The "wat als" scenario: today versus today plus one hypothetical mbo infra place.

:func:`scenario` runs :func:`geo.analysis.indicators.indicators` twice, without and with
the new place, and compares travel, score and rank per unit (:data:`SCENARIO_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from geo.analysis.indicators import PARTNER_KINDS, indicators
from geo.analysis.names import SCENARIO_COLUMNS
from geo.analysis.proximity import to_rd
from geo.analysis.score import ScoreWeights
from geo.analysis.travel import TravelModel
from geo.errors import AddressError
from geo.reference.data import Division, Reference
from geo.settings import DEFAULTS

#: Name of the hypothetical place in the scenario.
SCENARIO_PLACE_NAME = "Nieuwe mbo-infralocatie (wat als)"

def municipality_point(reference: Reference, gemeentecode: str) -> tuple[float, float]:
    """A representative point (lat, lon) of a municipality of the five regions.

    The PC4 point of the municipality closest to its population-weighted centre, so
    always where people live (never in a lake).

    Raises
    ------
    AddressError
        When ``gemeentecode`` is not one of the 46 municipalities.
    """
    code = str(gemeentecode).strip().upper()
    if code not in set(reference.gemeenten["gemeentecode"]):
        raise AddressError(f"'{gemeentecode}' is geen gemeentecode van het werkgebied.")
    pc4 = reference.pc4[reference.pc4["gemeentecode"] == code]
    weights = pc4["inw_totaal_2021"].fillna(0).to_numpy(float)
    xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    if weights.sum() <= 0:
        weights = np.ones(len(pc4))
    centre = np.average(xy, axis=0, weights=weights)
    idx = int(np.argmin(np.hypot(*(xy - centre).T)))
    return float(pc4["lat_pos"].iloc[idx]), float(pc4["lon_pos"].iloc[idx])


def resolve_location(
    new_location: tuple[float, float] | Sequence[float] | str, reference: Reference
) -> tuple[float, float]:
    """A (lat, lon) for a scenario location given as a point or a GM code."""
    if isinstance(new_location, str):
        return municipality_point(reference, new_location)
    lat, lon = (float(v) for v in new_location)
    if not (50.0 <= lat <= 54.0 and 3.0 <= lon <= 7.5):
        raise AddressError("De nieuwe locatie ligt niet in Nederland; kies een punt op de kaart.")
    return lat, lon


def scenario(
    level: str,
    *,
    new_location: tuple[float, float] | str,
    reference: Reference,
    division: Division | None = None,
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    mbo: pd.DataFrame,
    radius_km: float = DEFAULTS.radius_km,
    travel: TravelModel | None = None,
    weights: ScoreWeights | None = None,
    mode: str = DEFAULTS.area_mode,
    kinds: Collection[str] | None = PARTNER_KINDS,
) -> pd.DataFrame:
    """Today versus today plus one hypothetical mbo infra place, per unit.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    new_location : (lat, lon) or str
        WGS84 point, or a GM code (its representative point, see
        :func:`municipality_point`).
    reference, division, partners, schools, mbo, radius_km, travel, weights, mode, kinds
        As for :func:`geo.analysis.indicators.indicators`.

    Returns
    -------
    pandas.DataFrame
        :data:`SCENARIO_COLUMNS`: travel time (min) and distance (km), mean and worst,
        today (``_nu``) and with the new place (``_wat_als``), the differences (negative
        = shorter), score and rank before and after (``rang_verschil`` > 0: the unit
        moves down the attention list). Sorted by the gain in mean travel time, largest
        first, then ``code``. ``attrs`` holds ``lat``/``lon`` of the new place and the
        weighted mean travel time over the whole area before and after.
    """
    lat, lon = resolve_location(new_location, reference)
    extra = pd.DataFrame([{"naam": SCENARIO_PLACE_NAME, "lat": lat, "lon": lon}])
    mbo_after = pd.concat([mbo, extra], ignore_index=True)
    options = dict(reference=reference, division=division, partners=partners, schools=schools,
                   radius_km=radius_km, travel=travel, weights=weights, mode=mode,
                   kinds=kinds)
    before = indicators(level, mbo=mbo, **options).set_index("code")
    after = indicators(level, mbo=mbo_after, **options).set_index("code").reindex(before.index)
    out = pd.DataFrame(index=before.index)
    out["naam"] = before["naam"]
    out["arbeidsmarktregio_code"] = before["arbeidsmarktregio_code"]
    out["inwoners_10_19"] = before["inwoners_10_19"]
    pairs = {
        "reistijd_gemiddeld": "reistijd_mbo_infra_min_gemiddeld",
        "reistijd_max": "reistijd_mbo_infra_min_max",
        "afstand_gemiddeld": "afstand_mbo_infra_km_gemiddeld",
        "afstand_max": "afstand_mbo_infra_km_max",
        "score": "score",
        "rang": "rang",
    }
    for name, column in pairs.items():
        out[f"{name}_nu"] = before[column]
        out[f"{name}_wat_als"] = after[column]
    out["reistijd_gemiddeld_verschil"] = out["reistijd_gemiddeld_wat_als"] - out[
        "reistijd_gemiddeld_nu"]
    out["afstand_gemiddeld_verschil"] = out["afstand_gemiddeld_wat_als"] - out[
        "afstand_gemiddeld_nu"]
    out["rang_verschil"] = out["rang_wat_als"] - out["rang_nu"]
    out = out.reset_index()[SCENARIO_COLUMNS]
    out = out.sort_values(["reistijd_gemiddeld_verschil", "code"], kind="stable")
    out = out.reset_index(drop=True)
    people = out["inwoners_10_19"].to_numpy(float)
    out.attrs.update({
        "lat": lat, "lon": lon, "niveau": level, "reiswijze": mode,
        "reistijd_werkgebied_nu": _mean(out["reistijd_gemiddeld_nu"], people),
        "reistijd_werkgebied_wat_als": _mean(out["reistijd_gemiddeld_wat_als"], people),
    })
    return out


def _mean(values: pd.Series, weights: np.ndarray) -> float:
    v = values.to_numpy(float)
    ok = np.isfinite(v) & (weights > 0)
    return float(np.average(v[ok], weights=weights[ok])) if ok.any() else float("nan")
