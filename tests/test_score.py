"""Tests of geo.analysis.access and geo.analysis.score: partner access (2SFCA), the parts
as percentiles, the combination, the rank range, and the acceptance on the example data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis import indicators as analysis
from geo.analysis.access import gaussian_decay, two_step_fca
from geo.analysis.names import share_column
from geo.analysis.score import (
    PARTS,
    ScoreWeights,
    combine,
    percentile,
    score_explanation_nl,
    top_units_text,
    weight_grid,
    white_spot_score,
)
from geo.settings import DEFAULTS

SHARES = [share_column(t) for t in DEFAULTS.travel_thresholds_min]

# ---------------------------------------------------------------------------------------
# Partner access: two-step floating catchment
# ---------------------------------------------------------------------------------------


def test_gaussian_decay_from_one_to_zero():
    d = np.array([0.0, 5_000.0, 10_000.0, 20_000.0, np.nan])
    w = gaussian_decay(d, 10_000.0)
    assert w[0] == pytest.approx(1.0)
    assert 0 < w[1] < 1 and w[2] == 0.0 and w[3] == 0.0 and w[4] == 0.0
    assert w[1] == pytest.approx((np.exp(-0.125) - np.exp(-0.5)) / (1 - np.exp(-0.5)))
    with pytest.raises(ValueError):
        gaussian_decay(d, 0.0)


def test_two_step_fca_by_hand():
    # Two villages 4 km apart, one partner in the first; catchment 10 km.
    demand_xy = np.array([[0.0, 0.0], [4_000.0, 0.0], [50_000.0, 0.0]])
    demand = np.array([100.0, 300.0, 500.0])
    access = two_step_fca(demand_xy, demand, np.array([[0.0, 0.0]]), catchment_km=10)
    f = gaussian_decay(np.array([0.0, 4_000.0]), 10_000.0)
    ratio = 1.0 / (100 * f[0] + 300 * f[1])
    assert access[:2] == pytest.approx(ratio * f)
    assert access[2] == 0.0  # out of reach
    # What is shared out is kept: Σ P_i A_i = number of partners with demand in reach.
    assert (demand * access).sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 6), st.integers(0, 10_000))
def test_two_step_fca_keeps_supply(n_demand, n_supply, seed):
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 30_000, (n_demand, 2))
    demand = rng.uniform(1, 1_000, n_demand)
    supply_xy = rng.uniform(0, 30_000, (n_supply, 2))
    access = two_step_fca(demand_xy, demand, supply_xy, catchment_km=15)
    f = gaussian_decay(np.hypot(*(demand_xy[:, None, :] - supply_xy[None]).transpose(2, 0, 1)),
                       15_000.0)
    served = int(((demand[:, None] * f).sum(axis=0) > 0).sum())
    assert (demand * access).sum() == pytest.approx(served)
    assert (access >= 0).all()
    # One more partner never lowers anybody's access.
    more = two_step_fca(demand_xy, demand, np.vstack([supply_xy, demand_xy[:1]]),
                        catchment_km=15)
    assert (more >= access - 1e-12).all()


def test_two_step_fca_without_partners_or_people():
    assert (two_step_fca(np.zeros((3, 2)), np.ones(3), np.empty((0, 2))) == 0).all()
    assert len(two_step_fca(np.empty((0, 2)), np.empty(0), np.zeros((1, 2)))) == 0


# ---------------------------------------------------------------------------------------
# Percentiles, combination, rank range
# ---------------------------------------------------------------------------------------


def test_percentile_mid_rank():
    assert list(percentile([3.0, 1.0, 2.0])) == [100.0, 0.0, 50.0]
    assert list(percentile([0.0, 0.0, 0.0, 1.0])) == pytest.approx([100 / 3] * 3 + [100.0])
    assert list(percentile([5.0, 5.0])) == [50.0, 50.0]  # equal everywhere: neutral
    out = percentile([np.nan, 7.0])
    assert np.isnan(out[0]) and out[1] == 50.0


def _table(access, minutes, share45, share60, longest, vmbo_share) -> pd.DataFrame:
    n = len(access)
    return pd.DataFrame({
        "code": [f"U{i:02d}" for i in range(n)],
        "toegang_partners_per_10k_jongeren": access,
        "reistijd_mbo_infra_min_gemiddeld": minutes,
        SHARES[0]: share45, SHARES[1]: share60,
        "reistijd_mbo_infra_min_max": longest,
        "aandeel_vmbo_zonder_partner": vmbo_share,
    })


def test_score_by_hand():
    table = _table([0.5, 1.0, 2.0], [60, 30, 45], [1.0, 0.0, 0.5], [0.5, 0.0, 0.0],
                   [90, 40, 70], [0.2, 0.0, np.nan])
    weights = ScoreWeights(scarcity=0.3, travel=0.4, schools=0.3)
    scored = white_spot_score(table, weights=weights).set_index("code")
    # Fewer partners within reach = higher part.
    assert list(scored.loc[["U00", "U01", "U02"], "deelscore_schaarste"]) == [100, 50, 0]
    # Long trip: mean of four percentiles (U01 and U02 tie on the share above 60 min).
    assert scored.loc["U00", "deelscore_reistijd"] == pytest.approx(100.0)
    assert scored.loc["U02", "deelscore_reistijd"] == pytest.approx((50 + 50 + 25 + 50) / 4)
    # Schools: only units with a vmbo school are ranked.
    assert scored.loc["U00", "deelscore_scholen"] == 100 and scored.loc["U01",
                                                                        "deelscore_scholen"] == 0
    assert np.isnan(scored.loc["U02", "deelscore_scholen"])
    assert scored.loc["U00", "score"] == pytest.approx(100.0)
    u2 = scored.loc["U02"]
    assert u2["score"] == pytest.approx(
        (0.3 * u2["deelscore_schaarste"] + 0.4 * u2["deelscore_reistijd"]) / 0.7)
    assert list(white_spot_score(table, weights=weights)["code"])[0] == "U00"


def test_a_unit_without_vmbo_school_is_scored_on_its_other_parts():
    """No data for schools: the other parts keep their values, the mean is over two."""
    table = _table([0.5, 1.0, 2.0, 0.8], [60, 30, 45, 50], [1, 0, 0.5, 0.6], [0.5, 0, 0, 0.1],
                   [90, 40, 70, 80], [0.2, 0.0, 0.1, 0.0])
    without = table.assign(aandeel_vmbo_zonder_partner=[0.2, 0.0, 0.1, np.nan])
    a = white_spot_score(table).set_index("code")
    b = white_spot_score(without).set_index("code")
    pd.testing.assert_series_equal(a["deelscore_schaarste"], b["deelscore_schaarste"])
    pd.testing.assert_series_equal(a["deelscore_reistijd"], b["deelscore_reistijd"])
    w = ScoreWeights()
    u3 = b.loc["U03"]
    assert u3["score"] == pytest.approx(
        (w.scarcity * u3["deelscore_schaarste"] + w.travel * u3["deelscore_reistijd"])
        / (w.scarcity + w.travel))
    assert 0 <= u3["score"] <= max(u3["deelscore_schaarste"], u3["deelscore_reistijd"])


def test_combine_many_weight_sets_at_once():
    parts = np.array([[100.0, 0.0, np.nan], [0.0, 100.0, 50.0]])
    grid = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    assert combine(parts, grid) == pytest.approx(np.array([[100.0, 0.0], [0.0, 75.0]]))
    assert combine(parts, np.array([1.0, 1.0, 0.0])) == pytest.approx([50.0, 50.0])


def test_weight_grid_moves_every_weight_and_never_goes_below_zero():
    grid = weight_grid(ScoreWeights(0.3, 0.4, 0.3), step=0.1)
    assert len(grid) == 27
    assert grid.min(axis=0) == pytest.approx([0.2, 0.3, 0.2])
    assert grid.max(axis=0) == pytest.approx([0.4, 0.5, 0.4])
    clipped = weight_grid(ScoreWeights(0.05, 1.0, 0.0), step=0.1)
    assert (clipped >= 0).all() and len(clipped) == 3 * 3 * 2  # 0 only moves up


units = st.integers(min_value=2, max_value=12).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 50), min_size=n, max_size=n),
    st.lists(st.floats(0, 200), min_size=n, max_size=n),
    st.lists(st.floats(0, 1), min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=n, max_size=n),
    st.integers(0, n - 1),
))
weight_sets = st.builds(ScoreWeights, st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 1))


def _units_table(data):
    access, minutes, share, vmbo, i = data
    vmbo = [np.nan if v is None else v for v in vmbo]
    return _table(access, minutes, share, [s / 2 for s in share],
                  [m * 1.5 for m in minutes], vmbo), i


def _score(table, code, weights):
    value = float(white_spot_score(table, weights=weights).set_index("code").loc[code, "score"])
    return -1.0 if np.isnan(value) else value


@settings(max_examples=100, deadline=None)
@given(units, st.floats(0.01, 20), weight_sets)
def test_more_access_never_raises_a_units_score(data, extra, weights):
    table, i = _units_table(data)
    more = table.copy()
    more.loc[i, "toegang_partners_per_10k_jongeren"] += extra
    code = table.loc[i, "code"]
    assert _score(more, code, weights) <= _score(table, code, weights) + 1e-9


@settings(max_examples=100, deadline=None)
@given(units, st.floats(0.1, 200), weight_sets)
def test_a_longer_trip_never_lowers_a_units_score(data, extra, weights):
    table, i = _units_table(data)
    longer = table.copy()
    for column in ("reistijd_mbo_infra_min_gemiddeld", "reistijd_mbo_infra_min_max"):
        longer.loc[i, column] += extra
    code = table.loc[i, "code"]
    assert _score(longer, code, weights) >= _score(table, code, weights) - 1e-9


@settings(max_examples=60, deadline=None)
@given(units, weight_sets)
def test_rank_range_contains_the_rank(data, weights):
    table, _ = _units_table(data)
    scored = white_spot_score(table, weights=weights)
    assert (scored["rang_min"] <= scored["rang"]).all()
    assert (scored["rang"] <= scored["rang_max"]).all()
    fixed = white_spot_score(table, weights=weights, step=0.0)
    assert (fixed["rang_min"] == fixed["rang"]).all() and (fixed["rang_max"] == fixed["rang"]).all()


def test_weights_validated():
    with pytest.raises(ValueError):
        ScoreWeights(scarcity=0, travel=0, schools=0)
    with pytest.raises(ValueError):
        ScoreWeights(scarcity=-1)
    with pytest.raises(ValueError):
        ScoreWeights(scarcity=float("nan"))


# ---------------------------------------------------------------------------------------
# The example data (the register's seed: DUO schools, the mbo places, the example partners)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory, reference):
    from geo.register.examples import load_example_data
    from geo.register.store import Store

    path = tmp_path_factory.mktemp("voorbeeld") / "register.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
        return {"partners": store.organisations(include_personal=False),
                "schools": store.schools(), "mbo": store.mbo_locations()}


@pytest.fixture(scope="module")
def by_subregion(reference, example):
    return analysis.indicators("subregio", reference=reference, **example).set_index("naam")


@pytest.fixture(scope="module")
def by_municipality(reference, example):
    return analysis.indicators("gemeente", reference=reference, **example).set_index("naam")


def test_amsterdam_is_not_the_top_white_spot(by_subregion, by_municipality):
    """Amsterdam hosts an mbo infra place and nearly every school has a partner."""
    for table in (by_subregion, by_municipality):
        amsterdam = table.loc["Amsterdam"]
        assert amsterdam["aandeel_scholen_met_partner"] > 0.95
        assert amsterdam["rang"] > 3
        assert amsterdam["deelscore_reistijd"] < 20  # the trip is short


def test_kop_van_noord_holland_is_in_the_top_three_subregions(by_subregion):
    kop = by_subregion.loc["Kop van Noord-Holland"]
    assert kop["rang"] <= 3
    assert kop["deelscore_reistijd"] >= 70 and kop["deelscore_scholen"] == 100
    assert kop["rang_min"] <= kop["rang"] <= kop["rang_max"]


def test_no_part_swamps_another(by_subregion, by_municipality):
    """Every part spans the whole scale, and units without a vmbo school do not float up."""
    for table in (by_subregion, by_municipality):
        for column in PARTS:
            values = table[column].dropna()
            assert values.max() - values.min() >= 50, column
    no_vmbo = by_municipality[by_municipality["scholen_vmbo"] == 0]
    assert len(no_vmbo) >= 3
    assert no_vmbo["deelscore_scholen"].isna().all()
    assert no_vmbo["rang"].median() > 5  # not bunched at the top any more


def test_one_partner_moves_the_smallest_municipality_little(reference, example,
                                                           by_municipality):
    smallest = by_municipality["inwoners_10_19"].idxmin()
    code = by_municipality.loc[smallest, "code"]
    pc4 = reference.pc4[reference.pc4["gemeentecode"] == code]
    home = pc4.loc[pc4["inw_10_19"].idxmax()]
    new = pd.DataFrame([{"naam": "Nieuw", "soort": "aannemer", "actief": True,
                         "donateur": False, "gemeentecode": code,
                         "lat": home["lat_pos"], "lon": home["lon_pos"]}])
    more = dict(example, partners=pd.concat([example["partners"], new], ignore_index=True))
    after = analysis.indicators("gemeente", reference=reference, **more).set_index("naam")
    before = by_municipality.loc[smallest]
    assert after.loc[smallest, "partners"] == before["partners"] + 1
    assert after.loc[smallest, "toegang_partners_per_10k_jongeren"] > before[
        "toegang_partners_per_10k_jongeren"]
    assert after.loc[smallest, "score"] <= before["score"] + 1e-9
    assert abs(after.loc[smallest, "score"] - before["score"]) <= 15


def test_top_units_text_shows_parts_and_stability(by_subregion):
    table = by_subregion.reset_index()
    lines = top_units_text(table, n=3)
    assert len(lines) == 3 and lines[0].startswith("1. ")
    first = table.sort_values("rang").iloc[0]
    assert first["naam"] in lines[0]
    assert "bij andere gewichten" in lines[0] and "weinig partners" in lines[0]
    assert "boven 45 min" in lines[0] and "vmbo-scholen zonder partner:" in lines[0]
    assert "0,3" in score_explanation_nl()
