"""The search box and the chosen table row on the pages' maps (AppTest).

Kaart, School koppelen and Beheer → Controleren: typing a place and pressing Enter points
the map there with a "Gezocht" marker; choosing a table row points it at that row. The maps
are read as the page hands them to ``pages._shared.show_map`` (the ``shown_maps`` fixture),
through their data layers (``tests.map_payloads``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.output.call_lists import heading
from geo.reference.gazetteer import Gazetteer
from geo.register.examples import load_example_data
from geo.register.store import Store
from tests.map_payloads import layer, payloads

ROOT = Path(__file__).resolve().parent.parent
KAART = str(ROOT / "pages" / "kaart.py")
KOPPELEN = str(ROOT / "pages" / "school_koppelen.py")
BEHEER = str(ROOT / "pages" / "beheer.py")


@pytest.fixture
def register(app_env, reference):
    path = app_env / "infrakaart.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
    return path


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _views(html: str) -> list[dict]:
    return [p for kind, p in payloads(html) if kind == "view"]


def _classes(html: str) -> set[str]:
    return {p.get("className") for _, p in payloads(html)}


def _choose_row(at: AppTest, index: int, position: int | None) -> AppTest:
    """Choose row ``position`` of the ``index``-th table (None: no row), as a click does."""
    key = at.dataframe[index].key
    at.session_state[key] = {"selection": {"rows": [] if position is None else [position],
                                           "columns": []}}
    return _run(at)


# --------------------------------------------------------------------------- Kaart


def test_kaart_search_points_the_map_at_the_place(register, shown_maps, gazetteer):
    at = _run(AppTest.from_file(KAART, default_timeout=90))
    assert _views(shown_maps["kaart_map"]) == []  # the map opens over the five regions
    link = dict(at.query_params)
    at.text_input(key="kaart_map_zoek").input("Julianadorp").run()
    assert not at.exception
    place = gazetteer.place("Julianadorp")
    [found] = [s.value for s in at.success]
    assert found.startswith("Gevonden offline") and "Julianadorp" in found
    assert "midden van de woonkern" in found  # how precise: a place's centre
    [view] = _views(shown_maps["kaart_map"])
    assert (view["lat"], view["lon"]) == pytest.approx((place.lat, place.lon))
    assert view["zoom"] == 13
    marker = layer(shown_maps["kaart_map"], "points", "ik-gezocht")
    assert marker["cols"]["label"] == ["Gezocht: Julianadorp (Den Helder)"]
    assert dict(at.query_params) == link  # the link keeps the view, not the search

    # Unknown text: a Dutch message, and the map stays at Julianadorp.
    at.text_input(key="kaart_map_zoek").input("Nergenshuizen aan Zee").run()
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("Niets gevonden voor 'Nergenshuizen aan Zee'")
    assert (_views(shown_maps["kaart_map"])[0]["lat"]) == pytest.approx(place.lat)
    # A filter change later keeps it there too.
    at.checkbox(key="kaart_vmbo").check()
    _run(at)
    assert _views(shown_maps["kaart_map"])[0]["lat"] == pytest.approx(place.lat)


def test_kaart_unknown_search_on_a_fresh_map_changes_nothing(register, shown_maps):
    at = _run(AppTest.from_file(KAART, default_timeout=90))
    at.text_input(key="kaart_map_zoek").input("1000").run()
    assert any("bestaat niet in de postcodetabel" in w.value for w in at.warning)
    assert _views(shown_maps["kaart_map"]) == []
    assert "ik-gezocht" not in _classes(shown_maps["kaart_map"])


def test_kaart_ranking_row_points_the_map_at_its_area(register, shown_maps, reference):
    at = _run(AppTest.from_file(KAART, default_timeout=90))
    ranking = at.dataframe[0].value
    _choose_row(at, 0, 2)
    name = ranking["naam"].iloc[2]
    [view] = _views(shown_maps["kaart_map"])
    (south, west), (north, east) = view["bounds"]
    outline = layer(shown_maps["kaart_map"], "areas", "ik-gekozen-gebied")
    ring = outline["geojson"]["features"][0]["geometry"]
    lons = [c[0] for poly in _polygons(ring) for c in poly[0]]
    lats = [c[1] for poly in _polygons(ring) for c in poly[0]]
    assert (min(lats), max(lats)) == pytest.approx((south, north), abs=1e-5)
    assert (min(lons), max(lons)) == pytest.approx((west, east), abs=1e-5)
    assert layer(shown_maps["kaart_map"], "points", "ik-gekozen")["cols"]["label"] == [
        f"Gekozen: {name}"]
    # The chosen subregion's municipalities lie in the fitted bounds.
    division = reference.default_division.table
    codes = set(division.loc[division["subregio"] == name, "gemeentecode"])
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(codes)]
    assert len(pc4) > 0
    assert pc4["lat_pos"].between(south, north).all()
    assert pc4["lon_pos"].between(west, east).all()

    # Another level gives another table: the choice is forgotten, the map opens as always.
    chosen_key = at.dataframe[0].key
    at.selectbox(key="kaart_niveau").set_value("gemeente")
    _run(at)
    assert at.dataframe[0].key != chosen_key
    assert _views(shown_maps["kaart_map"]) == []
    assert "ik-gekozen" not in _classes(shown_maps["kaart_map"])


def _polygons(geometry: dict) -> list:
    return ([geometry["coordinates"]] if geometry["type"] == "Polygon"
            else geometry["coordinates"])


# --------------------------------------------------------------------------- School koppelen


def test_koppelen_row_then_search(register, shown_maps, gazetteer, reference):
    with Store(register, reference) as store:
        partners = store.organisations()
    at = _run(AppTest.from_file(KOPPELEN, default_timeout=90))
    table = at.dataframe[0].value
    _choose_row(at, 0, 2)
    name = table[heading("naam")].iloc[2]
    partner = partners[partners["naam"] == name].iloc[0]
    [view] = _views(shown_maps["koppel_kaart"])
    assert (view["lat"], view["lon"]) == pytest.approx((partner["lat"], partner["lon"]))
    ring = layer(shown_maps["koppel_kaart"], "points", "ik-gekozen")
    assert ring["cols"]["label"][0].startswith(f"Gekozen: 3. {name} — ")
    assert (ring["lat"][0], ring["lon"][0]) == pytest.approx((partner["lat"], partner["lon"]))

    # A search after the choice: the map goes to the place, the chosen partner stays marked.
    at.text_input(key="koppel_kaart_zoek").input("1703 AB").run()
    assert not at.exception
    pc = gazetteer.postcode("1703")
    [view] = _views(shown_maps["koppel_kaart"])
    assert (view["lat"], view["lon"], view["zoom"]) == pytest.approx((pc.lat, pc.lon, 14))
    assert {"ik-gezocht", "ik-gekozen"} <= _classes(shown_maps["koppel_kaart"])
    assert any("vier cijfers" in s.value for s in at.success)

    # Fewer partners: other rows, so the choice is gone; the search stays.
    at.number_input(key="koppel_k").set_value(2)
    _run(at)
    assert len(at.dataframe[0].value) == 2
    assert "ik-gekozen" not in _classes(shown_maps["koppel_kaart"])
    assert _views(shown_maps["koppel_kaart"])[0]["lat"] == pytest.approx(pc.lat)


def test_koppelen_partner_to_schools_row(register, shown_maps, reference):
    at = _run(AppTest.from_file(KOPPELEN, default_timeout=90))
    at.slider(key="koppel_partner_straal").set_value(25)
    _run(at)
    schools_table = next(i for i, d in enumerate(at.dataframe) if "vmbo" in d.value.columns)
    table = at.dataframe[schools_table].value
    _choose_row(at, schools_table, 0)
    code = table[heading("vestigingscode")].iloc[0]
    with Store(register, reference) as store:
        school = store.schools().set_index("vestigingscode").loc[code]
    [view] = _views(shown_maps["koppel_partner_kaart"])
    assert (view["lat"], view["lon"]) == pytest.approx((school["lat"], school["lon"]))
    assert _views(shown_maps["koppel_kaart"]) == []  # the other tab's map is untouched


# --------------------------------------------------------------------------- Beheer


def test_beheer_review_map_search(app_env, reference, shown_maps, gazetteer):
    path = app_env / "infrakaart.sqlite"
    with Store(path, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Ruw Geplaatst", "plaats": "Purmerend", "lat": 52.5, "lon": 4.95,
             "nauwkeurigheid": "plaats", "status": "waarschuwing"}, user="test")
    at = AppTest.from_file(BEHEER, default_timeout=90)
    at.session_state["rol"] = "team"
    at.session_state["gebruiker"] = "tester"
    _run(at)
    key = f"beheer_kaart_{org_id}"
    assert key not in shown_maps  # the review map is only built on its open tab
    at.session_state["beheer_tabblad"] = "Controleren"
    _run(at)
    assert _views(shown_maps[key]) == []  # folium's own centre: the current location
    at.text_input(key=f"{key}_zoek").input("Hoorn").run()
    assert not at.exception
    hoorn = gazetteer.place("Hoorn")
    [view] = _views(shown_maps[key])
    assert (view["lat"], view["lon"]) == pytest.approx((hoorn.lat, hoorn.lon))
    assert any("Meerdere plaatsen heten zo" in s.value for s in at.success)
    assert "ik-punt" in _classes(shown_maps[key])  # the current location is still drawn
