"""Nearest points in the plane: the answers of a k-d tree, without scipy when that is cheaper.

:class:`PointSet` answers the two questions :mod:`geo.analysis.proximity` and
:mod:`geo.analysis.rail` ask of a :class:`scipy.spatial.cKDTree`: the ``k`` nearest points
(optionally closer than a bound) and every point within a radius. The answers are the
tree's, bit for bit: a distance is ``sqrt(dx*dx + dy*dy)``, the bound is compared squared
(``d² < bound²``) and the radius too (``d² <= r²``), as the tree does. Only the order of
points at exactly the same distance may differ, and the tree gives no order there either.

When queries × points is small (the register's schools against its partners, places against
the 74 stations) every pair is compared with numpy, so a command that only draws a map does
not import scipy (a good part of a second at start-up); a larger question builds the tree.
:func:`shortest_paths` likewise replaces :func:`scipy.sparse.csgraph.dijkstra` for the small
station graph with the same distances.
"""

from __future__ import annotations

import numpy as np

#: Up to this many query × point pairs the answer comes from numpy, beyond it from the tree.
BRUTE_FORCE_PAIRS = 4_000_000

#: Pairs compared in one numpy block (bounds the memory: 8 bytes each, a few arrays).
_BLOCK_PAIRS = 500_000


class PointSet:
    """Points ``(n, 2)`` in a projected plane (RD New metres), to query for neighbours.

    Parameters
    ----------
    points : array-like
        Shape ``(n, 2)``, finite coordinates.
    """

    def __init__(self, points: np.ndarray) -> None:
        self.data = np.asarray(points, dtype=float).reshape(-1, 2)
        self.n = len(self.data)
        self._tree = None

    def _kd_tree(self):
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.data)
        return self._tree

    def _small(self, queries: int) -> bool:
        return queries * self.n <= BRUTE_FORCE_PAIRS

    def query(self, x: np.ndarray, k: int, distance_upper_bound: float = np.inf
              ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest points of every row of ``x``, nearest first.

        Parameters
        ----------
        x : numpy.ndarray
            Shape ``(m, 2)``, finite query points.
        k : int
            Neighbours per query point (at least 1).
        distance_upper_bound : float
            Only points closer than this (strictly, compared squared as the tree does).

        Returns
        -------
        distances, indices : numpy.ndarray
            Both ``(m, k)``; where fewer than ``k`` points qualify the distance is ``inf``
            and the index is ``n`` (the tree's conventions).
        """
        x = np.asarray(x, dtype=float).reshape(-1, 2)
        if k < 1:
            raise ValueError("k must be at least 1")
        if not self._small(len(x)):
            d, i = self._kd_tree().query(x, k=k, distance_upper_bound=distance_upper_bound)
            return (np.asarray(d, dtype=float).reshape(len(x), k),
                    np.asarray(i, dtype=np.intp).reshape(len(x), k))
        dist = np.full((len(x), k), np.inf)
        idx = np.full((len(x), k), self.n, dtype=np.intp)
        if self.n == 0 or len(x) == 0:
            return dist, idx
        bound2 = float(distance_upper_bound) * float(distance_upper_bound)
        take = min(k, self.n)
        step = max(1, _BLOCK_PAIRS // self.n)
        for start in range(0, len(x), step):
            d2 = self._squared(x[start:start + step])
            d2[~(d2 < bound2)] = np.inf
            if take < self.n:
                part = np.argpartition(d2, take - 1, axis=1)[:, :take]
            else:
                part = np.broadcast_to(np.arange(self.n), d2.shape)
            values = np.take_along_axis(d2, part, axis=1)
            order = np.lexsort((part, values), axis=-1)
            part = np.take_along_axis(part, order, axis=1)
            values = np.take_along_axis(values, order, axis=1)
            found = np.isfinite(values)
            rows = slice(start, start + len(part))
            dist[rows, :take] = np.where(found, np.sqrt(values), np.inf)
            idx[rows, :take] = np.where(found, part, self.n)
        return dist, idx

    def query_ball_point(self, x: np.ndarray, r: float) -> list[int]:
        """Indices of the points within ``r`` (inclusive) of the one point ``x``, ascending."""
        x = np.asarray(x, dtype=float).reshape(2)
        if not self._small(1):
            return sorted(self._kd_tree().query_ball_point(x, r=float(r), return_sorted=True))
        d2 = self._squared(x[None, :])[0]
        return [int(i) for i in np.flatnonzero(d2 <= float(r) * float(r))]

    def _squared(self, x: np.ndarray) -> np.ndarray:
        """Squared distances ``(len(x), n)``, summed in the tree's order (x, then y)."""
        dx = x[:, 0, None] - self.data[None, :, 0]
        dy = x[:, 1, None] - self.data[None, :, 1]
        return dx * dx + dy * dy


def shortest_paths(n_nodes: int, rows: np.ndarray, cols: np.ndarray, costs: np.ndarray,
                   sources: np.ndarray) -> np.ndarray:
    """Least path cost from every node of ``sources`` to every node, ``(len(sources), n_nodes)``.

    A directed graph given as edges ``rows[j] → cols[j]`` with positive ``costs[j]``
    (parallel edges: the cheaper counts); unreachable nodes get ``inf``. The costs are
    the least, over all paths, of the sum along the path from the source (the sum a
    Dijkstra search makes), so they equal :func:`scipy.sparse.csgraph.dijkstra` to the bit;
    computed by relaxing every edge at once (Bellman-Ford) until nothing changes, which for
    a graph of a few hundred nodes takes milliseconds and no scipy.
    """
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    costs = np.asarray(costs, dtype=float)
    if (costs <= 0).any():
        raise ValueError("costs must be positive")
    sources = np.asarray(sources, dtype=np.intp)
    dist = np.full((len(sources), n_nodes), np.inf)
    dist[np.arange(len(sources)), sources] = 0.0
    if len(rows) == 0:
        return dist
    order = np.argsort(cols, kind="stable")
    rows, cols, costs = rows[order], cols[order], costs[order]
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    targets = cols[starts]
    for _ in range(n_nodes):
        best = np.minimum.reduceat(dist[:, rows] + costs, starts, axis=1)
        current = dist[:, targets]
        better = best < current
        if not better.any():
            break
        dist[:, targets] = np.where(better, best, current)
    return dist
