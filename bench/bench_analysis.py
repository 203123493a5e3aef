"""Benchmark of the indicator computation and the "wat als" scenario.

For every level (46 municipalities, 10 subregions, 5 regions)
:func:`geo.analysis.indicators.indicators`
runs on the bundled data (270 DUO schools, the two mbo infra places, 484 PC4 areas) with
registers of 0, 100 (the expected real size) and 1,000 seeded synthetic partners at random
PC4 points of the 46 municipalities, weighted by population. Reports the median wall time
of a few runs, the table size and the CSV/Excel export sizes; plus the scenario (two
indicator runs) at subregion level. Also a naive baseline: the same mean travel distance
computed with a Python loop over PC4 areas and mbo places with pyproj's geodesic, to show
what the vectorised RD New computation saves.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
import pandas as pd
from pyproj import Geod

from geo.analysis import indicators as analysis
from geo.analysis.scenario import scenario
from geo.output import tables
from geo.reference.data import load_reference
from geo.settings import DEFAULTS, Settings

SIZES = (0, 100, 1000)
REPEATS = 5
LEVELS = ("gemeente", "subregio", "arbeidsmarktregio")


def synthetic_partners(reference, n: int, *, seed: int = 42) -> pd.DataFrame:
    """``n`` fictional active partners at population-weighted random PC4 points."""
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    rng = np.random.default_rng(seed)
    if n == 0:
        return pd.DataFrame(columns=["naam", "soort", "actief", "donateur", "gemeentecode",
                                     "lat", "lon"])
    pick = pc4.sample(n, weights=pc4["inw_totaal_2021"], replace=True, random_state=seed)
    return pd.DataFrame({
        "naam": [f"Partner {i}" for i in range(n)],
        "soort": rng.choice(["aannemer", "ingenieursbureau", "netbeheerder", "overig"], n),
        "actief": True,
        "donateur": rng.random(n) < 0.3,
        "gemeentecode": pick["gemeentecode"].to_numpy(),
        "lat": pick["lat_pos"].to_numpy() + rng.normal(0, 0.004, n),
        "lon": pick["lon_pos"].to_numpy() + rng.normal(0, 0.004, n),
    })


def _median_s(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _naive_mean_distance(reference, mbo: pd.DataFrame) -> float:
    """Baseline: loop over PC4 areas and places with geodesic distances (no vectors)."""
    geod = Geod(ellps="WGS84")
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    total = weight = 0.0
    for row in pc4.itertuples(index=False):
        best = min(geod.inv(row.lon_pos, row.lat_pos, m.lon, m.lat)[2]
                   for m in mbo.itertuples(index=False))
        total += best / 1000.0 * DEFAULTS.detour * row.inw_10_19
        weight += row.inw_10_19
    return total / weight


def run() -> dict:
    """Time indicators per level and register size, the scenario and the naive baseline."""
    started = time.perf_counter()
    reference = load_reference(Settings().data_dir)
    load_s = time.perf_counter() - started
    schools = analysis.reference_schools(reference)
    mbo = analysis.reference_mbo_locations(reference)
    out: dict = {
        "reference_load_s": round(load_s, 3),
        "schools": len(schools),
        "mbo_places": len(mbo),
        "pc4_areas": int(reference.pc4["gemeentecode"].isin(reference.gemeentecodes).sum()),
        "repeats": REPEATS,
        "indicators": [],
    }
    for n in SIZES:
        partners = synthetic_partners(reference, n)
        for level in LEVELS:
            table = analysis.indicators(level, reference=reference, partners=partners,
                                        schools=schools, mbo=mbo)
            seconds = _median_s(lambda level=level, partners=partners: analysis.indicators(
                level, reference=reference, partners=partners, schools=schools, mbo=mbo))
            out["indicators"].append({
                "partners": n, "level": level, "rows": len(table),
                "columns": len(table.columns), "median_s": round(seconds, 4),
                "csv_bytes": len(tables.csv_bytes(analysis.rounded(table))),
                "xlsx_bytes": len(tables.xlsx_bytes(analysis.export_sheets(table))),
                "top": table.iloc[0]["naam"],
            })
    partners = synthetic_partners(reference, 100)
    out["scenario_subregio_den_helder_median_s"] = round(_median_s(lambda: scenario(
        "subregio", new_location="GM0400", reference=reference, partners=partners,
        schools=schools, mbo=mbo)), 4)

    vector_s = _median_s(lambda: analysis.pc4_travel(reference, mbo))
    naive_started = time.perf_counter()
    naive_km = _naive_mean_distance(reference, mbo)
    naive_s = time.perf_counter() - naive_started
    per_pc4 = analysis.pc4_travel(reference, mbo)
    vector_km = float(np.average(per_pc4["afstand_km"], weights=per_pc4["inw_10_19"]))
    out["travel_baseline"] = {
        "vectorised_rd_s": round(vector_s, 4),
        "naive_geodesic_loop_s": round(naive_s, 4),
        "speedup": round(naive_s / vector_s, 1) if vector_s > 0 else None,
        "mean_km_vectorised": round(vector_km, 3),
        "mean_km_naive": round(naive_km, 3),
        "relative_difference": round(abs(vector_km - naive_km) / naive_km, 5),
    }
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
