"""The "Wat als" page (pages/wat_als.py) through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.text import md

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "wat_als.py")


@pytest.fixture
def isolated(app_env):
    """Runtime files (the register) in tmp_path, seen by the page's cached helpers."""
    return app_env


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest):
    frames = [df.value for df in at.dataframe]
    assert frames, "the page shows no table"
    value = frames[0]
    return getattr(value, "data", value)  # a Styler carries the frame in .data


def test_default_scenario_den_helder(isolated):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    assert (isolated / "infrakaart.sqlite").exists()  # the register in tmp_path was used
    table = _table(at).set_index("naam")
    assert len(table) == 10  # subregions
    kop = table.loc["Kop van Noord-Holland"]
    assert kop["reistijd_gemiddeld_wat_als"] < kop["reistijd_gemiddeld_nu"]
    assert table.loc["Gooi en Vechtstreek", "reistijd_gemiddeld_verschil"] == 0
    assert any(md("Kop van Noord-Holland") in m.value for m in at.markdown)
    assert any("schatting" in c.value.lower() for c in at.caption)
    assert len(at.metric) == 1
    assert float(at.metric[0].delta.split()[0].replace(",", ".")) < 0


def test_choosing_a_municipality_and_level(isolated):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.selectbox(key="wat_als_niveau").set_value("gemeente")
    at.selectbox(key="wat_als_gemeente").set_value("GM0402")  # Hilversum
    _run(at)
    table = _table(at).set_index("naam")
    assert len(table) == 46
    assert table.loc["Hilversum", "reistijd_gemiddeld_verschil"] < 0
    assert table.loc["Texel", "reistijd_gemiddeld_verschil"] == 0
    # The table is sorted by gain: Hilversum's region comes first.
    assert _table(at).iloc[0]["naam"] in {"Hilversum", "Wijdemeren", "Gooise Meren", "Laren (NH.)",
                                          "Blaricum", "Eemnes", "Huizen"}


def test_slower_speed_gives_longer_times(isolated):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    before = _table(at).set_index("naam")["reistijd_gemiddeld_nu"]
    at.slider(key="wat_als_ov").set_value(20)
    _run(at)
    after = _table(at).set_index("naam")["reistijd_gemiddeld_nu"]
    assert (after.reindex(before.index) > before).all()


def test_click_mode_waits_for_a_click(isolated):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.radio(key="wat_als_hoe").set_value("Klik op de kaart")
    _run(at)
    assert any("Klik op de kaart" in i.value for i in at.info)
    assert not at.dataframe
    # A point chosen earlier (as a click would store it) drives the scenario.
    at.session_state["wat_als_punt"] = (52.95, 4.76)  # Den Helder
    _run(at)
    table = _table(at).set_index("naam")
    assert table.loc["Kop van Noord-Holland", "reistijd_gemiddeld_verschil"] < 0
