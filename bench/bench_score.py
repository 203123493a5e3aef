"""Benchmark of the white-spot score: partner access (2SFCA), the parts and the rank range.

Runs on the bundled data (the PC4 points of the 46 municipalities) with 100 and 1,000
seeded synthetic partners (:func:`bench.bench_analysis.synthetic_partners`). Every time is
reported with a baseline measured in the same process, as a ratio, so the numbers compare
across machines:

- ``two_step_fca``: the vectorised numpy 2SFCA against a plain Python double loop over
  partners and PC4 areas (the textbook two steps), with their largest difference;
- ``white_spot_score``: the score with its rank range (every weight ± the step, 27 weight
  sets) against the score with one weight set (``step=0``);
- ``indicators``: the whole indicator table against the travel part alone
  (:func:`geo.analysis.indicators.pc4_travel`), to show what access and score add.

It also reports the acceptance figures on the example register: the top three subregions
and Amsterdam's rank at both levels.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.bench_analysis import REPEATS, _median_s, synthetic_partners
from geo.analysis import indicators as analysis
from geo.analysis.access import gaussian_decay, two_step_fca
from geo.analysis.proximity import to_rd
from geo.analysis.score import white_spot_score
from geo.reference.data import load_reference
from geo.settings import DEFAULTS, Settings

SIZES = (100, 1000)


def _naive_two_step_fca(demand_xy, demand, supply_xy, catchment_km: float) -> np.ndarray:
    """Baseline: the two steps as Python loops over every pair."""
    reach = catchment_km * 1000.0
    ratios = []
    for sx, sy in supply_xy:
        total = 0.0
        for (dx, dy), people in zip(demand_xy, demand, strict=True):
            total += people * float(gaussian_decay(np.array([math.hypot(dx - sx, dy - sy)]),
                                                   reach)[0])
        ratios.append(1.0 / total if total > 0 else 0.0)
    access = np.zeros(len(demand_xy))
    for i, (dx, dy) in enumerate(demand_xy):
        for (sx, sy), ratio in zip(supply_xy, ratios, strict=True):
            access[i] += ratio * float(gaussian_decay(np.array([math.hypot(dx - sx, dy - sy)]),
                                                      reach)[0])
    return access


def _example_ranks(reference) -> dict:
    from geo.register.examples import load_example_data
    from geo.register.store import Store

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "r.sqlite",
                                                        reference) as store:
        load_example_data(store)
        data = {"partners": store.organisations(include_personal=False),
                "schools": store.schools(), "mbo": store.mbo_locations()}
        out = {}
        for level in ("subregio", "gemeente"):
            table = analysis.indicators(level, reference=reference, **data).set_index("naam")
            out[level] = {
                "top3": [f"{name} ({row.rang}, {row.rang_min}–{row.rang_max})"
                         for name, row in table.head(3).iterrows()],
                "amsterdam_rank": int(table.loc["Amsterdam", "rang"]),
                "units": len(table),
            }
        return out


def run() -> dict:
    """Time 2SFCA, the score and the indicators, each against a baseline; example ranks."""
    reference = load_reference(Settings().data_dir)
    schools = analysis.reference_schools(reference)
    mbo = analysis.reference_mbo_locations(reference)
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    demand_xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    demand = pc4["inw_10_19"].fillna(0).to_numpy(float)
    out: dict = {"pc4_areas": len(pc4), "repeats": REPEATS,
                 "catchment_km": DEFAULTS.access_catchment_km, "two_step_fca": [],
                 "white_spot_score": [], "indicators": []}
    for n in SIZES:
        partners = synthetic_partners(reference, n)
        supply_xy = to_rd(partners["lon"].to_numpy(), partners["lat"].to_numpy())
        vector_s = _median_s(lambda supply_xy=supply_xy: two_step_fca(
            demand_xy, demand, supply_xy, catchment_km=DEFAULTS.access_catchment_km))
        few = supply_xy[:50]  # the loop is slow: a fixed slice, scaled per partner
        started = time.perf_counter()
        naive = _naive_two_step_fca(demand_xy, demand, few, DEFAULTS.access_catchment_km)
        naive_s = (time.perf_counter() - started) * n / len(few)
        difference = float(np.abs(naive - two_step_fca(
            demand_xy, demand, few, catchment_km=DEFAULTS.access_catchment_km)).max())
        out["two_step_fca"].append({
            "partners": n, "vectorised_s": round(vector_s, 5),
            "naive_loop_s_estimated": round(naive_s, 3),
            "speedup": round(naive_s / vector_s, 1) if vector_s > 0 else None,
            "max_abs_difference": difference,
        })
        for level in ("gemeente", "subregio"):
            table = analysis.indicators(level, reference=reference, partners=partners,
                                        schools=schools, mbo=mbo)
            with_range = _median_s(lambda table=table: white_spot_score(table))
            single = _median_s(lambda table=table: white_spot_score(table, step=0.0))
            out["white_spot_score"].append({
                "partners": n, "level": level, "with_rank_range_s": round(with_range, 5),
                "one_weight_set_s": round(single, 5),
                "ratio": round(with_range / single, 2) if single > 0 else None,
            })
        whole = _median_s(lambda partners=partners: analysis.indicators(
            "gemeente", reference=reference, partners=partners, schools=schools, mbo=mbo))
        travel = _median_s(lambda: analysis.pc4_travel(reference, mbo))
        out["indicators"].append({
            "partners": n, "level": "gemeente", "whole_s": round(whole, 4),
            "travel_only_s": round(travel, 4),
            "ratio": round(whole / travel, 2) if travel > 0 else None,
        })
    out["example_register"] = _example_ranks(reference)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
