"""Solvers of the ambassador choice: the maximal covering location problem and greedy.

Both work on a :class:`~geo.analysis.coverage.Coverage`; :mod:`geo.analysis.plans` turns
their answer into a plan.

:func:`solve_mclp` states the problem as an integer programme for PuLP and its bundled
CBC solver, over the candidate classes of :mod:`geo.analysis.reduction` (candidates that
reach the same schools are one variable; same optimum, a far smaller model). It is
written out here rather than taken from ``spopt.locate.MCLP`` because it needs what that
model lacks: a :class:`Rule` on where the ambassadors must be ("at least one per
subregion", or exactly so many in given subregions) and a fair choice between equally good
sets. Among the sets that reach the most (weighted) schools it prefers, in this order:

1. the one that reaches the most **vmbo schools that few candidates can reach** — a
   school counts ``1 / (candidates that reach it)``: a school only one partner can reach
   stays without an ambassador when that chance is missed, a school four partners can
   reach has alternatives;
2. the same for all schools;
3. partners earlier in name order (a stable result).

(1) and (2) are further solves that keep the optimum fixed; (3) exchanges one ambassador
at a time. :func:`greedy_choice` is the classic greedy heuristic, for comparison.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pulp

from geo.analysis.coverage import Coverage, PlanError
from geo.analysis.reduction import CandidateClasses, candidate_classes

#: A school reached by ``c`` candidates counts ``round(SCARCITY_SCALE / c)`` in the
#: tie-breaks (integers, so that fixing a tie-break value in the next solve is exact).
SCARCITY_SCALE = 10_000


@dataclass(frozen=True)
class Rule:
    """Where the ambassadors must be.

    Attributes
    ----------
    k : int
        Number of ambassadors.
    per_subregion : bool
        At least one in every subregion that has a candidate.
    quotas : tuple of (str, int), optional
        Exactly this many in each named subregion and none elsewhere (``k`` is their sum).
    """

    k: int
    per_subregion: bool = False
    quotas: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True)
class Scores:
    """What the choice compares, per school: the weight and the tie-break values."""

    weight: np.ndarray
    vmbo_scarcity: np.ndarray
    scarcity: np.ndarray

    @classmethod
    def of(cls, cov: Coverage, classes: CandidateClasses) -> Scores:
        """The scores of the schools of ``cov`` (only schools that count, weight > 0)."""
        counts = np.maximum(classes.reach_count, 1)
        scarcity = np.where(cov.weights > 0, np.rint(SCARCITY_SCALE / counts), 0.0)
        vmbo = cov.schools["heeft_vmbo"].to_numpy(dtype=bool)
        return cls(weight=cov.weights.astype(float), vmbo_scarcity=scarcity * vmbo,
                   scarcity=scarcity)

    def key(self, covered: np.ndarray) -> tuple[float, float, float]:
        """(weighted coverage, vmbo tie-break, tie-break) of a set of covered schools."""
        return (float(self.weight[covered].sum()), float(self.vmbo_scarcity[covered].sum()),
                float(self.scarcity[covered].sum()))


@dataclass(frozen=True)
class Solution:
    """The answer of :func:`solve_mclp`: which classes, how many of each, and the rows."""

    rows: list[int]
    counts: np.ndarray
    status: str
    classes: CandidateClasses
    scores: Scores
    rule: Rule


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


# --- the rule --------------------------------------------------------------------------


def allowed_classes(classes: CandidateClasses, rule: Rule) -> np.ndarray:
    """Mask of the classes an ambassador may come from under ``rule``."""
    if rule.quotas is None:
        return np.ones(classes.n_classes, dtype=bool)
    return np.isin(classes.subregions, [sub for sub, n in rule.quotas if n > 0])


def swap_allowed(classes: CandidateClasses, counts: np.ndarray, rule: Rule,
                 remove: int) -> np.ndarray:
    """Mask of the classes that may replace one ambassador of class ``remove``."""
    capacity = classes.capacity - counts
    capacity[remove] = 0  # the same class is no alternative
    ok = (capacity > 0) & allowed_classes(classes, rule)
    sub = classes.subregions[remove]
    if rule.quotas is not None:
        ok &= classes.subregions == sub
    elif rule.per_subregion and counts[classes.subregions == sub].sum() <= 1:
        ok &= classes.subregions == sub  # the only ambassador of its subregion
    return ok


def swap_keys(classes: CandidateClasses, counts: np.ndarray, scores: Scores,
              remove: int) -> np.ndarray:
    """Per class ``c``, the key of the choice with one ``remove`` replaced by ``c``.

    Returns
    -------
    numpy.ndarray
        ``(n_classes, 3)``: weighted coverage and the two tie-break values.
    """
    a = classes.matrix.astype(float)
    reach = np.asarray(a.T @ counts).ravel()
    without = reach - a[remove].toarray().ravel()
    base = np.array(scores.key(without > 0))
    open_ = without == 0
    gains = np.column_stack([
        np.asarray(a @ (values * open_)).ravel()
        for values in (scores.weight, scores.vmbo_scarcity, scores.scarcity)
    ])
    return base + gains


# --- the exact solver ------------------------------------------------------------------


def solve_mclp(
    cov: Coverage, *, rule: Rule, time_limit_s: float, tie_break: bool = True,
    reduce: bool = True,
) -> Solution:
    """Maximal covering location problem as an integer programme, solved by CBC.

    max Σ_j w_j y_j  subject to  y_j ≤ Σ_{c reaches j} x_c,  Σ_c x_c = k,
    0 ≤ x_c ≤ |c| integer, 0 ≤ y ≤ 1 (y is integral at the optimum because x is); with
    ``rule.per_subregion`` Σ_{c in s} x_c ≥ 1 for every subregion s with candidates, with
    ``rule.quotas`` Σ_{c in s} x_c = n_s. With ``tie_break`` the further solves and the
    name order of the module text choose among equally good sets. ``reduce=False`` makes
    every candidate a class of its own (the unreduced model, to compare).

    Raises
    ------
    PlanError
        When the solver finds no solution (Dutch message).
    """
    classes = candidate_classes(cov, merge=reduce)
    scores = Scores.of(cov, classes)
    allowed = allowed_classes(classes, rule)
    if rule.k == 1:
        counts = _best_single(classes, scores, allowed)
        status = "optimaal"
    else:
        counts, status = _solve(classes, scores, rule, allowed, time_limit_s, tie_break)
    if tie_break:
        counts = _prefer_names(classes, scores, rule, counts)
    return Solution(rows=classes.rows(counts), counts=counts, status=status,
                    classes=classes, scores=scores, rule=rule)


def _best_single(classes: CandidateClasses, scores: Scores, allowed: np.ndarray
                 ) -> np.ndarray:
    """One ambassador: every allowed class tried, the best by the module's order."""
    if not allowed.any():
        raise PlanError("De optimalisatie gaf geen oplossing (onmogelijk).")
    a = classes.matrix.astype(float)
    keys = [np.asarray(a @ values).ravel()
            for values in (scores.weight, scores.vmbo_scarcity, scores.scarcity)]
    pos = np.flatnonzero(allowed)
    order = np.lexsort((classes.name_rank[pos], -keys[2][pos], -keys[1][pos],
                        -np.round(keys[0][pos], 9)))
    counts = np.zeros(classes.n_classes, dtype=int)
    counts[pos[order[0]]] = 1
    return counts


