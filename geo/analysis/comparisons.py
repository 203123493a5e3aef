"""The current ambassadors of each subregion next to the best partners of that subregion.

A subregion's ambassador is chosen from the partners of that subregion, so it is
measured against them: the best ``n`` partners *of the same subregion*, where ``n`` is
the number of its current ambassadors — never against the best partners of the whole
area (a small subregion's only partner would then score a few per cent of an optimum it
could never reach). Reach counts every school within the radius, also across the
subregion boundary, as in :func:`geo.analysis.coverage.rank_candidates`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from geo.analysis.coverage import Coverage
from geo.analysis.optimise import Rule, solve_mclp
from geo.settings import DEFAULTS

#: Columns of :func:`subregion_comparison`, in order.
COLUMNS = ["subregio", "huidige_ambassadeurs", "aantal", "scholen_huidig", "vmbo_huidig",
           "gewogen_huidig", "beste_keuze_in_subregio", "scholen_beste", "vmbo_beste",
           "gewogen_beste", "pct_van_beste"]


def subregion_comparison(
    cov: Coverage, current_ids: Iterable, *,
    time_limit_s: float = DEFAULTS.solver_time_limit_s,
) -> pd.DataFrame:
    """Per subregion: its current ambassadors against its own best partners.

    Parameters
    ----------
    cov : Coverage
    current_ids : iterable
        Ids of the current ambassadors; those that are no candidate are left out. An
        ambassador counts in the subregion where it is located.
    time_limit_s : float
        Time limit of each subregion's solve.

    Returns
    -------
    pandas.DataFrame
        One row per subregion of the division (:data:`COLUMNS`): the names, schools,
        vmbo schools and weighted reach of the current ambassadors and of the best as many
        partners of the subregion, and ``pct_van_beste`` (the current weighted reach as a
        percentage of the best; empty without a current ambassador).
    """
    rows, _ = cov.index_of(list(current_ids))
    subs = cov.partners["subregio"].to_numpy()
    names = cov.partners["naam"].astype(str).to_numpy()
    table = []
    for sub in cov.division.subregions:
        mine = sorted(r for r in rows if subs[r] == sub)
        entry: dict[str, object] = {"subregio": sub, "aantal": len(mine),
                                    "huidige_ambassadeurs": ", ".join(names[mine])}
        if mine:
            best = solve_mclp(cov, rule=Rule(k=len(mine), quotas=((sub, len(mine)),)),
                              time_limit_s=time_limit_s).rows
            now, top = _reach(cov, mine), _reach(cov, best)
            entry.update({
                "scholen_huidig": now[0], "vmbo_huidig": now[1], "gewogen_huidig": now[2],
                "beste_keuze_in_subregio": ", ".join(names[best]),
                "scholen_beste": top[0], "vmbo_beste": top[1], "gewogen_beste": top[2],
                "pct_van_beste": round(100.0 * now[2] / top[2], 1) if top[2] else 100.0,
            })
        table.append(entry)
    return pd.DataFrame(table, columns=COLUMNS)


def _reach(cov: Coverage, rows: list[int]) -> tuple[int, int, float]:
    """Schools, vmbo schools and weighted schools reached together by ``rows``."""
    covered = np.asarray(cov.matrix[rows].sum(axis=0)).ravel() > 0
    vmbo = cov.schools["heeft_vmbo"].to_numpy(dtype=bool)
    return int(covered.sum()), int((covered & vmbo).sum()), float(cov.weights[covered].sum())
