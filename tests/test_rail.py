"""Tests of the rail travel model: the data, the quality bounds of issue 11, the seam."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from geo.analysis.indicators import pc4_travel
from geo.analysis.journeys import (
    journey_errors,
    load_reference_journeys,
    mean_absolute_error,
)
from geo.analysis.proximity import to_rd
from geo.analysis.rail import (
    RailModel,
    RailOptions,
    area_model,
    assumptions_nl,
    load_rail_data,
    station_minutes,
)
from geo.analysis.travel import StraightLineModel, TravelModel
from geo.errors import ReferenceDataError
from geo.reference.gazetteer import Gazetteer
from geo.settings import Settings

DATA_DIR = Settings().data_dir


@pytest.fixture(scope="module")
def rail():
    return RailModel.from_data(DATA_DIR)


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def _xy(gazetteer, name):
    place = gazetteer.place(name)
    assert place is not None, name
    return to_rd([place.lon], [place.lat])


def _minutes(model, gazetteer, origin, destination):
    return float(model.durations_min(_xy(gazetteer, origin), _xy(gazetteer, destination),
                                     mode="ov_auto")[0, 0])


# -- the data ------------------------------------------------------------------------------


def test_bundled_rail_data_is_consistent():
    data = load_rail_data(DATA_DIR)
    stations = data.stations
    assert stations["code"].is_unique
    assert stations["lat"].between(51.9, 53.2).all() and stations["lon"].between(4.4, 5.5).all()
    # The intercity flag says exactly where an IC line of lijnen.csv stops.
    ic_stops = {c for line in data.lines.itertuples() if line.soort == "IC"
                for c in line.haltes.split()}
    flagged = set(stations.loc[stations["intercity"] == "ja", "code"])
    assert flagged == ic_stops
    assert {"HDR", "HWD", "ASD", "HVS", "HLM", "HN", "EKZ"} <= set(stations["code"])
    assert (data.segments["minuten"] > 0).all()
    assert data.segments["bron_km"].str.len().gt(0).all()


def test_missing_or_broken_rail_data_names_the_file(tmp_path):
    with pytest.raises(ReferenceDataError, match="stations.csv"):
        load_rail_data(tmp_path)
    shutil.copytree(DATA_DIR / "spoor", tmp_path / "spoor")
    lines = tmp_path / "spoor" / "lijnen.csv"
    frame = pd.read_csv(lines)
    frame.loc[0, "haltes"] = frame.loc[0, "haltes"] + " XYZ"
    frame.to_csv(lines, index=False)
    with pytest.raises(ReferenceDataError, match="onbekende stations XYZ"):
        load_rail_data(tmp_path)


def test_station_graph_prefers_the_intercity_and_counts_transfers(rail):
    code = {c: i for i, c in enumerate(rail.station_codes)}
    board, transfer = rail.options.board_min, rail.options.transfer_min
    # Hilversum - Amsterdam: the direct IC, far quicker than the sprinter's 35 minutes.
    assert rail.rail_min[code["HVS"], code["ASD"]] < board + 25
    # Enkhuizen - Heerhugowaard needs a change of line (in Hoorn): at least one penalty.
    data = load_rail_data(DATA_DIR)
    without = station_minutes(data, board_min=board, transfer_min=0.0)
    assert rail.rail_min[code["EKZ"], code["HWD"]] == pytest.approx(
        without[code["EKZ"], code["HWD"]] + transfer)
    assert np.isinf(np.diag(rail.rail_min)).all()


# -- the quality bounds of issue 11 -----------------------------------------------------


def test_den_helder_is_quicker_than_medemblik_to_heerhugowaard(rail, gazetteer):
    assert (_minutes(rail, gazetteer, "Den Helder", "Heerhugowaard")
            < _minutes(rail, gazetteer, "Medemblik", "Heerhugowaard"))


def test_hilversum_amsterdam_under_55_minutes(rail, gazetteer):
    assert _minutes(rail, gazetteer, "Hilversum", "Amsterdam") < 55


def test_texel_is_the_slowest_municipality_to_mbo_infra(rail, reference, gazetteer):
    mbo = pd.DataFrame([{"lat": gazetteer.place(p).lat, "lon": gazetteer.place(p).lon}
                        for p in reference.mbo["plaats"]])
    per = pc4_travel(reference, mbo, travel=rail)
    assert np.isfinite(per["reistijd_min"]).all()
    per["w"] = per["inw_10_19"] * per["reistijd_min"]
    sums = per.groupby("gemeentecode")[["w", "inw_10_19"]].sum()
    mean = (sums["w"] / sums["inw_10_19"]).dropna()
    texel = reference.gemeenten.set_index("gemeentenaam").loc["Texel", "gemeentecode"]
    assert mean.idxmax() == texel
    # ... and by a margin: the boat is not a rounding effect.
    assert mean[texel] > mean.drop(texel).max() + 20


def test_mean_error_on_reference_journeys_beats_straight_line(rail, gazetteer):
    journeys = load_reference_journeys(DATA_DIR)
    assert journeys["van"].nunique() >= 15
    assert set(journeys["naar"]) >= {"Heerhugowaard", "Amsterdam"}
    assert journeys["bron"].str.strip().str.len().gt(0).all()
    errors = journey_errors({"rechte_lijn": StraightLineModel(), "trein": rail}, journeys,
                            gazetteer.place)
    assert mean_absolute_error(errors, "trein") < mean_absolute_error(errors, "rechte_lijn")


def test_never_faster_than_120_kmh_nor_slower_than_the_bus(rail, reference):
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    rng = np.random.default_rng(11)
    o, d = xy[rng.choice(len(xy), 150)], xy[rng.choice(len(xy), 40)]
    minutes = rail.durations_min(o, d, mode="ov_auto")
    straight_km = StraightLineModel().straight_km(o, d)
    assert (minutes >= straight_km / 120.0 * 60.0 - 1e-9).all()
    # Off the islands the straight-line bus/car estimate is always an option.
    texel = rail._ferries[0]
    mainland = ~texel.on_island(o)[:, None] & ~texel.on_island(d)[None, :]
    bus = rail.bus_durations_min(o, d)
    assert (minutes[mainland] <= bus[mainland] + 1e-9).all()
    # The bus alone is slower than the straight-line model's blend of train and bus.
    assert (bus >= StraightLineModel().durations_min(o, d, mode="ov_auto")).all()


# -- the TravelModel seam ---------------------------------------------------------------


def test_rail_model_satisfies_the_protocol_and_describes_itself(rail):
    assert isinstance(rail, TravelModel)
    assert "Geen routeplanner" in rail.describe_nl()
    text = assumptions_nl(rail)
    assert "schattingen" in text and "Texel" in text
    # generated from the model: another transfer penalty shows in the text
    slower = RailModel(rail.data, base=rail.base, options=RailOptions(transfer_min=9.0))
    assert "9 minuten bij elke overstap" in assumptions_nl(slower)
    assert "6 minuten bij elke overstap" in text


def test_area_model_is_built_once_per_folder_and_base():
    assert area_model(str(DATA_DIR)) is area_model(str(DATA_DIR))
    other = area_model(str(DATA_DIR), StraightLineModel(detour=1.5))
    assert other.base.detour == 1.5 and other is not area_model(str(DATA_DIR))


def test_cycling_and_distances_are_the_base_models(rail, reference):
    xy = to_rd(reference.pc4["lon_pos"].to_numpy()[:30], reference.pc4["lat_pos"].to_numpy()[:30])
    base = StraightLineModel()
    np.testing.assert_allclose(rail.durations_min(xy, xy[:5], mode="fiets"),
                               base.durations_min(xy, xy[:5], mode="fiets"))
    np.testing.assert_allclose(rail.distances_km(xy, xy[:5]), base.distances_km(xy, xy[:5]))
    with pytest.raises(ValueError, match="Onbekende reiswijze"):
        rail.durations_min(xy, xy, mode="lopen")


def test_pairs_equal_the_diagonal_of_the_matrix(rail, reference):
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())[::9]
    rng = np.random.default_rng(3)
    other = xy[rng.permutation(len(xy))]
    for mode in ("ov_auto", "fiets"):
        np.testing.assert_allclose(rail.pair_durations_min(xy, other, mode=mode),
                                   np.diag(rail.durations_min(xy, other, mode=mode)))


def test_missing_locations_give_nan_and_empty_inputs_work(rail, gazetteer):
    xy = np.vstack([_xy(gazetteer, "Hoorn"), [[np.nan, np.nan]]])
    minutes = rail.durations_min(xy, _xy(gazetteer, "Amsterdam"))
    assert np.isfinite(minutes[0, 0]) and np.isnan(minutes[1, 0])
    assert rail.durations_min(np.empty((0, 2)), xy).shape == (0, 2)


def test_texel_goes_by_boat_and_stays_on_the_island_otherwise(rail, gazetteer):
    den_burg, de_koog = _xy(gazetteer, "Den Burg"), _xy(gazetteer, "De Koog")
    on_island = float(rail.durations_min(den_burg, de_koog)[0, 0])
    assert on_island == pytest.approx(float(rail.bus_durations_min(den_burg, de_koog)[0, 0]))
    to_den_helder = _minutes(rail, gazetteer, "Den Burg", "Den Helder")
    assert to_den_helder > rail._ferries[0].crossing_min + rail.options.ferry_margin_min
    assert to_den_helder == pytest.approx(_minutes(rail, gazetteer, "Den Helder", "Den Burg"),
                                          abs=15)


def test_equal_models_hash_equal_and_options_are_checked():
    a, b = RailModel.from_data(DATA_DIR), RailModel.from_data(DATA_DIR)
    assert a == b and hash(a) == hash(b)
    assert a != RailModel.from_data(DATA_DIR, options=RailOptions(transfer_min=9))
    with pytest.raises(ValueError, match="negatief"):
        RailOptions(board_min=-1)
