"""Tests of the travel model: distances against geodesics, minutes, the protocol."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geo.analysis.names import MODES
from geo.analysis.proximity import to_rd
from geo.analysis.travel import (
    ASSUMPTIONS_NL,
    StraightLineModel,
    TravelModel,
    assumptions_nl,
)
from geo.settings import DEFAULTS

GEOD = Geod(ellps="WGS84")

# Points of the Netherlands where RD New is valid.
lat_nl = st.floats(min_value=51.0, max_value=53.4)
lon_nl = st.floats(min_value=3.6, max_value=7.0)


def _geodesic_km(lat1, lon1, lat2, lon2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def test_default_model_satisfies_protocol():
    assert isinstance(StraightLineModel(), TravelModel)
    assert StraightLineModel().detour == DEFAULTS.detour == 1.3


def test_known_distance_heerhugowaard_amsterdam():
    # Heerhugowaard station and Amsterdam Centraal, about 31 km apart.
    hhw, ams = (52.6695, 4.8231), (52.3791, 4.9003)
    xy = to_rd([hhw[1], ams[1]], [hhw[0], ams[0]])
    model = StraightLineModel(detour=1.0)
    km = model.distances_km(xy[:1], xy[1:])[0, 0]
    expected = _geodesic_km(*hhw, *ams)
    assert km == pytest.approx(expected, rel=0.01)
    detoured = StraightLineModel(detour=1.3).distances_km(xy[:1], xy[1:])[0, 0]
    assert detoured == pytest.approx(1.3 * expected, rel=0.01)


@settings(max_examples=60, deadline=None)
@given(lat_nl, lon_nl, lat_nl, lon_nl, st.floats(min_value=1.0, max_value=2.0))
def test_distance_matches_geodesic_within_one_percent(lat1, lon1, lat2, lon2, detour):
    expected = _geodesic_km(lat1, lon1, lat2, lon2)
    if expected < 0.5:  # too short for a relative comparison to mean anything
        return
    xy = to_rd([lon1, lon2], [lat1, lat2])
    km = StraightLineModel(detour=detour).distances_km(xy[:1], xy[1:])[0, 0]
    assert km == pytest.approx(detour * expected, rel=0.01)


def test_matrix_shape_and_symmetry():
    rng = np.random.default_rng(3)
    a = rng.uniform([100_000, 480_000], [140_000, 560_000], size=(7, 2))
    b = rng.uniform([100_000, 480_000], [140_000, 560_000], size=(3, 2))
    model = StraightLineModel()
    ab = model.distances_km(a, b)
    assert ab.shape == (7, 3)
    np.testing.assert_allclose(ab, model.distances_km(b, a).T)
    assert model.distances_km(a, np.empty((0, 2))).shape == (7, 0)


def test_minutes_per_mode():
    model = StraightLineModel(detour=1.3, speed_bike_kmh=15, speed_transit_car_kmh=30,
                              wait_transit_car_min=10)
    assert model.minutes(np.array([15.0]), mode="fiets")[0] == pytest.approx(60.0)
    assert model.minutes(np.array([15.0]), mode="ov_auto")[0] == pytest.approx(10.0 + 30.0)
    xy = np.array([[0.0, 0.0]])
    dest = np.array([[10_000.0, 0.0]])  # 10 km straight → 13 km travelled
    assert model.durations_min(xy, dest, mode="fiets")[0, 0] == pytest.approx(13 / 15 * 60)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 200), st.floats(0, 200), st.sampled_from(sorted(MODES)))
def test_minutes_never_decrease_with_distance(d1, d2, mode):
    model = StraightLineModel()
    lo, hi = sorted((d1, d2))
    assert model.minutes(np.array([lo]), mode=mode)[0] <= model.minutes(np.array([hi]),
                                                                        mode=mode)[0]


@pytest.mark.parametrize("kwargs", [
    {"detour": 0.9}, {"detour": float("nan")}, {"speed_bike_kmh": 0},
    {"speed_transit_car_kmh": -5}, {"wait_transit_car_min": -1},
])
def test_invalid_settings_rejected_in_dutch(kwargs):
    with pytest.raises(ValueError, match="moet|kan niet"):
        StraightLineModel(**kwargs)


def test_unknown_mode_rejected():
    with pytest.raises(ValueError, match="reiswijze"):
        StraightLineModel().minutes(np.array([1.0]), mode="lopen")


def test_model_is_hashable_and_described():
    model = StraightLineModel(detour=1.5)
    assert hash(model) == hash(StraightLineModel(detour=1.5))
    assert "1.5" in model.describe_nl() or "1,5" in model.describe_nl()
    assert "schatting" in ASSUMPTIONS_NL.lower()


def test_explanation_follows_the_model():
    """The "Over" text names the default model's figures, and any model's own figures."""
    default = StraightLineModel()
    assert (default.detour, default.speed_bike_kmh, default.speed_transit_car_kmh,
            default.wait_transit_car_min) == (
        DEFAULTS.detour, DEFAULTS.speed_bike_kmh, DEFAULTS.speed_transit_car_kmh,
        DEFAULTS.wait_transit_car_min)
    assert "omwegfactor van 1,3:" in ASSUMPTIONS_NL
    assert ASSUMPTIONS_NL == assumptions_nl(default)
    text = assumptions_nl(StraightLineModel(detour=1.45, speed_bike_kmh=12.5))
    assert "omwegfactor van 1,45:" in text and "gemiddeld 12,5 km/u" in text