def _solve(classes: CandidateClasses, scores: Scores, rule: Rule, allowed: np.ndarray,
           time_limit_s: float, tie_break: bool) -> tuple[np.ndarray, str]:
    a = classes.matrix.tocsc()
    capacity = classes.capacity
    prob = pulp.LpProblem("ambassadeurs", pulp.LpMaximize)
    x = {int(c): _variable(prob, f"x_{c}", 0, int(capacity[c]),
                           pulp.LpBinary if capacity[c] == 1 else pulp.LpInteger)
         for c in np.flatnonzero(allowed)}
    y = {}
    for j in range(a.shape[1]):
        rows = a.indices[a.indptr[j]:a.indptr[j + 1]]
        rows = rows[allowed[rows]]
        if len(rows) and scores.weight[j] > 0:
            y[j] = _variable(prob, f"y_{j}", 0, 1, pulp.LpContinuous)
            prob += y[j] <= pulp.lpSum(x[int(c)] for c in rows), f"bereik_{j}"
    prob += pulp.lpSum(x.values()) == rule.k, "aantal"
    if rule.quotas is not None:
        for pos, (sub, n) in enumerate(rule.quotas):
            prob += pulp.lpSum(x[c] for c in x if classes.subregions[c] == sub) == n, \
                f"quotum_{pos}"
    elif rule.per_subregion:
        for pos, sub in enumerate(sorted(set(classes.subregions[list(x)]))):
            prob += pulp.lpSum(x[c] for c in x if classes.subregions[c] == sub) >= 1, \
                f"subregio_{pos}"
    with warnings.catch_warnings():
        # PuLP 3.x flags the bundled CBC as deprecated in favour of a system CBC, which
        # these machines do not have.
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, math.ceil(time_limit_s)))

    def objective(values: np.ndarray) -> pulp.LpAffineExpression:
        return pulp.lpSum(float(values[j]) * var for j, var in y.items() if values[j])

    prob.setObjective(objective(scores.weight))
    prob.solve(solver)
    status = _status_text(prob)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise PlanError(f"De optimalisatie gaf geen oplossing ({status}).")
    counts = _counts(x, classes.n_classes)
    if not (tie_break and y and prob.sol_status == pulp.LpSolutionOptimal):
        return counts, status
    best = scores.weight[covered_by(classes, counts)].sum()
    prob += objective(scores.weight) >= best - 1e-6 * max(1.0, abs(best)), "optimum"
    for step, values in enumerate((scores.vmbo_scarcity, scores.scarcity)):
        if not any(values[j] for j in y):  # an empty objective trips CBC
            continue
        reached = values[covered_by(classes, counts)].sum()
        prob.setObjective(objective(values))
        prob.solve(solver)
        if prob.sol_status != pulp.LpSolutionOptimal:
            break
        candidate = _counts(x, classes.n_classes)
        if values[covered_by(classes, candidate)].sum() > reached:
            counts, reached = candidate, values[covered_by(classes, candidate)].sum()
        # Integer values: a later solve may not give up one unit of this preference.
        prob += objective(values) >= reached - 0.5, f"voorkeur_{step}"
    return counts, status


