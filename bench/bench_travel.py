"""Benchmark: the rail travel model against the straight-line model.

Quality: mean absolute error (and mean signed error) of both models on the reference
journeys in ``data/spoor/referentiereizen.csv``, with the error per journey. Speed: the
matrices the analysis computes — every PC4 area of the five regions × the mbo infra
places, and the 270 schools × 2,000 synthetic partners — plus the paired minutes of
5 nearest partners per school (once vectorised with ``pair_durations_min``, once the
way ``proximity.travel_minutes`` calls a routing model today: one call per pair). Both
models must give finite minutes everywhere; the benchmark asserts it.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from bench.bench_proximity import _best_of  # the same best-of-n timer
from geo.analysis.journeys import journey_errors, load_reference_journeys, mean_absolute_error
from geo.analysis.proximity import to_rd, travel_minutes
from geo.analysis.rail import RailModel
from geo.analysis.travel import StraightLineModel
from geo.reference.data import load_reference
from geo.reference.gazetteer import Gazetteer
from geo.settings import Settings

SEED = 20240611
N_PARTNERS = 2000
K = 5


def _timings(label: str, model, pc4_xy, mbo_xy, school_xy, partner_xy, pairs) -> dict:
    t_pc4, m_pc4 = _best_of(lambda: model.durations_min(pc4_xy, mbo_xy, mode="ov_auto"), 5)
    t_full, m_full = _best_of(
        lambda: model.durations_min(school_xy, partner_xy, mode="ov_auto"), 2)
    src, dst = pairs
    if hasattr(model, "pair_durations_min"):
        t_pairs, m_pairs = _best_of(lambda: model.pair_durations_min(src, dst), 5)
    else:
        km = np.hypot(*(src - dst).T) / 1000.0
        t_pairs, m_pairs = _best_of(lambda: travel_minutes(km, model, mode="ov_auto"), 5)
    t_loop, m_loop = _best_of(
        lambda: travel_minutes(np.hypot(*(src - dst).T) / 1000.0, model, mode="ov_auto",
                               sources_xy=src, targets_xy=dst) if label == "trein"
        else travel_minutes(np.hypot(*(src - dst).T) / 1000.0, model, mode="ov_auto"), 1)
    for minutes in (m_pc4, m_full, m_pairs, m_loop):
        assert np.isfinite(minutes).all(), f"{label}: minutes must be finite"
    np.testing.assert_allclose(m_pairs, m_loop)
    return {
        "pc4_x_mbo_s": round(t_pc4, 5),
        "scholen_x_partners_s": round(t_full, 5),
        "paren_gevectoriseerd_s": round(t_pairs, 5),
        "paren_per_aanroep_s": round(t_loop, 5),
    }


def run() -> dict:
    """Errors on the reference journeys and timings of both models; returns the figures."""
    settings = Settings.from_env()
    reference = load_reference(settings.data_dir)
    gazetteer = Gazetteer(reference)
    straight = StraightLineModel()
    t_build, rail = _best_of(lambda: RailModel.from_data(settings.data_dir), 3)

    journeys = load_reference_journeys(settings.data_dir)
    errors = journey_errors({"rechte_lijn": straight, "trein": rail}, journeys,
                            gazetteer.place)

    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pc4_xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    places = [gazetteer.place(name) for name in reference.mbo["plaats"]]
    mbo_xy = to_rd([p.lon for p in places], [p.lat for p in places])
    schools = reference.scholen
    school_xy = to_rd(schools["lon"].to_numpy(), schools["lat"].to_numpy())
    school_xy = school_xy[np.isfinite(school_xy).all(axis=1)]
    rng = np.random.default_rng(SEED)
    partner_xy = pc4_xy[rng.choice(len(pc4_xy), size=N_PARTNERS, replace=True)]
    nearest = np.argsort(straight.straight_km(school_xy, partner_xy), axis=1)[:, :K]
    pairs = (np.repeat(school_xy, K, axis=0), partner_xy[nearest.ravel()])

    timings = {
        "rechte_lijn": _timings("rechte_lijn", straight, pc4_xy, mbo_xy, school_xy,
                                partner_xy, pairs),
        "trein": _timings("trein", rail, pc4_xy, mbo_xy, school_xy, partner_xy, pairs),
    }
    ratio = {key: round(timings["trein"][key] / max(timings["rechte_lijn"][key], 1e-9), 1)
             for key in timings["trein"]}
    table = errors[["van", "naar", "minuten", "rechte_lijn_min", "rechte_lijn_fout_min",
                    "trein_min", "trein_fout_min", "zekerheid"]]
    return {
        "benchmark": "reistijdmodel: trein vs rechte lijn",
        "referentiereizen": len(journeys),
        "gemiddelde_absolute_fout_min": {
            "rechte_lijn": round(mean_absolute_error(errors, "rechte_lijn"), 2),
            "trein": round(mean_absolute_error(errors, "trein"), 2),
        },
        "gemiddelde_fout_min": {
            "rechte_lijn": round(float(errors["rechte_lijn_fout_min"].mean()), 2),
            "trein": round(float(errors["trein_fout_min"].mean()), 2),
        },
        "omvang": {"pc4": len(pc4_xy), "mbo": len(mbo_xy), "scholen": len(school_xy),
                   "partners": N_PARTNERS, "paren": len(pairs[0])},
        "treinmodel_opbouwen_s": round(t_build, 4),
        "tijden": timings,
        "verhouding_trein_vs_rechte_lijn": ratio,
        "per_reis": json.loads(pd.DataFrame(table).to_json(orient="records", force_ascii=False)),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
