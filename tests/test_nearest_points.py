"""PointSet and shortest_paths give scipy's answers (cKDTree, csgraph.dijkstra) to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.analysis import nearest_points, rail
from geo.analysis.nearest_points import PointSet, shortest_paths
from geo.analysis.rail import RailOptions, load_rail_data, station_minutes
from geo.settings import Settings


def _point_sets(seed: int):
    """Random points, and points on a coarse grid (many equal distances)."""
    rng = np.random.default_rng(seed)
    for grid in (False, True):
        sources = rng.uniform(0, 60_000, (150, 2))
        targets = rng.uniform(0, 60_000, (40, 2))
        if grid:
            sources, targets = np.round(sources, -4), np.round(targets, -4)
        yield sources, targets


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 40, 45])
def test_query_gives_the_trees_distances_and_neighbours(seed, k):
    for sources, targets in _point_sets(seed):
        tree = cKDTree(targets)
        for bound in (np.inf, 9_000.0, np.nextafter(10_000.0, np.inf)):
            want_d, want_i = tree.query(sources, k=k, distance_upper_bound=bound)
            got_d, got_i = PointSet(targets).query(sources, k=k, distance_upper_bound=bound)
            want_d, want_i = want_d.reshape(len(sources), k), want_i.reshape(len(sources), k)
            assert np.array_equal(got_d, want_d)  # bit for bit, inf where none qualifies
            assert np.array_equal(got_i == len(targets), want_i == len(targets))
            # Neighbours at the same distance may come in another order; as sets they agree.
            for row in range(len(sources)):
                for dist in np.unique(got_d[row][np.isfinite(got_d[row])]):
                    if dist != got_d[row, -1]:  # a tie across the k-th place may differ
                        assert (set(got_i[row][got_d[row] == dist])
                                == set(want_i[row][want_d[row] == dist]))


def test_the_bound_is_compared_squared_as_the_tree_does():
    rng = np.random.default_rng(7)
    targets, sources = rng.uniform(0, 1000, (30, 2)), rng.uniform(0, 1000, (60, 2))
    d = np.sqrt(((sources[:, None, :] - targets[None, :, :]) ** 2).sum(axis=2))
    for bound in (d[0, 0], np.nextafter(d[0, 0], 0), np.nextafter(d[3, 4], np.inf)):
        want = cKDTree(targets).query(sources, k=30, distance_upper_bound=bound)[1] < 30
        got = PointSet(targets).query(sources, k=30, distance_upper_bound=bound)[1] < 30
        assert np.array_equal(got.sum(axis=1), want.sum(axis=1))


def test_ball_query_gives_the_trees_points():
    rng = np.random.default_rng(8)
    targets = np.round(rng.uniform(0, 5000, (80, 2)), -2)
    tree, points = cKDTree(targets), PointSet(targets)
    for x in np.round(rng.uniform(0, 5000, (50, 2)), -2):
        for r in (0.0, 300.0, 1000.0 * (1 + 1e-9) + 1e-9):
            assert points.query_ball_point(x, r) == sorted(tree.query_ball_point(x, r))


def test_large_questions_use_the_tree_with_the_same_answers(monkeypatch):
    sources, targets = next(_point_sets(3))
    small = PointSet(targets).query(sources, k=2, distance_upper_bound=20_000.0)
    monkeypatch.setattr(nearest_points, "BRUTE_FORCE_PAIRS", 0)
    large = PointSet(targets)
    assert np.array_equal(large.query(sources, k=2, distance_upper_bound=20_000.0)[0], small[0])
    assert large._tree is not None
    assert large.query_ball_point(sources[0], 5000.0) == sorted(
        cKDTree(targets).query_ball_point(sources[0], 5000.0))


def test_blocks_cover_every_query_row(monkeypatch):
    monkeypatch.setattr(nearest_points, "_BLOCK_PAIRS", 7)
    sources, targets = next(_point_sets(4))
    want = cKDTree(targets).query(sources, k=2)[0]
    assert np.array_equal(PointSet(targets).query(sources, k=2)[0], want)


def test_no_points_or_no_queries():
    d, i = PointSet(np.empty((0, 2))).query(np.zeros((3, 2)), k=2)
    assert np.isinf(d).all() and (i == 0).all()
    d, i = PointSet(np.ones((4, 2))).query(np.empty((0, 2)), k=2)
    assert d.shape == (0, 2) and i.shape == (0, 2)
    with pytest.raises(ValueError):
        PointSet(np.ones((4, 2))).query(np.zeros((1, 2)), k=0)


@pytest.mark.parametrize("seed", range(6))
def test_shortest_paths_equal_dijkstra(seed):
    rng = np.random.default_rng(seed)
    n = 60
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, (240, 2)) if a != b}
    rows, cols = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    costs = rng.choice([0.1, 0.2, 0.3, 1.7, 2.9, 1e-9], len(rows)) * rng.uniform(1, 3, len(rows))
    graph = coo_matrix((costs, (rows, cols)), shape=(n, n)).tocsr()
    sources = np.arange(0, n, 3)
    want = dijkstra(graph, directed=True, indices=sources)
    assert np.array_equal(shortest_paths(n, rows, cols, costs, sources), want)


def test_shortest_paths_refuse_a_cost_that_is_not_positive():
    with pytest.raises(ValueError):
        shortest_paths(2, np.array([0]), np.array([1]), np.array([0.0]), np.array([0]))


def test_the_station_minutes_are_scipys(monkeypatch):
    """The bundled station graph: the same minutes as the sparse-graph Dijkstra gave."""
    data = load_rail_data(Settings().data_dir)
    options = RailOptions()
    got = station_minutes(data, board_min=options.board_min, transfer_min=options.transfer_min)
    calls = []

    def with_scipy(n_nodes, rows, cols, costs, sources):
        calls.append(n_nodes)
        graph = coo_matrix((costs, (rows, cols)), shape=(n_nodes, n_nodes)).tocsr()
        return dijkstra(graph, directed=True, indices=sources)

    monkeypatch.setattr(rail, "shortest_paths", with_scipy)
    want = station_minutes(data, board_min=options.board_min, transfer_min=options.transfer_min)
    assert calls and np.isfinite(got).sum() > 100
    assert np.array_equal(got, want)
