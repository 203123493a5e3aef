"""Ambassador plans: choose ambassadors from a coverage, and say what they reach.

* :func:`optimal_plan` — the maximal covering location problem (MCLP): ``k``
  ambassadors that together reach the largest weighted number of schools, optionally with
  at least one ambassador in every subregion that has a candidate (solved exactly, see
  :func:`geo.analysis.optimise.solve_mclp`);
* :func:`greedy_plan` — the classic greedy choice, for comparison;
* :func:`fixed_plan` — the figures of a given set, e.g. the current ambassadors;
* :func:`evaluate` — the current ambassadors next to the optimum for as many, overall and
  per subregion (:mod:`geo.analysis.comparisons`);
* :func:`coverage_curve` — optimum and greedy for several ``k``.

Every plan is an :class:`AmbassadorPlan` with public partner fields only; its exports
for the board (Excel, map, image) are in :mod:`geo.output.plans`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import pandas as pd

from geo.analysis.comparisons import subregion_comparison
from geo.analysis.coverage import Coverage, PlanError
from geo.analysis.optimise import Rule, effective_k, greedy_choice, solve_mclp
from geo.analysis.ties import Ties, disclose_ties
from geo.reference.data import Division
from geo.settings import DEFAULTS
from geo.text import count_noun, nl_number

#: Method codes of a plan and their Dutch labels.
METHOD_LABELS = {
    "optimaal": "beste keuze (exact berekend)",
    "greedy": "snelle benadering (steeds de partner die het meest toevoegt)",
    "huidig": "huidige ambassadeurs",
}


@dataclass(frozen=True)
class AmbassadorPlan:
    """A set of ambassadors with what it reaches.

    Attributes
    ----------
    method : str
        ``"optimaal"``, ``"greedy"`` or ``"huidig"`` (see :data:`METHOD_LABELS`).
    status : str
        Dutch status of the solve, e.g. ``"optimaal"``.
    chosen : pandas.DataFrame
        One row per ambassador (public fields only): ``id``, ``naam``, ``soort``,
        ``plaats``, ``gemeentenaam``, ``subregio``, ``lat``, ``lon``,
        ``scholen_bereik``, ``vmbo_scholen_bereik`` (schools this partner reaches on its
        own), ``gewogen_bereik``, ``extra_gedekt`` (schools only this ambassador reaches).
    per_subregion : pandas.DataFrame
        One row per subregion of the division: ``subregio``, ``ambassadeurs``,
        ``scholen_gedekt``, ``scholen_totaal``, ``vmbo_gedekt``, ``vmbo_totaal``,
        ``dekking_pct``, ``vmbo_dekking_pct``. A school counts in its own subregion,
        whichever ambassador reaches it.
    schools : pandas.DataFrame
        The schools of the work area with ``gedekt`` (bool) and ``bereikt_door``
        (names of the ambassadors that reach it).
    k : int
        Number of ambassadors.
    radius_km, vmbo_weight : float
        Parameters of the coverage.
    at_least_one_per_subregion : bool
        Whether that constraint was imposed.
    division : Division
        The subregion division used.
    weighted_coverage, weighted_total : float
        Weighted number of schools reached, and of all schools.
    solve_seconds : float
        Time the choice took.
    created : datetime
        When the plan was made.
    notes : tuple of str
        Dutch remarks for the user.
    ties : Ties or None
        For an optimal plan: the partners that would be just as good (see
        :mod:`geo.analysis.ties`).
    """

    method: str
    status: str
    chosen: pd.DataFrame
    per_subregion: pd.DataFrame
    schools: pd.DataFrame
    k: int
    radius_km: float
    vmbo_weight: float
    at_least_one_per_subregion: bool
    division: Division
    weighted_coverage: float
    weighted_total: float
    solve_seconds: float
    created: datetime = field(default_factory=datetime.now)
    notes: tuple[str, ...] = ()
    ties: Ties | None = None

    @property
    def chosen_ids(self) -> tuple:
        """Ids of the chosen partners."""
        return tuple(self.chosen["id"])

    @property
    def schools_covered(self) -> int:
        """Number of schools within reach of at least one ambassador."""
        return int(self.schools["gedekt"].sum())

    @property
    def schools_total(self) -> int:
        """Number of schools in the work area."""
        return len(self.schools)

    @property
    def vmbo_covered(self) -> int:
        """Number of vmbo schools within reach."""
        return int((self.schools["gedekt"] & self.schools["heeft_vmbo"]).sum())

    @property
    def vmbo_total(self) -> int:
        """Number of vmbo schools in the work area."""
        return int(self.schools["heeft_vmbo"].sum())

    @property
    def coverage_share(self) -> float:
        """Weighted coverage as a fraction of the weighted total (0–1)."""
        return self.weighted_coverage / self.weighted_total if self.weighted_total else 0.0

    def summary(self) -> str:
        """One Dutch sentence with the totals."""
        def number(value: float) -> str:
            return nl_number(value, 1, trim=True)

        reach = "bereikt" if self.k == 1 else "bereiken"
        return (
            f"{count_noun(self.k, 'ambassadeur', 'ambassadeurs')} ({self.method}) {reach} binnen "
            f"{number(self.radius_km)} km {self.schools_covered} van {self.schools_total} "
            f"scholen, waarvan {self.vmbo_covered} van {self.vmbo_total} vmbo-scholen; "
            f"gewogen dekking {number(self.weighted_coverage)} van "
            f"{number(self.weighted_total)} ({self.coverage_share:.0%}, vmbo-gewicht "
            f"{number(self.vmbo_weight)})."
        )


def build_plan(
    cov: Coverage,
    chosen: Sequence[int],
    *,
    method: str,
    status: str,
    k: int,
    per_subregion: bool,
    solve_seconds: float,
    notes: Sequence[str],
) -> AmbassadorPlan:
    """The plan of the candidates at matrix rows ``chosen`` of ``cov``.

    What they reach per school (``gedekt``, ``bereikt_door``), per ambassador and per
    subregion, with the given method, status, notes and solve time.
    """
    rows = sorted(int(i) for i in chosen)
    a = cov.matrix.tocsr()
    sub_a = a[rows].toarray() if rows else np.zeros((0, a.shape[1]), dtype=bool)
    reach_count = sub_a.sum(axis=0)
    covered = reach_count > 0
    schools = cov.schools.copy()
    schools["gedekt"] = covered
    names = cov.partners["naam"].astype(str).to_numpy()
    schools["bereikt_door"] = [
        ", ".join(names[rows][sub_a[:, j]]) if covered[j] else "" for j in range(len(schools))
    ]

    counts = cov.reach_counts().iloc[rows].reset_index(drop=True)
    chosen_frame = cov.partners.iloc[rows].reset_index(drop=True)
    chosen_frame = pd.concat([chosen_frame, counts], axis=1)
    chosen_frame["extra_gedekt"] = (sub_a & (reach_count == 1)).sum(axis=1).astype(int)
    columns = ["id", "naam", "soort", "plaats", "gemeentenaam", "subregio", "lat", "lon",
               "scholen_bereik", "vmbo_scholen_bereik", "gewogen_bereik", "extra_gedekt"]
    extra = [c for c in ("donateur", "ambassadeur_voor", "voorbeeld") if c in chosen_frame]
    chosen_frame = chosen_frame[columns + extra].sort_values(
        ["subregio", "gewogen_bereik"], ascending=[True, False], kind="mergesort"
    ).reset_index(drop=True)

    table = []
    for sub in cov.division.subregions:
        in_sub = (schools["subregio"] == sub).to_numpy()
        vmbo = schools["heeft_vmbo"].to_numpy()
        total, done = int(in_sub.sum()), int((in_sub & covered).sum())
        vtotal, vdone = int((in_sub & vmbo).sum()), int((in_sub & vmbo & covered).sum())
        table.append({
            "subregio": sub,
            "ambassadeurs": int((chosen_frame["subregio"] == sub).sum()),
            "scholen_gedekt": done,
            "scholen_totaal": total,
            "vmbo_gedekt": vdone,
            "vmbo_totaal": vtotal,
            "dekking_pct": round(100.0 * done / total, 1) if total else None,
            "vmbo_dekking_pct": round(100.0 * vdone / vtotal, 1) if vtotal else None,
        })
    return AmbassadorPlan(
        method=method,
        status=status,
        chosen=chosen_frame,
        per_subregion=pd.DataFrame(table),
        schools=schools,
        k=int(k),
        radius_km=cov.radius_km,
        vmbo_weight=cov.vmbo_weight,
        at_least_one_per_subregion=per_subregion,
        division=cov.division,
        weighted_coverage=float(cov.weights[covered].sum()),
        weighted_total=float(cov.weights.sum()),
        solve_seconds=float(solve_seconds),
        notes=tuple(notes),
    )


def optimal_plan(
    cov: Coverage,
    *,
    k: int,
    per_subregion: bool = False,
    time_limit_s: float = DEFAULTS.solver_time_limit_s,
    tie_break: bool = True,
) -> AmbassadorPlan:
    """The ``k`` candidates of ``cov`` that together reach the most (weighted) schools.

    The maximal covering location problem, solved exactly with PuLP and its bundled
    CBC solver (within ``time_limit_s``; the plan's ``status`` says when the limit cut
    the search short). With ``tie_break``, among equally good sets the one that reaches
    the most vmbo schools few partners can reach is preferred (see
    :mod:`geo.analysis.optimise`), and the plan's ``ties`` say which partners would have
    been just as good.

    Parameters
    ----------
    cov : Coverage
    k : int
        Number of ambassadors (clamped to the number of candidates, with a note).
    per_subregion : bool
        Require at least one ambassador in every subregion that has a candidate.
    time_limit_s : float
        Time limit of the solver, in seconds.
    tie_break : bool
        Break ties and disclose them (see :func:`geo.analysis.optimise.solve_mclp`).

    Returns
    -------
    AmbassadorPlan

    Raises
    ------
    PlanError
        No candidates, ``k`` < 1, or ``k`` smaller than the number of subregions that
        need an ambassador under ``per_subregion`` (Dutch message).
    """
    k_eff, notes = effective_k(cov, k, per_subregion)
    start = time.perf_counter()
    solution = solve_mclp(
        cov, rule=Rule(k=k_eff, per_subregion=per_subregion), time_limit_s=time_limit_s,
        tie_break=tie_break,
    )
    elapsed = time.perf_counter() - start
    plan = build_plan(
        cov, solution.rows, method="optimaal", status=solution.status, k=k_eff,
        per_subregion=per_subregion, solve_seconds=elapsed, notes=notes,
    )
    return replace(plan, ties=disclose_ties(cov, solution)) if tie_break else plan


def greedy_plan(cov: Coverage, *, k: int, per_subregion: bool = False) -> AmbassadorPlan:
    """The greedy choice of ``k`` candidates of ``cov``, for comparison.

    Each step adds the candidate that adds the largest weighted coverage
    (:func:`geo.analysis.optimise.greedy_choice`). Same parameters and errors as
    :func:`optimal_plan`.
    """
    k_eff, notes = effective_k(cov, k, per_subregion)
    start = time.perf_counter()
    chosen = greedy_choice(cov, k=k_eff, per_subregion=per_subregion)
    elapsed = time.perf_counter() - start
    return build_plan(
        cov, chosen, method="greedy", status="benadering (niet gegarandeerd de beste)",
        k=k_eff, per_subregion=per_subregion, solve_seconds=elapsed, notes=notes,
    )


def fixed_plan(cov: Coverage, partner_ids: Iterable, *, method: str = "huidig"
               ) -> AmbassadorPlan:
    """The plan (coverage figures) of a given set of partners, e.g. the current one.

    Ids that are not candidates (no location, inactive, outside the work area) are left
    out and counted in the plan's ``notes``.
    """
    rows, missing = cov.index_of(partner_ids)
    notes = []
    if missing:
        notes.append(
            f"{count_noun(len(missing), 'aangewezen partner telt', 'aangewezen partners tellen')}"
            " niet mee (geen locatie, niet "
            "actief of buiten het werkgebied)."
        )
    return build_plan(
        cov, rows, method=method, status="vastgelegde keuze", k=len(rows),
        per_subregion=False, solve_seconds=0.0, notes=notes,
    )


@dataclass(frozen=True)
class Comparison:
    """The current ambassadors next to the optimum for the same number.

    Attributes
    ----------
    current : AmbassadorPlan
        The plan of the currently marked ambassadors.
    optimum : AmbassadorPlan
        The optimal plan with as many ambassadors.
    subregions : pandas.DataFrame or None
        Per subregion, its current ambassadors against the best as many partners of that
        subregion (:func:`geo.analysis.comparisons.subregion_comparison`).
    """

    current: AmbassadorPlan
    optimum: AmbassadorPlan
    subregions: pd.DataFrame | None = None

    @property
    def ratio(self) -> float:
        """Weighted coverage of the current set as a fraction of the optimum (0–1)."""
        best = self.optimum.weighted_coverage
        return self.current.weighted_coverage / best if best else 1.0

    def table(self) -> pd.DataFrame:
        """Dutch comparison table: one row per plan."""
        rows = []
        for label, plan in (("huidige ambassadeurs", self.current),
                            ("beste keuze (zelfde aantal)", self.optimum)):
            rows.append({
                "keuze": label,
                "ambassadeurs": plan.k,
                "scholen_bereik": plan.schools_covered,
                "vmbo_scholen_bereik": plan.vmbo_covered,
                "gewogen_dekking": round(plan.weighted_coverage, 2),
                "dekking_pct": round(100 * plan.coverage_share, 1),
            })
        return pd.DataFrame(rows)


def evaluate(
    current_ambassador_ids: Iterable,
    cov: Coverage,
    *,
    per_subregion: bool = False,
    time_limit_s: float = DEFAULTS.solver_time_limit_s,
) -> Comparison:
    """Coverage of the currently marked ambassadors versus the optimum for as many.

    Parameters
    ----------
    current_ambassador_ids : iterable
        Ids of the current ambassadors (see
        :func:`geo.analysis.coverage.current_ambassador_ids`).
    cov : Coverage
        From :func:`geo.analysis.coverage.coverage`.
    per_subregion : bool
        Compare with the optimum that has at least one ambassador per subregion. When
        there are fewer current ambassadors than such subregions, the unconstrained
        optimum is used and a note says so.
    time_limit_s : float
        Time limit of the optimum's solve.

    Returns
    -------
    Comparison

    Raises
    ------
    PlanError
        When none of the ids is a candidate (Dutch message).
    """
    current = fixed_plan(cov, list(current_ambassador_ids))
    if current.k == 0:
        raise PlanError(
            "Er zijn geen huidige ambassadeurs met een locatie in het werkgebied om te "
            "vergelijken."
        )
    needed = len(cov.subregions_with_candidates())
    constrained = per_subregion and current.k >= needed
    optimum = optimal_plan(cov, k=current.k, per_subregion=constrained,
                           time_limit_s=time_limit_s)
    if per_subregion and not constrained:
        optimum = replace(optimum, notes=optimum.notes + (
            f"Vergeleken zonder 'minstens één per subregio': er zijn {current.k} huidige "
            f"ambassadeurs en {needed} subregio's met kandidaten.",
        ))
    subregions = subregion_comparison(cov, current.chosen_ids, time_limit_s=time_limit_s)
    return Comparison(current=current, optimum=optimum, subregions=subregions)


def coverage_curve(
    cov: Coverage, ks: Iterable[int], *, time_limit_s: float = DEFAULTS.solver_time_limit_s
) -> pd.DataFrame:
    """Weighted coverage of the optimal and the greedy choice for several ``k``.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``optimaal``, ``greedy`` (weighted coverage) and
        ``optimaal_scholen``, ``greedy_scholen`` (schools reached).
    """
    rows = []
    for k in ks:
        if k < 1 or k > cov.n_partners:
            continue
        best = optimal_plan(cov, k=k, time_limit_s=time_limit_s, tie_break=False)
        quick = greedy_plan(cov, k=k)
        rows.append({
            "k": int(k),
            "optimaal": best.weighted_coverage,
            "greedy": quick.weighted_coverage,
            "optimaal_scholen": best.schools_covered,
            "greedy_scholen": quick.schools_covered,
        })
    return pd.DataFrame(rows, columns=["k", "optimaal", "greedy", "optimaal_scholen",
                                       "greedy_scholen"])

