"""geo.views.wat_als: the "wat als" scenario as the page shows it, without Streamlit."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from geo.analysis.travel import StraightLineModel
from geo.output import maps
from geo.reference.regions import unit_polygons
from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.text import signed_decimal
from geo.views.wat_als import COMPARISON_COLUMNS, WhatIfChoices, what_if_view
from tests.map_payloads import layer
from tests.small_register import small_register


@pytest.fixture(scope="module")
def store(tmp_path_factory, reference):
    path = small_register(tmp_path_factory.mktemp("wat_als") / "register.sqlite", reference)
    with Store(path, reference) as opened:
        yield opened


def _view(store, reference, **choices):
    choices = WhatIfChoices(**choices)
    polygons = maps.simplified(unit_polygons(choices.level, reference,
                                             reference.default_division))
    return what_if_view(store, reference=reference, division=reference.default_division,
                        choices=choices, unit_polygons=polygons)


def test_default_is_den_helder_and_helps_the_kop(store, reference):
    view = _view(store, reference)
    assert WhatIfChoices().location == DEFAULTS.what_if_municipality == "GM0400"
    assert view.prompt is None and view.error is None
    table = view.table.set_index("naam")
    assert list(view.table.columns) == COMPARISON_COLUMNS
    kop = table.loc["Kop van Noord-Holland"]
    assert kop["reistijd_gemiddeld_wat_als"] < kop["reistijd_gemiddeld_nu"]
    assert view.changed.sum() >= 1
    label, value, delta = view.metric
    assert label.endswith("(OV/auto)") and value.endswith(" min")
    assert re.fullmatch(r"-\d+(,\d)? min", delta)  # a Dutch decimal comma
    shown = view.table
    same = ((shown["reistijd_gemiddeld_nu"] == shown["reistijd_gemiddeld_wat_als"])
            & (shown["reistijd_max_nu"] == shown["reistijd_max_wat_als"])
            & (shown["afstand_gemiddeld_nu"] == shown["afstand_gemiddeld_wat_als"])
            & (shown["score_nu"] == shown["score_wat_als"])
            & (shown["rang_nu"] == shown["rang_wat_als"]))
    assert (view.changed.to_numpy() == ~same.to_numpy()).all()  # orange = visibly different
    assert layer(view.fmap.get_root().render(), "legend")["title"] == "Minder reistijd (minuten)"
    assert any("Kop van Noord" in line for line in view.gainers) and view.no_gain is None
    assert view.table_title == "Vandaag en wat als, per subregio"
    html = view.fmap.get_root().render()
    assert len(layer(html, "points", "ik-nieuwe-locatie")["lat"]) == 1
    assert "Nieuwe locatie: Den Helder" in html
    book = pd.read_excel(io.BytesIO(view.xlsx), sheet_name=None)
    assert list(book) == ["Wat als", "Uitleg"]


def test_waiting_for_a_click(store, reference):
    view = _view(store, reference, location=None)
    assert view.prompt == "Klik op de kaart om de nieuwe locatie te kiezen."
    assert view.table is None and view.metric is None and view.csv == b""
    assert "ik-nieuwe-locatie" not in view.fmap.get_root().render()


def test_a_point_outside_the_country_is_a_dutch_error(store, reference):
    view = _view(store, reference, location=(48.85, 2.35))
    assert view.error and "Nederland" in view.error
    assert view.table is None


def test_the_explanation_follows_the_sliders(store, reference):
    slow = StraightLineModel(detour=1.5)
    view = _view(store, reference, travel=slow, bus_kmh=20, level="gemeente",
                 location="GM0402")
    assert "omwegfactor 1,5 tegen 20 km/u" in view.explanations[0]
    assert "20 km/u" in view.travel_caption and "omweg 1,5" in view.travel_caption
    default = _view(store, reference, level="gemeente", location="GM0402")
    before = default.table.set_index("naam")["reistijd_gemiddeld_nu"]
    after = view.table.set_index("naam")["reistijd_gemiddeld_nu"].reindex(before.index)
    assert (after > before).all()
    assert view.table.iloc[0]["naam"] in {"Hilversum", "Wijdemeren", "Gooise Meren",
                                          "Laren (NH.)", "Blaricum", "Eemnes", "Huizen"}


def test_signed_decimal_is_dutch_and_never_minus_zero():
    assert [signed_decimal(v) for v in (-2.14, 0.44, -0.04, 0.0, 12.0)] == [
        "-2,1", "+0,4", "0", "0", "+12"]
