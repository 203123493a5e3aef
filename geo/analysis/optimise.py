"""Solvers of the ambassador choice: the maximal covering location problem and greedy.

Both work on a :class:`~geo.analysis.coverage.Coverage` and return matrix rows (the
chosen candidates); :mod:`geo.analysis.plans` turns rows into a plan.

:func:`solve_mclp` states the problem as an integer programme for PuLP and its bundled
CBC solver. It is written out here rather than taken from ``spopt.locate.MCLP`` because
it needs two things that model lacks: "at least one ambassador per subregion" and a
second solve that breaks ties between equally good sets. :func:`greedy_choice` is the
classic greedy heuristic, for comparison.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pulp

from geo.analysis.coverage import Coverage, PlanError


def effective_k(cov: Coverage, k: int, per_subregion: bool) -> tuple[int, list[str]]:
    """The number of ambassadors a solver can choose for ``k`` on ``cov``.

    Returns
    -------
    k : int
        ``k``, clamped to the number of candidates.
    notes : list of str
        A Dutch note when it was clamped.

    Raises
    ------
    PlanError
        No candidates, ``k`` < 1, or (with ``per_subregion``) fewer than the subregions
        that have candidates; with a Dutch message.
    """
    if cov.n_partners == 0:
        raise PlanError(
            "Er zijn geen kandidaat-partners: geen (actieve) partner heeft een locatie in "
            "het werkgebied."
        )
    if int(k) < 1:
        raise PlanError("Het aantal ambassadeurs (k) moet minstens 1 zijn.")
    notes = []
    k_eff = int(k)
    if k_eff > cov.n_partners:
        notes.append(
            f"Er zijn maar {cov.n_partners} kandidaten; alle kandidaten zijn gekozen "
            f"in plaats van {k_eff}."
        )
        k_eff = cov.n_partners
    if per_subregion:
        needed = cov.subregions_with_candidates()
        if k_eff < len(needed):
            raise PlanError(
                f"Met 'minstens één per subregio' zijn minstens {len(needed)} ambassadeurs "
                f"nodig ({len(needed)} subregio's hebben kandidaten), maar k is {k_eff}. "
                "Kies een grotere k of zet de optie uit."
            )
    return k_eff, notes


def solve_mclp(
    cov: Coverage, *, k: int, per_subregion: bool, time_limit_s: float, tie_break: bool
) -> tuple[list[int], str]:
    """Maximal covering location problem as a 0/1 programme, solved by CBC.

    max Σ_j w_j y_j  subject to  y_j ≤ Σ_{i reaches j} x_i,  Σ_i x_i = k,
    x binary, 0 ≤ y ≤ 1 (y is integral at the optimum because x is), and with
    ``per_subregion`` Σ_{i in s} x_i ≥ 1 for every subregion s with candidates.
    With ``tie_break`` a second solve keeps the optimal coverage and prefers, among
    equally good sets, the partners that individually reach the most.
    """
    a = cov.matrix.tocsc()
    n = cov.n_partners
    prob = pulp.LpProblem("ambassadeurs", pulp.LpMaximize)
    x = [_variable(prob, f"x_{i}", 0, 1, pulp.LpBinary) for i in range(n)]
    y = {}
    for j in range(a.shape[1]):
        rows = a.indices[a.indptr[j]:a.indptr[j + 1]]
        if len(rows) == 0 or cov.weights[j] <= 0:
            continue
        y[j] = _variable(prob, f"y_{j}", 0, 1, pulp.LpContinuous)
        prob += y[j] <= pulp.lpSum(x[i] for i in rows), f"bereik_{j}"
    objective = pulp.lpSum(float(cov.weights[j]) * var for j, var in y.items())
    prob += objective
    prob += pulp.lpSum(x) == k, "aantal"
    if per_subregion:
        subs = cov.partners["subregio"].to_numpy()
        for s_pos, sub in enumerate(cov.subregions_with_candidates()):
            members = np.flatnonzero(subs == sub)
            prob += pulp.lpSum(x[i] for i in members) >= 1, f"subregio_{s_pos}"
    with warnings.catch_warnings():
        # PuLP 3.x flags the bundled CBC as deprecated in favour of a system CBC, which
        # these machines do not have.
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, math.ceil(time_limit_s)))
    prob.solve(solver)
    status = _status_text(prob)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise PlanError(f"De optimalisatie gaf geen oplossing ({status}).")
    chosen = _chosen(x)
    if tie_break and prob.sol_status == pulp.LpSolutionOptimal and y:
        best = pulp.value(objective) or 0.0
        own = np.asarray(cov.matrix.astype(float) @ cov.weights).ravel()
        prob += objective >= best - 1e-6 * max(1.0, abs(best)), "optimum_vast"
        prob.setObjective(pulp.lpSum(float(own[i]) * x[i] for i in range(n)))
        prob.solve(solver)
        if prob.sol_status == pulp.LpSolutionOptimal:
            chosen = _chosen(x)
    return chosen, status


def _variable(prob: pulp.LpProblem, name: str, low: float, high: float, cat: str
              ) -> pulp.LpVariable:
    """A variable of ``prob`` (PuLP ≥ 3.3 ``add_variable``, else the old constructor)."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, lowBound=low, upBound=high, cat=cat)
    return pulp.LpVariable(name, lowBound=low, upBound=high, cat=cat)


def _chosen(x: list[pulp.LpVariable]) -> list[int]:
    return [i for i, var in enumerate(x) if (var.value() or 0.0) > 0.5]


def _status_text(prob: pulp.LpProblem) -> str:
    if prob.sol_status == pulp.LpSolutionOptimal:
        return "optimaal"
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return "toelaatbaar, maar tijdslimiet bereikt (mogelijk niet optimaal)"
    if prob.sol_status == pulp.LpSolutionInfeasible:
        return "onmogelijk"
    return "geen oplossing gevonden"


def greedy_choice(cov: Coverage, *, k: int, per_subregion: bool) -> list[int]:
    """Repeatedly add the partner that adds the largest weighted coverage.

    Ties go to the partner that reaches most on its own, then to the lowest row. With
    ``per_subregion``, once the picks left equal the subregions still without an
    ambassador, only candidates from those subregions are eligible.
    """
    a = cov.matrix.astype(float).tocsr()
    w = cov.weights
    own = np.asarray(a @ w).ravel()
    subs = cov.partners["subregio"].to_numpy()
    required = set(cov.subregions_with_candidates()) if per_subregion else set()
    uncovered = np.ones(a.shape[1], dtype=bool)
    chosen: list[int] = []
    available = np.ones(cov.n_partners, dtype=bool)
    for step in range(k):
        eligible = available.copy()
        missing = required - {subs[i] for i in chosen}
        if missing and len(missing) >= k - step:
            eligible &= np.isin(subs, list(missing))
        gain = np.asarray(a @ (w * uncovered)).ravel()
        order = np.lexsort((np.arange(len(gain)), -own, -gain))
        pick = next(int(i) for i in order if eligible[i])
        chosen.append(pick)
        available[pick] = False
        uncovered &= ~(a[pick].toarray().ravel() > 0)
    return chosen
