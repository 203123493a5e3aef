"""Ambassador coverage: which schools each candidate partner reaches within R km.

The board wants ambassadors — partners well placed to reach many secondary schools,
especially vmbo schools. This module holds the data every plan starts from:

* :func:`coverage` — which schools each candidate partner reaches within ``R`` km
  (straight line in RD New, inclusive), with a weight per school (vmbo schools weigh
  more);
* :func:`rank_candidates` — per subregion, the candidates ranked by the weighted number
  of schools they reach.

Choosing ambassadors from a :class:`Coverage` is :mod:`geo.analysis.plans` (with the
solvers of :mod:`geo.analysis.optimise`); the board's exports are :mod:`geo.output.plans`.

Only public partner fields (:data:`PUBLIC_PARTNER_COLUMNS`) are ever read from the
partner frame, so a frame with contact persons cannot leak them into a plan or export.

Candidates are partners with a location in one of the municipalities of the active
subregion division (and, by default, active); the schools counted are the schools in
those municipalities. The subregion of partners and schools is always re-derived from
``gemeentecode`` with the active :class:`~geo.reference.data.Division`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from geo.analysis.proximity import to_rd, within_radius
from geo.errors import InfrakaartError
from geo.reference.data import OUTSIDE, Division, Reference
from geo.settings import DEFAULTS

#: Partner columns the planner may read; everything else (contact data!) is dropped.
PUBLIC_PARTNER_COLUMNS = (
    "id", "naam", "soort", "donateur", "actief", "plaats", "gemeentecode", "gemeentenaam",
    "ambassadeur_voor", "lat", "lon", "nauwkeurigheid", "voorbeeld",
)


class PlanError(InfrakaartError, ValueError):
    """The ambassador plan cannot be made with these settings (Dutch message)."""


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
            key = normalise_id(pid)
            if key in lookup:
                if lookup[key] not in rows:
                    rows.append(lookup[key])
            else:
                missing.append(pid)
        return rows, missing

    def subregions_with_candidates(self) -> list[str]:
        """Subregions (of the division) that hold at least one candidate, sorted."""
        return sorted(set(self.partners["subregio"]) - {OUTSIDE})


def normalise_id(value: object) -> object:
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
    frame["id"] = [normalise_id(v) for v in frame["id"]]
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
    radius_km: float = DEFAULTS.radius_km,
    vmbo_weight: float = DEFAULTS.vmbo_weight,
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


def rank_candidates(cov: Coverage) -> pd.DataFrame:
    """Per subregion, the candidate partners ranked by weighted number of schools reached.

    Parameters
    ----------
    cov : Coverage
        From :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        Columns ``subregio``, ``rang`` (1 = best within the subregion), ``id``,
        ``naam``, ``soort``, ``plaats``, ``scholen_bereik``, ``vmbo_scholen_bereik``,
        ``gewogen_bereik``, ``ambassadeur_voor``; sorted by subregion and rank. A
        candidate's reach counts all schools within the radius, also across the
        subregion boundary.
    """
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


def current_ambassador_ids(partners: pd.DataFrame) -> list:
    """Ids of the partners marked as ambassador (``ambassadeur_voor`` filled in)."""
    if "ambassadeur_voor" not in partners.columns:
        return []
    marked = partners["ambassadeur_voor"].fillna("").astype(str).str.strip() != ""
    return [normalise_id(v) for v in partners.loc[marked, "id"]]

