"""Benchmark of the ambassador optimiser: solve time for k = 5, 10, 20, greedy vs optimum.

Schools: the 270 bundled DUO locations. Partners: the fictional example list in
``data/voorbeeld/`` (placed on its PC4 point, as the offline importer does) when present,
and seeded synthetic partners at random PC4 points of the 46 municipalities (100, the
expected real size, and 1,000 to see how the solve time grows).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.analysis.coverage import PlanError, coverage
from geo.analysis.indicators import reference_schools
from geo.analysis.plans import greedy_plan, optimal_plan
from geo.reference.data import load_reference
from geo.reference.regions import assign_areas
from geo.settings import DEFAULTS, Settings

KS = (5, 10, 20)
REPEATS = 3
RADIUS_KM = DEFAULTS.radius_km
VMBO_WEIGHT = DEFAULTS.vmbo_weight


def _with_areas(frame: pd.DataFrame, reference) -> pd.DataFrame:
    areas = assign_areas(frame["lon"], frame["lat"], reference)
    return pd.concat([frame.reset_index(drop=True), areas[["gemeentecode", "gemeentenaam"]]],
                     axis=1)


def synthetic_partners(reference, n: int, *, seed: int = 42) -> pd.DataFrame:
    """``n`` fictional partners at random PC4 points of the 46 municipalities."""
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    rng = np.random.default_rng(seed)
    pick = pc4.iloc[rng.integers(0, len(pc4), size=n)]
    frame = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "naam": [f"Synthetisch {i}" for i in range(1, n + 1)],
        "soort": "aannemer",
        "lat": pick["lat_pos"].to_numpy(),
        "lon": pick["lon_pos"].to_numpy(),
    })
    return _with_areas(frame, reference)


def example_partners(reference) -> pd.DataFrame | None:
    """The example list, placed on the PC4 point of its postcode; None when absent."""
    path = Path(reference.data_dir) / "voorbeeld" / "partners_voorbeeld.csv"
    if not path.is_file():
        return None
    raw = pd.read_csv(path, sep=";", dtype=str).fillna("")
    digits = raw["Postcode"].str.replace(r"\D", "", regex=True).str[:4]
    points = reference.pc4.set_index("pc4")[["lat_pos", "lon_pos"]]
    frame = pd.DataFrame({
        "id": np.arange(1, len(raw) + 1),
        "naam": raw["Organisatie"],
        "soort": raw["Soort"],
        "actief": raw["Actief"].str.lower().ne("nee"),
        "lat": digits.map(points["lat_pos"]).to_numpy(dtype=float),
        "lon": digits.map(points["lon_pos"]).to_numpy(dtype=float),
    })
    return _with_areas(frame, reference)


def _bench_instance(partners: pd.DataFrame, schools: pd.DataFrame, division) -> dict:
    started = time.perf_counter()
    cov = coverage(partners, schools, radius_km=RADIUS_KM, vmbo_weight=VMBO_WEIGHT,
                   division=division)
    result: dict[str, object] = {
        "kandidaten": cov.n_partners,
        "scholen": len(cov.schools),
        "gewogen_totaal": float(cov.weights.sum()),
        "dekking_berekenen_s": round(time.perf_counter() - started, 4),
        "subregios_met_kandidaten": len(cov.subregions_with_candidates()),
        "runs": [],
    }
    for per_subregion in (False, True):
        for k in KS:
            if k > cov.n_partners:
                continue
            times, plan = [], None
            try:
                for _ in range(REPEATS):
                    t0 = time.perf_counter()
                    plan = optimal_plan(cov, k=k, per_subregion=per_subregion)
                    times.append(time.perf_counter() - t0)
            except PlanError as err:
                result["runs"].append({"k": k, "per_subregio": per_subregion,
                                       "fout": str(err)})
                continue
            t0 = time.perf_counter()
            quick = greedy_plan(cov, k=k, per_subregion=per_subregion)
            greedy_s = time.perf_counter() - t0
            result["runs"].append({
                "k": k,
                "per_subregio": per_subregion,
                "status": plan.status,
                "optimaal_s_mediaan": round(statistics.median(times), 4),
                "optimaal_s_max": round(max(times), 4),
                "greedy_s": round(greedy_s, 4),
                "optimaal_gewogen": plan.weighted_coverage,
                "greedy_gewogen": quick.weighted_coverage,
                "greedy_tekort": round(plan.weighted_coverage - quick.weighted_coverage, 4),
                "optimaal_scholen": plan.schools_covered,
                "greedy_scholen": quick.schools_covered,
                "optimum_niet_slechter": plan.weighted_coverage >= quick.weighted_coverage,
            })
    return result


def run() -> dict:
    """Solve times and greedy-versus-optimum figures as a JSON-serialisable dict."""
    reference = load_reference(Settings().data_dir)
    schools = reference_schools(reference)
    division = reference.default_division
    instances: dict[str, pd.DataFrame] = {}
    example = example_partners(reference)
    if example is not None:
        instances["voorbeeldpartners"] = example
    instances["synthetisch_100"] = synthetic_partners(reference, 100)
    instances["synthetisch_1000"] = synthetic_partners(reference, 1000)
    out: dict[str, object] = {
        "straal_km": RADIUS_KM,
        "vmbo_gewicht": VMBO_WEIGHT,
        "herhalingen": REPEATS,
        "oplosser": "PuLP + CBC (meegeleverd), met tweede ronde voor gelijke optima",
    }
    for name, partners in instances.items():
        out[name] = _bench_instance(partners, schools, division)
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
