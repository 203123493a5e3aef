"""Benchmark of the candidate reduction: the ambassador optimum over candidate classes
against the same solve with one variable per candidate, in the same process.

Partners: 2,000 and 20,000 synthetic partners at random PC4 points of the work area
(generated here, see :func:`bench.bench_ambassadors.synthetic_partners`); schools: the
bundled DUO locations. The choice is the page's default: one ambassador per subregion
(``k`` = number of subregions), with the tie-breaks. CPU time counts this process and the
CBC solver processes it starts. Goal (issue 13): ≤ 2 s CPU at 20,000, same optimum.
"""

from __future__ import annotations

import json
import os
import time

from bench.bench_ambassadors import synthetic_partners
from geo.analysis.coverage import coverage
from geo.analysis.indicators import reference_schools
from geo.analysis.optimise import Rule, solve_mclp
from geo.analysis.reduction import candidate_classes
from geo.reference.data import load_reference
from geo.settings import DEFAULTS, Settings

SIZES = (2_000, 20_000)
TIME_LIMIT_S = 600.0


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed_solve(cov, rule: Rule, *, reduce: bool) -> dict:
    cpu, wall = _cpu_s(), time.perf_counter()
    solution = solve_mclp(cov, rule=rule, time_limit_s=TIME_LIMIT_S, reduce=reduce)
    cpu, wall = _cpu_s() - cpu, time.perf_counter() - wall
    covered = cov.matrix[solution.rows].toarray().any(axis=0)
    return {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "status": solution.status,
            "gewogen_dekking": float(cov.weights[covered].sum()),
            "variabelen": solution.classes.n_classes}


def _instance(n: int, reference, schools, division) -> dict:
    cov = coverage(synthetic_partners(reference, n), schools, radius_km=DEFAULTS.radius_km,
                   vmbo_weight=DEFAULTS.vmbo_weight, division=division)
    rule = Rule(k=len(cov.subregions_with_candidates()), per_subregion=True)
    cpu = _cpu_s()
    classes = candidate_classes(cov)
    grouping_cpu = _cpu_s() - cpu
    reduced = _timed_solve(cov, rule, reduce=True)
    full = _timed_solve(cov, rule, reduce=False)
    return {
        "kandidaten": cov.n_partners,
        "klassen": classes.n_classes,
        "k": rule.k,
        "klassen_maken_cpu_s": round(grouping_cpu, 3),
        "met_reductie": reduced,
        "zonder_reductie": full,
        "zelfde_optimum": abs(reduced["gewogen_dekking"] - full["gewogen_dekking"]) < 1e-9,
        "cpu_verhouding_met_zonder": round(reduced["cpu_s"] / full["cpu_s"], 4)
        if full["cpu_s"] else None,
        "versnelling": round(full["cpu_s"] / reduced["cpu_s"], 1) if reduced["cpu_s"] else None,
        "doel_cpu_s_max": 2.0 if n >= 20_000 else None,
    }


def run() -> dict:
    """Reduced against unreduced solve at each size, as a JSON-serialisable dict."""
    reference = load_reference(Settings().data_dir)
    schools = reference_schools(reference)
    division = reference.default_division
    return {f"synthetisch_{n}": _instance(n, reference, schools, division) for n in SIZES}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
