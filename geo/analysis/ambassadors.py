"""The ambassador planner: which partners reach the most schools within R km.

The board wants ambassadors — partners well placed to reach many secondary schools,
especially vmbo schools. This module answers three questions:

* :func:`coverage` — which schools each candidate partner reaches within ``R`` km
  (straight line in RD New), with a weight per school (vmbo schools weigh more);
* :func:`rank_candidates` — per subregion, the candidates ranked by the weighted
  number of schools they reach;
* :func:`optimise` — the maximal covering location problem (MCLP): choose ``k``
  ambassadors that together reach the largest weighted number of schools, optionally
  with at least one ambassador in every subregion that has a candidate. It is solved
  as an integer programme with PuLP and its bundled CBC solver; :func:`greedy` gives the
  classic greedy choice for comparison, and :func:`evaluate` compares the currently
  marked ambassadors with the optimum for the same number of ambassadors.

Plans can be exported for the board: :func:`plan_sheets` (Dutch sheets, written by
:func:`geo.output.tables.xlsx_bytes`),
:func:`plan_map` (folium, for :func:`geo.output.assets.standalone_html`) and
:func:`plan_image` (a static PNG or PDF drawn with matplotlib, no tiles needed).

Only public partner fields (:data:`PUBLIC_PARTNER_COLUMNS`) are ever read from the
partner frame, so a frame with contact persons cannot leak them into a plan or export.

Candidates are partners with a location in one of the municipalities of the active
subregion division (and, by default, active); the schools counted are the schools in
those municipalities. The subregion of partners and schools is always re-derived from
``gemeentecode`` with the active :class:`~geo.reference.data.Division`.
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import folium
import numpy as np
import pandas as pd
import pulp
from scipy.sparse import csr_matrix

from geo.analysis.proximity import to_rd, within_radius
from geo.errors import InfrakaartError
from geo.reference.data import OUTSIDE, RD_NEW, WGS84, Division, Reference

#: Partner columns the planner may read; everything else (contact data!) is dropped.
PUBLIC_PARTNER_COLUMNS = (
    "id", "naam", "soort", "donateur", "actief", "plaats", "gemeentecode", "gemeentenaam",
    "ambassadeur_voor", "lat", "lon", "nauwkeurigheid", "voorbeeld",
)

#: Default radius (km) and weight of a vmbo school (other schools weigh 1).
DEFAULT_RADIUS_KM = 10.0
DEFAULT_VMBO_WEIGHT = 2.0

#: Default time limit of one CBC solve, in seconds.
DEFAULT_TIME_LIMIT_S = 30.0

#: Method codes of a plan and their Dutch labels.
METHOD_LABELS = {
    "optimaal": "optimalisatie (MCLP, CBC)",
    "greedy": "greedy (telkens de partner die het meest toevoegt)",
    "huidig": "huidige ambassadeurs",
}

#: Attribution printed on the static image and the Excel sheet.
IMAGE_ATTRIBUTION = "Bron: CBS, DUO; © Kadaster"

COVERED_COLOR = "#1a9850"
UNCOVERED_COLOR = "#d73027"
AMBASSADOR_COLOR = "#1f5fa8"


class PlanError(InfrakaartError, ValueError):
    """The ambassador plan cannot be made with these settings (Dutch message)."""


# ---------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Which schools each candidate partner reaches.

    Attributes
    ----------
    partners : pandas.DataFrame
        The candidates (public columns only), positionally aligned with the matrix
        rows, with ``subregio`` re-derived from the division.
    schools : pandas.DataFrame
        The schools in the work area, aligned with the matrix columns: ``id``,
        ``naam``, ``plaats``, ``gemeentecode``, ``subregio``, ``heeft_vmbo``,
        ``gewicht``, ``lat``, ``lon``.
    matrix : scipy.sparse.csr_matrix
        Boolean ``(n_partners, n_schools)``: partner ``i`` reaches school ``j``.
    weights : numpy.ndarray
        Weight per school: ``vmbo_weight`` for a vmbo school, else 1.
    radius_km, vmbo_weight : float
        The parameters used.
    division : Division
        The subregion division used.
    """

    partners: pd.DataFrame
    schools: pd.DataFrame
    matrix: csr_matrix
    weights: np.ndarray
    radius_km: float
    vmbo_weight: float
    division: Division

    @property
    def n_partners(self) -> int:
        """Number of candidates."""
        return len(self.partners)

    def reach_counts(self) -> pd.DataFrame:
        """Per candidate: ``scholen_bereik``, ``vmbo_scholen_bereik``, ``gewogen_bereik``."""
        a = self.matrix.astype(float)
        vmbo = self.schools["heeft_vmbo"].to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "scholen_bereik": np.asarray(a.sum(axis=1)).ravel().astype(int),
                "vmbo_scholen_bereik": np.asarray(a @ vmbo).ravel().round().astype(int),
                "gewogen_bereik": np.asarray(a @ self.weights).ravel(),
            },
            index=self.partners.index,
        )

    def index_of(self, partner_ids: Iterable) -> tuple[list[int], list]:
        """Matrix rows of ``partner_ids``; returns (rows, ids that are not candidates)."""
        lookup = {pid: pos for pos, pid in enumerate(self.partners["id"])}
        rows, missing = [], []
        for pid in partner_ids:
            key = _normalise_id(pid)
            if key in lookup:
                if lookup[key] not in rows:
                    rows.append(lookup[key])
            else:
                missing.append(pid)
        return rows, missing

    def subregions_with_candidates(self) -> list[str]:
        """Subregions (of the division) that hold at least one candidate, sorted."""
        return sorted(set(self.partners["subregio"]) - {OUTSIDE})

    # -- solvers ---------------------------------------------------------------------

    def optimise(
        self,
        *,
        k: int,
        per_subregion: bool = False,
        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
        tie_break: bool = True,
    ) -> AmbassadorPlan:
        """Solve the maximal covering location problem on this coverage.

        See :func:`optimise` for the parameters.
        """
        k_eff, notes = self._check_k(k, per_subregion)
        start = time.perf_counter()
        chosen, status = _solve_mclp(
            self, k=k_eff, per_subregion=per_subregion, time_limit_s=time_limit_s,
            tie_break=tie_break,
        )
        elapsed = time.perf_counter() - start
        return _build_plan(
            self, chosen, method="optimaal", status=status, k=k_eff,
            per_subregion=per_subregion, solve_seconds=elapsed, notes=notes,
        )

    def greedy(self, *, k: int, per_subregion: bool = False) -> AmbassadorPlan:
        """The greedy choice on this coverage; see :func:`greedy`."""
        k_eff, notes = self._check_k(k, per_subregion)
        start = time.perf_counter()
        chosen = _greedy_choice(self, k=k_eff, per_subregion=per_subregion)
        elapsed = time.perf_counter() - start
        return _build_plan(
            self, chosen, method="greedy", status="heuristiek (geen garantie op optimum)",
            k=k_eff, per_subregion=per_subregion, solve_seconds=elapsed, notes=notes,
        )

    def plan_for(self, partner_ids: Iterable, *, method: str = "huidig") -> AmbassadorPlan:
        """The plan (coverage figures) of a given set of partners, e.g. the current one.

        Ids that are not candidates (no location, inactive, outside the work area)
        are left out and named in the plan's ``notes``.
        """
        rows, missing = self.index_of(partner_ids)
        notes = []
        if missing:
            notes.append(
                f"{len(missing)} aangewezen partner(s) tellen niet mee (geen locatie, niet "
                "actief of buiten het werkgebied)."
            )
        return _build_plan(
            self, rows, method=method, status="vastgelegde keuze", k=len(rows),
            per_subregion=False, solve_seconds=0.0, notes=notes,
        )

    def _check_k(self, k: int, per_subregion: bool) -> tuple[int, list[str]]:
        if self.n_partners == 0:
            raise PlanError(
                "Er zijn geen kandidaat-partners: geen (actieve) partner heeft een locatie in "
                "het werkgebied."
            )
        if int(k) < 1:
            raise PlanError("Het aantal ambassadeurs (k) moet minstens 1 zijn.")
        notes = []
        k_eff = int(k)
        if k_eff > self.n_partners:
            notes.append(
                f"Er zijn maar {self.n_partners} kandidaten; alle kandidaten zijn gekozen "
                f"in plaats van {k_eff}."
            )
            k_eff = self.n_partners
        if per_subregion:
            needed = self.subregions_with_candidates()
            if k_eff < len(needed):
                raise PlanError(
                    f"Met 'minstens één per subregio' zijn minstens {len(needed)} ambassadeurs "
                    f"nodig ({len(needed)} subregio's hebben kandidaten), maar k is {k_eff}. "
                    "Kies een grotere k of zet de optie uit."
                )
        return k_eff, notes


