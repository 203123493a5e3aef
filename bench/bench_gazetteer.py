"""Benchmark of the place index (``Gazetteer``) that every import and ``infrakaart waar`` build.

The representative point of each place and municipality (the PC4 point nearest to the
population-weighted mean) is computed for all groups at once
(:func:`geo.reference.gazetteer.representatives`); the baseline computes the same points one
group at a time with a Python loop over ``groupby``, as the index was built before. Both run
in this process on the bundled PC4 table; the ratio and whether both give identical points
are reported.
"""

from __future__ import annotations

import math
import time

import numpy as np

from geo.reference.data import load_reference
from geo.reference.gazetteer import Gazetteer, representatives
from geo.settings import Settings

KEYS = (["plaats_certegis", "gemeentecode"], ["gemeentecode"])


def representatives_by_loop(pc4, keys) -> dict:
    """Baseline and definition: one group at a time, ``{group key: (lat, lon)}``.

    The PC4 point nearest to the population-weighted mean point (the plain mean without
    inhabitants), the first such point on a tie. ``tests/test_gazetteer.py`` checks the
    vectorised version against it.
    """
    points = {}
    for key, group in pc4.groupby(keys):
        weights = group["inw_totaal_2021"].fillna(0).to_numpy(dtype=float)
        lat = group["lat_pos"].to_numpy(dtype=float)
        lon = group["lon_pos"].to_numpy(dtype=float)
        if weights.sum() <= 0:
            weights = np.ones_like(lat)
        mlat, mlon = np.average(lat, weights=weights), np.average(lon, weights=weights)
        scale = math.cos(math.radians(mlat))
        idx = int(np.argmin((lat - mlat) ** 2 + ((lon - mlon) * scale) ** 2))
        points[key] = (float(lat[idx]), float(lon[idx]))
    return points


def _cpu_s(work) -> tuple[float, object]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def run() -> dict:
    """Time the vectorised representative points against the loop; and the whole index."""
    reference = load_reference(Settings().data_dir)
    pc4 = reference.pc4[reference.pc4["plaats_certegis"] != ""]
    out: dict = {"pc4_areas": len(pc4), "groups": []}
    for keys in KEYS:
        loop_s, by_loop = _cpu_s(lambda keys=keys: representatives_by_loop(pc4, keys))
        fast_s, fast = _cpu_s(lambda keys=keys: representatives(pc4, keys))
        fast_points = {
            (tuple(row[k] for k in keys) if len(keys) > 1 else (row[keys[0]],)): (
                row["lat"], row["lon"])
            for row in fast.to_dict("records")}
        out["groups"].append({
            "by": "+".join(keys), "groups": len(fast), "loop_cpu_s": round(loop_s, 4),
            "vectorised_cpu_s": round(fast_s, 4),
            "ratio": round(fast_s / loop_s, 4) if loop_s > 0 else None,
            "identical": fast_points == {k if isinstance(k, tuple) else (k,): v
                                         for k, v in by_loop.items()},
        })
    index_s, _ = _cpu_s(lambda: Gazetteer(reference))
    out["whole_index_cpu_s"] = round(index_s, 4)
    return out
