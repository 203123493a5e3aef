"""Candidate reduction: partners that reach exactly the same schools form one class.

Thousands of candidates often reach exactly the same schools (several partners in one
village). For the choice of ambassadors they are interchangeable, so the solvers of
:mod:`geo.analysis.optimise` choose among *classes* — one per distinct set of schools
within one subregion — and may take up to as many ambassadors from a class as it has
members. Every solution of the reduced problem is a solution of the full one with the same
coverage and vice versa, so the optimum is the same; the model shrinks from one variable
per candidate to one per class (19,867 → about 300 at 20,000 candidates).

The classes are also the plainest ties: members of a class reach the same schools,
which :mod:`geo.analysis.ties` tells the board.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from geo.analysis.coverage import Coverage
from geo.vocabulary import fold_text


@dataclass(frozen=True)
class CandidateClasses:
    """The candidates of a :class:`~geo.analysis.coverage.Coverage`, grouped.

    Attributes
    ----------
    members : tuple of numpy.ndarray
        Per class, the matrix rows of its candidates in name order (the first is the
        one a plan shows when it takes one ambassador from the class).
    matrix : scipy.sparse.csr_matrix
        Boolean ``(n_classes, n_schools)``: class ``c`` reaches school ``j``.
    subregions : numpy.ndarray
        The subregion of each class (all its members lie in it).
    name_rank : numpy.ndarray
        Per class, the position of its first member in the name order of all candidates
        (the stable last tie-break).
    reach_count : numpy.ndarray
        Per school, the number of candidates (not classes) that reach it.
    owner : numpy.ndarray
        Per matrix row of the coverage, its class.
    """

    members: tuple[np.ndarray, ...]
    matrix: csr_matrix
    subregions: np.ndarray
    name_rank: np.ndarray
    reach_count: np.ndarray
    owner: np.ndarray

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.members)

    @property
    def capacity(self) -> np.ndarray:
        """Number of members per class."""
        return np.array([len(m) for m in self.members], dtype=int)

    def rows(self, counts: np.ndarray) -> list[int]:
        """The matrix rows of a choice of ``counts[c]`` members from each class ``c``."""
        chosen: list[int] = []
        for pos in np.flatnonzero(np.asarray(counts) > 0):
            chosen.extend(int(r) for r in self.members[pos][: int(counts[pos])])
        return sorted(chosen)

    def counts(self, rows) -> np.ndarray:
        """How many of ``rows`` (matrix rows) fall in each class."""
        return np.bincount(self.owner[np.asarray(list(rows), dtype=int)],
                           minlength=self.n_classes)


def name_order(cov: Coverage) -> np.ndarray:
    """Matrix rows of ``cov`` sorted by name (case and accents ignored), then by id."""
    keys = [(fold_text(name), str(pid)) for name, pid in zip(cov.partners["naam"],
                                                            cov.partners["id"], strict=True)]
    return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=int)


def candidate_classes(cov: Coverage, *, merge: bool = True) -> CandidateClasses:
    """Group the candidates of ``cov`` by subregion and the exact set of schools reached.

    Parameters
    ----------
    cov : Coverage
    merge : bool
        With False every candidate is a class of its own (the unreduced problem, for
        comparison and tests).

    Returns
    -------
    CandidateClasses
        Classes in the name order of their first member.
    """
    a = cov.matrix.tocsr()
    a.sort_indices()
    subs = cov.partners["subregio"].to_numpy(dtype=object)
    order = name_order(cov)
    groups: dict[object, list[int]] = {}
    for row in order:
        row = int(row)
        key = (subs[row], a.indices[a.indptr[row]:a.indptr[row + 1]].tobytes()) if merge \
            else row
        groups.setdefault(key, []).append(row)
    members = tuple(np.array(rows, dtype=int) for rows in groups.values())
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    firsts = np.array([m[0] for m in members], dtype=int)
    owner = np.empty(len(order), dtype=int)
    for pos, rows in enumerate(members):
        owner[rows] = pos
    return CandidateClasses(
        members=members,
        matrix=csr_matrix(a[firsts], dtype=bool) if len(firsts)
        else csr_matrix((0, a.shape[1]), dtype=bool),
        subregions=subs[firsts] if len(firsts) else np.array([], dtype=object),
        name_rank=rank[firsts] if len(firsts) else np.array([], dtype=int),
        reach_count=np.asarray(a.astype(int).sum(axis=0)).ravel(),
        owner=owner,
    )