def covered_by(classes: CandidateClasses, counts: np.ndarray) -> np.ndarray:
    """Mask of the schools reached by ``counts[c]`` ambassadors of each class ``c``."""
    return np.asarray(classes.matrix.T.astype(int) @ counts).ravel() > 0


def _counts(x: dict, n_classes: int) -> np.ndarray:
    counts = np.zeros(n_classes, dtype=int)
    for c, var in x.items():
        counts[c] = int(round(var.value() or 0.0))
    return counts


def _prefer_names(classes: CandidateClasses, scores: Scores, rule: Rule,
                  counts: np.ndarray) -> np.ndarray:
    """Exchange ambassadors for equally good ones earlier in name order, while any is."""
    counts = counts.copy()
    improved = True
    while improved:
        improved = False
        current = np.array(scores.key(covered_by(classes, counts)))
        for c in sorted(np.flatnonzero(counts), key=lambda c: -classes.name_rank[c]):
            ok = swap_allowed(classes, counts, rule, c)
            ok &= classes.name_rank < classes.name_rank[c]
            if not ok.any():
                continue
            keys = swap_keys(classes, counts, scores, c)
            equal = ok & np.isclose(keys[:, 0], current[0], rtol=0, atol=1e-9) \
                & (keys[:, 1] == current[1]) & (keys[:, 2] == current[2])
            if equal.any():
                better = np.flatnonzero(equal)[np.argmin(classes.name_rank[equal])]
                counts[c] -= 1
                counts[better] += 1
                improved = True
                break
    return counts


def _variable(prob: pulp.LpProblem, name: str, low: float, high: float, cat: str
              ) -> pulp.LpVariable:
    """A variable of ``prob`` (PuLP ≥ 3.3 ``add_variable``, else the old constructor)."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, lowBound=low, upBound=high, cat=cat)
    return pulp.LpVariable(name, lowBound=low, upBound=high, cat=cat)


def _status_text(prob: pulp.LpProblem) -> str:
    if prob.sol_status == pulp.LpSolutionOptimal:
        return "optimaal"
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return "toelaatbaar, maar tijdslimiet bereikt (mogelijk niet optimaal)"
    if prob.sol_status == pulp.LpSolutionInfeasible:
        return "onmogelijk"
    return "geen oplossing gevonden"


# --- greedy ----------------------------------------------------------------------------


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
