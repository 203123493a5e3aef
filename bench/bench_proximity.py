"""Benchmark: nearest-5 partners for every school, cKDTree vs a numpy brute force.

Runs at the real size (the example partners when ``data/voorbeeld/`` has some with
coordinates, else ~100 synthetic partners at random PC4 points in the 46
municipalities), at 10× as many, and at 2,000 and 20,000 synthetic partners. The
baseline is the honest fast alternative: every school against every partner in one numpy
distance matrix, sorted per row (``brute_force_nearest``). A plain Python double loop is
kept as a second oracle where it is quick (≤ 2,000 partners). All methods must give the
same partners in the same order; the benchmark asserts it.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.analysis.proximity import nearest, nearest_partners, to_rd
from geo.reference.data import load_reference
from geo.settings import Settings

K = 5
SEED = 20240601


def _example_partners(reference) -> pd.DataFrame | None:
    """The bundled example partners, geocoded offline into a throw-away register."""
    try:
        from geo.register.examples import example_data_path, load_example_data
        from geo.register.store import Store
    except ImportError:
        return None
    if not example_data_path(reference).is_file():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite", reference)
        try:
            load_example_data(store)
            frame = store.organisations()
        finally:
            store.close()
    frame = frame.dropna(subset=["lat", "lon"])
    return frame[["id", "naam", "lat", "lon"]].reset_index(drop=True) if len(frame) else None


def _synthetic_partners(reference, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pick = pc4.iloc[rng.choice(len(pc4), size=n, replace=True)]
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "naam": [f"Partner {i:05d}" for i in rng.permutation(n)],
        "lat": pick["lat_pos"].to_numpy(),
        "lon": pick["lon_pos"].to_numpy(),
    })


def _name_order(names: pd.Series) -> np.ndarray:
    keys = names.str.casefold().to_numpy()
    order = np.empty(len(keys), dtype=np.int64)
    order[np.argsort(keys, kind="stable")] = np.arange(len(keys))
    return order


def naive_nearest(school_xy: np.ndarray, partner_xy: np.ndarray, tie: np.ndarray, k: int):
    """Plain Python: every school against every partner, sort, take k."""
    result = []
    sx, sy = school_xy[:, 0].tolist(), school_xy[:, 1].tolist()
    px, py = partner_xy[:, 0].tolist(), partner_xy[:, 1].tolist()
    ties = tie.tolist()
    for x, y in zip(sx, sy, strict=True):
        pairs = []
        for j in range(len(px)):
            pairs.append((math.hypot(px[j] - x, py[j] - y), ties[j], j))
        pairs.sort()
        result.append([j for _, _, j in pairs[:k]])
    return np.array(result)


def brute_force_nearest(school_xy: np.ndarray, partner_xy: np.ndarray, tie: np.ndarray,
                        k: int) -> np.ndarray:
    """numpy: the full distance matrix, each row ordered by (distance, tie), first k."""
    dist = np.hypot(school_xy[:, None, 0] - partner_xy[None, :, 0],
                    school_xy[:, None, 1] - partner_xy[None, :, 1])
    ties = np.broadcast_to(tie, dist.shape)
    return np.lexsort((ties, dist), axis=-1)[:, :k]


def _best_of(func, repeat: int) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def _case(schools: pd.DataFrame, partners: pd.DataFrame, label: str) -> dict:
    school_xy = to_rd(schools["lon"], schools["lat"])
    partner_xy = to_rd(partners["lon"], partners["lat"])
    tie = _name_order(partners["naam"])
    t_brute, brute_idx = _best_of(
        lambda: brute_force_nearest(school_xy, partner_xy, tie, K), 3)
    if len(partners) <= 2_000:
        _, naive_idx = _best_of(lambda: naive_nearest(school_xy, partner_xy, tie, K), 1)
        assert np.array_equal(naive_idx, brute_idx), f"{label}: loop and brute force disagree"
    t_vec, (_, vec_idx) = _best_of(
        lambda: nearest(school_xy, partner_xy, k=K, tie_order=tie), 5
    )
    assert np.array_equal(brute_idx, vec_idx), f"{label}: brute force and cKDTree disagree"
    frame = schools.assign(naam=schools["vestigingsnaam"])
    partner_frame = partners.assign(soort="aannemer", donateur=False, actief=True)
    t_domain, table = _best_of(lambda: nearest_partners(frame, partner_frame, k=K), 3)
    expected_ids = partners["id"].to_numpy()[brute_idx].ravel()
    assert np.array_equal(table["partner_id"].to_numpy(), expected_ids), (
        f"{label}: nearest_partners disagrees with the brute force"
    )
    return {
        "geval": label,
        "scholen": len(schools),
        "partners": len(partners),
        "k": K,
        "numpy_brute_force_s": round(t_brute, 5),
        "ckdtree_s": round(t_vec, 5),
        "nearest_partners_s": round(t_domain, 5),
        "verhouding_ckdtree_tov_brute_force": round(t_vec / t_brute, 3),
        "zelfde_antwoorden": True,
    }


def run() -> dict:
    """Time both methods at the real size and at 10× partners; returns the figures."""
    settings = Settings.from_env()
    reference = load_reference(settings.data_dir)
    schools = pd.DataFrame(reference.scholen.drop(columns="geometry"))
    example = _example_partners(reference)
    source = "voorbeeldpartners" if example is not None else "synthetisch (PC4-punten)"
    base = example if example is not None else _synthetic_partners(reference, 100, SEED)
    n = len(base)
    cases = [
        _case(schools, base, f"echte omvang ({n} partners, {source})"),
        _case(schools, _synthetic_partners(reference, 10 * n, SEED + 1),
              f"10x partners ({10 * n}, synthetisch)"),
    ]
    if example is not None:  # also the ~100 synthetic partners, for comparison over time
        cases += [
            _case(schools, _synthetic_partners(reference, 100, SEED), "100 partners (synthetisch)"),
            _case(schools, _synthetic_partners(reference, 1000, SEED + 1),
                  "1000 partners (synthetisch)"),
        ]
    cases += [_case(schools, _synthetic_partners(reference, n, SEED + 2),
                    f"{n} partners (synthetisch)") for n in (2_000, 20_000)]
    return {"benchmark": "proximity: 5 dichtstbijzijnde partners per school",
            "partnerbron": source, "gevallen": cases}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