def _normalise_id(value):
    """Ids from the database are ints; numpy and string ids compare as ints too."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _first_column(frame: pd.DataFrame, names: Sequence[str]) -> pd.Series | None:
    for name in names:
        if name in frame.columns:
            return frame[name]
    return None


def _prepare_partners(
    partners: pd.DataFrame, division: Division, *, include_inactive: bool
) -> pd.DataFrame:
    if "gemeentecode" not in partners.columns:
        raise ValueError("partners needs a 'gemeentecode' column")
    frame = partners[[c for c in PUBLIC_PARTNER_COLUMNS if c in partners.columns]].copy()
    if "id" not in frame.columns:
        frame["id"] = np.arange(len(frame))
    frame["id"] = [_normalise_id(v) for v in frame["id"]]
    for column in ("naam", "soort", "plaats", "gemeentenaam"):
        if column not in frame.columns:
            frame[column] = ""
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    sub_of = division.subregion_of()
    frame["subregio"] = frame["gemeentecode"].map(sub_of)
    keep = frame["lat"].notna() & frame["lon"].notna() & frame["subregio"].notna()
    if not include_inactive and "actief" in frame.columns:
        keep &= frame["actief"].fillna(True).astype(bool)
    return frame[keep].reset_index(drop=True)


def _prepare_schools(schools: pd.DataFrame, division: Division, vmbo_weight: float
                     ) -> pd.DataFrame:
    key = _first_column(schools, ("id", "vestigingscode"))
    gm = _first_column(schools, ("gemeentecode", "gemeentecode_duo"))
    if gm is None:
        raise ValueError("schools needs a 'gemeentecode' column")
    name = _first_column(schools, ("naam", "vestigingsnaam"))
    place = _first_column(schools, ("plaats", "plaatsnaam"))
    frame = pd.DataFrame(
        {
            "id": key.to_numpy() if key is not None else np.arange(len(schools)),
            "naam": name.to_numpy() if name is not None else "",
            "plaats": place.to_numpy() if place is not None else "",
            "gemeentecode": gm.to_numpy(),
            "heeft_vmbo": schools["heeft_vmbo"].fillna(False).astype(bool).to_numpy(),
            "lat": pd.to_numeric(schools["lat"], errors="coerce").to_numpy(),
            "lon": pd.to_numeric(schools["lon"], errors="coerce").to_numpy(),
        }
    )
    if "vestigingscode" in schools.columns:
        frame["vestigingscode"] = schools["vestigingscode"].to_numpy()
    frame["subregio"] = frame["gemeentecode"].map(division.subregion_of())
    frame = frame[frame["subregio"].notna() & frame["lat"].notna() & frame["lon"].notna()]
    frame = frame.reset_index(drop=True)
    frame["gewicht"] = np.where(frame["heeft_vmbo"], float(vmbo_weight), 1.0)
    return frame


def coverage(
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    vmbo_weight: float = DEFAULT_VMBO_WEIGHT,
    division: Division | None = None,
    reference: Reference | None = None,
    include_inactive: bool = False,
) -> Coverage:
    """Which schools each candidate partner reaches within ``radius_km`` (RD New).

    Parameters
    ----------
    partners : pandas.DataFrame
        Organisations as :meth:`geo.register.store.Store.organisations` returns them; needs
        ``id``, ``naam``, ``lat``, ``lon``, ``gemeentecode``. Only the columns in
        :data:`PUBLIC_PARTNER_COLUMNS` are read.
    schools : pandas.DataFrame
        Schools as :meth:`geo.register.store.Store.schools` returns them (or the reference
        ``scholen`` layer): ``lat``, ``lon``, ``gemeentecode``, ``heeft_vmbo``.
    radius_km : float
        Reach of one ambassador, straight line in kilometres.
    vmbo_weight : float
        Weight of a school with vmbo; other schools weigh 1.
    division : Division, optional
        Subregion division; the default one of ``reference`` when omitted.
    reference : Reference, optional
        Needed only when ``division`` is omitted.
    include_inactive : bool
        Also consider partners marked inactive (``actief`` false).

    Returns
    -------
    Coverage
    """
    if division is None:
        if reference is None:
            raise ValueError("pass a division or a reference")
        division = reference.default_division
    if radius_km <= 0:
        raise PlanError("De straal moet groter dan 0 km zijn.")
    if vmbo_weight < 0:
        raise PlanError("Het gewicht van een vmbo-school mag niet negatief zijn.")
    cand = _prepare_partners(partners, division, include_inactive=include_inactive)
    sch = _prepare_schools(schools, division, vmbo_weight)
    matrix = within_radius(
        to_rd(cand["lon"], cand["lat"]), to_rd(sch["lon"], sch["lat"]), radius_km * 1000.0
    )
    return Coverage(
        partners=cand,
        schools=sch,
        matrix=csr_matrix(matrix, dtype=bool),
        weights=sch["gewicht"].to_numpy(dtype=float),
        radius_km=float(radius_km),
        vmbo_weight=float(vmbo_weight),
        division=division,
    )


def rank_candidates(
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    vmbo_weight: float = DEFAULT_VMBO_WEIGHT,
    division: Division | None = None,
    reference: Reference | None = None,
    include_inactive: bool = False,
    cov: Coverage | None = None,
) -> pd.DataFrame:
    """Per subregion, the candidate partners ranked by weighted number of schools reached.

    Parameters
    ----------
    partners, schools, radius_km, vmbo_weight, division, reference, include_inactive
        As for :func:`coverage`.
    cov : Coverage, optional
        A coverage computed already (then the other parameters are ignored).

    Returns
    -------
    pandas.DataFrame
        Columns ``subregio``, ``rang`` (1 = best within the subregion), ``id``,
        ``naam``, ``soort``, ``plaats``, ``scholen_bereik``, ``vmbo_scholen_bereik``,
        ``gewogen_bereik``, ``ambassadeur_voor``; sorted by subregion and rank. A
        candidate's reach counts all schools within the radius, also across the
        subregion boundary.
    """
    if cov is None:
        cov = coverage(
            partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight,
            division=division, reference=reference, include_inactive=include_inactive,
        )
    frame = cov.partners.join(cov.reach_counts())
    if "ambassadeur_voor" not in frame.columns:
        frame["ambassadeur_voor"] = None
    frame = frame.sort_values(
        ["subregio", "gewogen_bereik", "vmbo_scholen_bereik", "naam"],
        ascending=[True, False, False, True], kind="mergesort",
    )
    frame["rang"] = frame.groupby("subregio").cumcount() + 1
    columns = ["subregio", "rang", "id", "naam", "soort", "plaats", "scholen_bereik",
               "vmbo_scholen_bereik", "gewogen_bereik", "ambassadeur_voor"]
    return frame[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------------------


def _solve_mclp(
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
        # these machines do not have; the bundled one is what spopt uses too.
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


def _greedy_choice(cov: Coverage, *, k: int, per_subregion: bool) -> list[int]:
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


# ---------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------


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
        return (
            f"{self.k} ambassadeur(s) ({self.method}) bereiken binnen {_fmt_num(self.radius_km)} "
            f"km {self.schools_covered} van {self.schools_total} scholen, waarvan "
            f"{self.vmbo_covered} van {self.vmbo_total} vmbo-scholen; gewogen dekking "
            f"{_fmt_num(self.weighted_coverage)} van {_fmt_num(self.weighted_total)} "
            f"({self.coverage_share:.0%}, vmbo-gewicht {_fmt_num(self.vmbo_weight)})."
        )

    def parameters_table(self) -> pd.DataFrame:
        """The assumptions of the plan as a Dutch two-column table (for exports)."""
        rows = [
            ("Aantal ambassadeurs (k)", self.k),
            ("Straal (km, hemelsbreed)", _fmt_num(self.radius_km)),
            ("Gewicht vmbo-school", _fmt_num(self.vmbo_weight)),
            ("Gewicht overige school", "1"),
            ("Minstens één per subregio", "ja" if self.at_least_one_per_subregion else "nee"),
            ("Subregio-indeling", self.division.name),
            ("Methode", METHOD_LABELS.get(self.method, self.method)),
            ("Status", self.status),
            ("Scholen bereikt", f"{self.schools_covered} van {self.schools_total}"),
            ("Vmbo-scholen bereikt", f"{self.vmbo_covered} van {self.vmbo_total}"),
            ("Gewogen dekking", _fmt_num(self.weighted_coverage)),
            ("Gewogen totaal", _fmt_num(self.weighted_total)),
            ("Datum", self.created.strftime("%d-%m-%Y %H:%M")),
            ("Bron", IMAGE_ATTRIBUTION),
        ]
        rows += [("Opmerking", note) for note in self.notes]
        return pd.DataFrame(rows, columns=["uitgangspunt", "waarde"]).astype({"waarde": str})


def _fmt_num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace(".", ",")


def _build_plan(
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


def optimise(
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    k: int,
    radius_km: float = DEFAULT_RADIUS_KM,
    vmbo_weight: float = DEFAULT_VMBO_WEIGHT,
    per_subregion: bool = False,
    division: Division | None = None,
    reference: Reference | None = None,
    include_inactive: bool = False,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> AmbassadorPlan:
    """Choose ``k`` ambassadors that together reach the largest weighted number of schools.

    The maximal covering location problem, solved exactly with PuLP and its bundled
    CBC solver (within ``time_limit_s``; the plan's ``status`` says when the limit cut
    the search short). Among equally good sets, the one whose members individually
    reach the most is preferred.

    Parameters
    ----------
    partners, schools, radius_km, vmbo_weight, division, reference, include_inactive
        As for :func:`coverage`.
    k : int
        Number of ambassadors (clamped to the number of candidates, with a note).
    per_subregion : bool
        Require at least one ambassador in every subregion that has a candidate.
    time_limit_s : float
        Time limit of the solver, in seconds.

    Returns
    -------
    AmbassadorPlan

    Raises
    ------
    PlanError
        No candidates, ``k`` < 1, or ``k`` smaller than the number of subregions that
        need an ambassador under ``per_subregion`` (Dutch message).
    """
    cov = coverage(
        partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight, division=division,
        reference=reference, include_inactive=include_inactive,
    )
    return cov.optimise(k=k, per_subregion=per_subregion, time_limit_s=time_limit_s)


def greedy(
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    k: int,
    radius_km: float = DEFAULT_RADIUS_KM,
    vmbo_weight: float = DEFAULT_VMBO_WEIGHT,
    per_subregion: bool = False,
    division: Division | None = None,
    reference: Reference | None = None,
    include_inactive: bool = False,
) -> AmbassadorPlan:
    """The greedy choice of ``k`` ambassadors, for comparison with :func:`optimise`.

    Each step adds the candidate that adds the largest weighted coverage. Same
    parameters and errors as :func:`optimise`.
    """
    cov = coverage(
        partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight, division=division,
        reference=reference, include_inactive=include_inactive,
    )
    return cov.greedy(k=k, per_subregion=per_subregion)


@dataclass(frozen=True)
class Comparison:
    """The current ambassadors next to the optimum for the same number.

    Attributes
    ----------
    current : AmbassadorPlan
        The plan of the currently marked ambassadors.
    optimum : AmbassadorPlan
        The optimal plan with as many ambassadors.
    """

    current: AmbassadorPlan
    optimum: AmbassadorPlan

    @property
    def ratio(self) -> float:
        """Weighted coverage of the current set as a fraction of the optimum (0–1)."""
        best = self.optimum.weighted_coverage
        return self.current.weighted_coverage / best if best else 1.0

    def table(self) -> pd.DataFrame:
        """Dutch comparison table: one row per plan."""
        rows = []
        for label, plan in (("huidige ambassadeurs", self.current),
                            ("optimum (zelfde aantal)", self.optimum)):
            rows.append({
                "keuze": label,
                "ambassadeurs": plan.k,
                "scholen_bereik": plan.schools_covered,
                "vmbo_scholen_bereik": plan.vmbo_covered,
                "gewogen_dekking": round(plan.weighted_coverage, 2),
                "dekking_pct": round(100 * plan.coverage_share, 1),
            })
        return pd.DataFrame(rows)


def current_ambassador_ids(partners: pd.DataFrame) -> list:
    """Ids of the partners marked as ambassador (``ambassadeur_voor`` filled in)."""
    if "ambassadeur_voor" not in partners.columns:
        return []
    marked = partners["ambassadeur_voor"].fillna("").astype(str).str.strip() != ""
    return [_normalise_id(v) for v in partners.loc[marked, "id"]]


def evaluate(
    current_ambassador_ids: Iterable,
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    radius_km: float = DEFAULT_RADIUS_KM,
    vmbo_weight: float = DEFAULT_VMBO_WEIGHT,
    division: Division | None = None,
    reference: Reference | None = None,
    include_inactive: bool = False,
    per_subregion: bool = False,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    cov: Coverage | None = None,
) -> Comparison:
    """Coverage of the currently marked ambassadors versus the optimum for as many.

    Parameters
    ----------
    current_ambassador_ids : iterable
        Ids of the current ambassadors (see :func:`current_ambassador_ids`).
    partners, schools, radius_km, vmbo_weight, division, reference, include_inactive
        As for :func:`coverage`.
    per_subregion : bool
        Compare with the optimum that has at least one ambassador per subregion. When
        there are fewer current ambassadors than such subregions, the unconstrained
        optimum is used and a note says so.
    time_limit_s : float
        Time limit of the optimum's solve.
    cov : Coverage, optional
        A coverage computed already (then the frames and parameters are ignored).

    Returns
    -------
    Comparison

    Raises
    ------
    PlanError
        When none of the ids is a candidate (Dutch message).
    """
    if cov is None:
        cov = coverage(
            partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight,
            division=division, reference=reference, include_inactive=include_inactive,
        )
    current = cov.plan_for(list(current_ambassador_ids))
    if current.k == 0:
        raise PlanError(
            "Er zijn geen huidige ambassadeurs met een locatie in het werkgebied om te "
            "vergelijken."
        )
    needed = len(cov.subregions_with_candidates())
    constrained = per_subregion and current.k >= needed
    optimum = cov.optimise(k=current.k, per_subregion=constrained, time_limit_s=time_limit_s)
    if per_subregion and not constrained:
        optimum = replace(optimum, notes=optimum.notes + (
            f"Vergeleken zonder 'minstens één per subregio': er zijn {current.k} huidige "
            f"ambassadeurs en {needed} subregio's met kandidaten.",
        ))
    return Comparison(current=current, optimum=optimum)


def coverage_curve(
    cov: Coverage, ks: Iterable[int], *, time_limit_s: float = DEFAULT_TIME_LIMIT_S
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
        best = cov.optimise(k=k, time_limit_s=time_limit_s, tie_break=False)
        quick = cov.greedy(k=k)
        rows.append({
            "k": int(k),
            "optimaal": best.weighted_coverage,
            "greedy": quick.weighted_coverage,
            "optimaal_scholen": best.schools_covered,
            "greedy_scholen": quick.schools_covered,
        })
    return pd.DataFrame(rows, columns=["k", "optimaal", "greedy", "optimaal_scholen",
                                       "greedy_scholen"])


# ---------------------------------------------------------------------------------------
# Exports for the board
# ---------------------------------------------------------------------------------------

#: Columns of the "Keuze" sheet (all public).
CHOICE_COLUMNS = ["naam", "subregio", "soort", "scholen_bereik", "vmbo_scholen_bereik",
                  "gewogen_bereik", "extra_gedekt", "plaats", "gemeentenaam"]


def choice_table(plan: AmbassadorPlan) -> pd.DataFrame:
    """The chosen ambassadors as a Dutch table (public fields only)."""
    return plan.chosen[CHOICE_COLUMNS].copy()


def subregion_table(plan: AmbassadorPlan) -> pd.DataFrame:
    """Coverage per subregion with a final ``Totaal`` row."""
    table = plan.per_subregion.copy()
    total = {
        "subregio": "Totaal",
        "ambassadeurs": int(table["ambassadeurs"].sum()),
        "scholen_gedekt": plan.schools_covered,
        "scholen_totaal": plan.schools_total,
        "vmbo_gedekt": plan.vmbo_covered,
        "vmbo_totaal": plan.vmbo_total,
        "dekking_pct": round(100 * plan.schools_covered / plan.schools_total, 1)
        if plan.schools_total else None,
        "vmbo_dekking_pct": round(100 * plan.vmbo_covered / plan.vmbo_total, 1)
        if plan.vmbo_total else None,
    }
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def uncovered_schools(plan: AmbassadorPlan) -> pd.DataFrame:
    """Schools no ambassador reaches: ``naam``, ``plaats``, ``subregio``, ``vmbo``."""
    frame = plan.schools.loc[~plan.schools["gedekt"], ["naam", "plaats", "subregio",
                                                       "heeft_vmbo"]]
    frame = frame.rename(columns={"heeft_vmbo": "vmbo"})
    frame["vmbo"] = frame["vmbo"].map({True: "ja", False: "nee"})
    return frame.sort_values(["subregio", "naam"]).reset_index(drop=True)


def plan_sheets(plan: AmbassadorPlan, *, comparison: Comparison | None = None
                ) -> dict[str, pd.DataFrame]:
    """The plan as sheets of a workbook for the board (Dutch sheet and column names).

    Sheets: ``Keuze`` (one row per ambassador), ``Dekking per subregio``, ``Niet
    bereikte scholen``, ``Uitgangspunten`` (k, radius, weights, date) and, when
    ``comparison`` is given, ``Vergelijking huidig``. Contains public fields only.
    Write it with :func:`geo.output.tables.xlsx_bytes`.
    """
    sheets = {
        "Keuze": choice_table(plan),
        "Dekking per subregio": subregion_table(plan),
        "Niet bereikte scholen": uncovered_schools(plan),
        "Uitgangspunten": plan.parameters_table(),
    }
    if comparison is not None:
        sheets["Vergelijking huidig"] = comparison.table()
    return sheets


def plan_map(plan: AmbassadorPlan, *, reference: Reference) -> folium.Map:
    """A folium map of the plan: subregions, reach circles, ambassadors, schools.

    Covered schools are green, uncovered red; ambassadors are blue with a circle of
    the plan's radius. Every text reaches the browser as data (:mod:`geo.output.map_layers`).
    Use :func:`geo.output.assets.use_assets` to show it in Streamlit or
    :func:`geo.output.assets.standalone_html` to export it.
    """
    from geo.output.map_layers import AreaLayer, CircleLayer, Line, PointLayer
    from geo.output.maps import base_map, finish_map, simplified
    from geo.reference.regions import unit_polygons

    fmap = base_map()
    subs = simplified(unit_polygons("subregio", reference, plan.division))
    subs = subs.merge(
        plan.per_subregion[["subregio", "ambassadeurs", "scholen_gedekt", "scholen_totaal"]],
        left_on="code", right_on="subregio", how="left",
    )
    subs["dekking"] = [
        f"{int(d)} van {int(t)} scholen" if pd.notna(t) else ""
        for d, t in zip(subs["scholen_gedekt"], subs["scholen_totaal"], strict=True)
    ]
    AreaLayer(
        "Subregio's", subs, class_name="ik-subregio",
        style={"color": "#222", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.03},
        tooltip=[Line("naam", "Subregio"), Line("dekking", "Bereikt")],
    ).add_to(fmap)

    chosen = plan.chosen.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    chosen["radius_m"] = plan.radius_km * 1000.0
    CircleLayer(
        f"Bereik ({_fmt_num(plan.radius_km)} km)", chosen,
        styles=[{"color": AMBASSADOR_COLOR, "weight": 1.5, "fill": True, "fillOpacity": 0.06}],
    ).add_to(fmap)

    schools = plan.schools.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    schools["vmbo_tekst"] = ["vmbo" if v else None for v in schools["heeft_vmbo"]]
    schools["bereik_tekst"] = [
        f"Bereikt door: {by}" if covered else "Niet binnen bereik"
        for covered, by in zip(schools["gedekt"], schools["bereikt_door"], strict=True)
    ]
    school_styles = [
        {"radius": radius, "color": "#ffffff", "weight": 1, "fillColor": color,
         "fillOpacity": 0.9}
        for color in (UNCOVERED_COLOR, COVERED_COLOR) for radius in (4, 5)
    ]
    for covered, name, css in ((True, "Scholen binnen bereik", "ik-school-gedekt"),
                               (False, "Scholen buiten bereik", "ik-school-niet-gedekt")):
        part = schools[schools["gedekt"].astype(bool) == covered].reset_index(drop=True)
        PointLayer(
            name, part, styles=school_styles, class_name=css,
            style=[2 * int(covered) + int(bool(v)) for v in part["heeft_vmbo"]],
            tooltip=["naam", "vmbo_tekst"],
            popup=[Line("naam", strong=True), "vmbo_tekst", "plaats", "bereik_tekst"],
            popup_width=260,
        ).add_to(fmap)

    chosen["soort_plaats"] = [" · ".join(str(v) for v in (soort, plaats) if pd.notna(v) and v)
                              for soort, plaats in zip(chosen["soort"], chosen["plaats"],
                                                       strict=True)]
    chosen["bereik_tekst"] = [
        f"Bereikt {int(n)} scholen, waarvan {int(v)} vmbo"
        for n, v in zip(chosen["scholen_bereik"], chosen["vmbo_scholen_bereik"], strict=True)
    ]
    PointLayer(
        "Ambassadeurs", chosen, class_name="ik-ambassadeur",
        styles=[{"radius": 9, "color": "#ffffff", "weight": 2, "fillColor": AMBASSADOR_COLOR,
                 "fillOpacity": 1.0}],
        tooltip=["naam"],
        popup=[Line("naam", strong=True), "soort_plaats", Line("subregio", "Subregio"),
               "bereik_tekst"],
        popup_width=280,
    ).add_to(fmap)
    legend = [
        ("punt", AMBASSADOR_COLOR, "Ambassadeur"),
        ("vlak", AMBASSADOR_COLOR, f"Bereik {_fmt_num(plan.radius_km)} km"),
        ("punt", COVERED_COLOR, "School binnen bereik"),
        ("punt", UNCOVERED_COLOR, "School buiten bereik"),
        ("lijn", "#222", "Grens subregio"),
    ]
    return finish_map(fmap, legend=legend, title="Ambassadeursvoorstel")


def plan_image(
    plan: AmbassadorPlan,
    *,
    reference: Reference,
    fmt: str = "png",
    dpi: int = 150,
    title: str | None = None,
) -> bytes:
    """A static image of the plan (PNG or PDF), drawn in RD New without tiles.

    Shows the subregions, the reach circles, covered and uncovered schools and the
    ambassadors, with a title, a legend and the attribution ``Bron: CBS, DUO;
    © Kadaster``.
    """
    if fmt not in {"png", "pdf"}:
        raise ValueError("fmt must be 'png' or 'pdf'")
    import geopandas as gpd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from geo.reference.regions import unit_polygons

    subs = unit_polygons("subregio", reference, plan.division).to_crs(RD_NEW)
    schools = gpd.GeoDataFrame(
        plan.schools,
        geometry=gpd.points_from_xy(plan.schools["lon"], plan.schools["lat"]),
        crs=WGS84,
    ).to_crs(RD_NEW)
    chosen = gpd.GeoDataFrame(
        plan.chosen, geometry=gpd.points_from_xy(plan.chosen["lon"], plan.chosen["lat"]),
        crs=WGS84,
    ).to_crs(RD_NEW)

    fig = Figure(figsize=(8.27, 11.0), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.08, 0.94, 0.84))
    subs.plot(ax=ax, color="#f4f4f0", edgecolor="#333333", linewidth=0.8)
    for name, point in zip(subs["naam"], subs.representative_point(), strict=True):
        ax.annotate(str(name), (point.x, point.y), ha="center", fontsize=6.5, color="#444444",
                    zorder=6)
    if len(chosen):
        chosen.buffer(plan.radius_km * 1000.0).plot(
            ax=ax, color=AMBASSADOR_COLOR, alpha=0.08, edgecolor=AMBASSADOR_COLOR, linewidth=0.6
        )
    done = schools[schools["gedekt"]]
    todo = schools[~schools["gedekt"]]
    if len(done):
        done.plot(ax=ax, color=COVERED_COLOR, markersize=12, edgecolor="white", linewidth=0.3)
    if len(todo):
        todo.plot(ax=ax, color=UNCOVERED_COLOR, markersize=12, edgecolor="white", linewidth=0.3)
    if len(chosen):
        chosen.plot(ax=ax, color=AMBASSADOR_COLOR, markersize=90, marker="*",
                    edgecolor="white", linewidth=0.5, zorder=5)
    minx, miny, maxx, maxy = subs.total_bounds
    pad = 3000
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    heading = title or (
        f"Ambassadeursvoorstel: {plan.k} ambassadeur(s), straal {_fmt_num(plan.radius_km)} km"
    )
    fig.suptitle(heading, fontsize=13, y=0.975)
    fig.text(
        0.5, 0.935,
        f"{plan.schools_covered} van {plan.schools_total} scholen bereikt "
        f"({plan.vmbo_covered} van {plan.vmbo_total} vmbo) · "
        f"{METHOD_LABELS.get(plan.method, plan.method)}",
        ha="center", fontsize=9, color="#333333",
    )
    handles = [
        Line2D([], [], marker="*", linestyle="", color=AMBASSADOR_COLOR, markersize=12,
               label="Ambassadeur"),
        Patch(facecolor=AMBASSADOR_COLOR, alpha=0.2, edgecolor=AMBASSADOR_COLOR,
              label=f"Bereik {_fmt_num(plan.radius_km)} km"),
        Line2D([], [], marker="o", linestyle="", color=COVERED_COLOR, label="School binnen bereik"),
        Line2D([], [], marker="o", linestyle="", color=UNCOVERED_COLOR,
               label="School buiten bereik"),
        Patch(facecolor="#f4f4f0", edgecolor="#333333", label="Subregio"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    fig.text(
        0.03, 0.03,
        f"{IMAGE_ATTRIBUTION} · indeling: {plan.division.name} · "
        f"{plan.created.strftime('%d-%m-%Y')}",
        fontsize=7, color="#555555",
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def schools_from_reference(reference: Reference) -> pd.DataFrame:
    """The bundled DUO schools in the column layout of :meth:`geo.register.store.Store.schools`."""
    s = reference.scholen
    return pd.DataFrame({
        "id": s["vestigingscode"].to_numpy(),
        "vestigingscode": s["vestigingscode"].to_numpy(),
        "naam": s["vestigingsnaam"].to_numpy(),
        "plaats": s["plaatsnaam"].str.title().to_numpy(),
        "gemeentecode": s["gemeentecode_duo"].to_numpy(),
        "heeft_vmbo": s["heeft_vmbo"].to_numpy(),
        "lat": s["lat"].to_numpy(),
        "lon": s["lon"].to_numpy(),
    })
