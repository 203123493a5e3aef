"""Map builders, checked by rendering them to HTML (as geopandas tests explore())."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from geo.output import choropleth, map_layers, maps
from geo.output.assets import STATIC_URL, missing_assets, standalone_html, use_assets
from geo.output.map_json import PACKED_DIGITS, map_json, packed, unpacked
from geo.settings import Settings
from tests.map_payloads import all_texts, layer


@pytest.fixture(scope="module")
def layers(reference):
    return maps.boundary_layers(reference)


def _schools(reference):
    return reference.scholen.rename(columns={"vestigingsnaam": "naam", "plaatsnaam": "plaats"})


def _render(fmap) -> str:
    return fmap.get_root().render()


def _school_features(html: str) -> int:
    """Number of school points in the rendered map's data layer."""
    return len(layer(html, "points", "ik-school")["lat"])


def test_region_map_has_all_layers_and_attribution(reference, layers):
    fmap = maps.base_map()
    maps.add_boundaries(fmap, layers)
    drawn = maps.add_schools(fmap, _schools(reference))
    maps.finish_map(fmap, legend=maps.region_legend(), title="Arbeidsmarktregio's")
    html = _render(fmap)
    assert drawn == 270
    assert _school_features(html) == 270
    assert "service.pdok.nl/brt/achtergrondkaart" in html
    assert "tile.openstreetmap.org" in html
    assert "Kadaster" in html and "OpenStreetMap" in html
    for name in ("Arbeidsmarktregio\\u0027s", "Subregio\\u0027s", "Gemeenten",
                 "Middelbare scholen"):
        assert f'"{name}" :' in html  # an entry in the layer switcher
    texts = all_texts(html)
    for region in ("Noord-Holland Noord", "Zaanstreek/Waterland", "Zuid-Kennemerland en IJmond",
                   "Groot Amsterdam", "Gooi en Vechtstreek"):
        assert region in texts
    source = layer(html, "legend")["attribution"]
    assert "© ESRI Nederland" in source and "DUO" in source


def test_boundary_layers_are_simplified_but_complete(reference, layers):
    assert len(layers["gemeente"]) == 46
    assert len(layers["subregio"]) == 10
    assert len(layers["arbeidsmarktregio"]) == 5
    assert layers["gemeente"]["subregio"].notna().all()
    full = sum(len(g.exterior.coords) for geom in reference.gemeenten.geometry for g in geom.geoms)
    simple = sum(len(g.exterior.coords) for geom in layers["gemeente"].geometry
                 for g in getattr(geom, "geoms", [geom]))
    assert simple < full


def test_vmbo_filter(reference):
    fmap = maps.base_map()
    drawn = maps.add_schools(fmap, _schools(reference), vmbo_only=True)
    assert drawn == int(reference.scholen["heeft_vmbo"].sum())
    assert _school_features(_render(fmap)) == drawn


def test_mbo_places_with_precision(reference):
    mbo = pd.DataFrame({"naam": ["Campus <Heerhugowaard>"], "instelling": ["X"],
                        "plaats": ["Heerhugowaard"], "lat": [52.66], "lon": [4.83],
                        "nauwkeurigheid": ["plaats"]})
    fmap = maps.base_map()
    assert maps.add_mbo(fmap, mbo) == 1
    html = _render(fmap)
    badges = layer(html, "badges", "ik-mbo")
    assert badges["cols"]["naam"] == ["Campus <Heerhugowaard>"]  # text, shown as text
    assert any("midden van de woonkern" in t for t in badges["cols"]["locatie"])
    assert "<Heerhugowaard>" not in html


def _partners():
    return pd.DataFrame({
        "naam": ['<img src=x onerror="alert(1)">Bouw', "Polder & Zn"],
        "soort": ["aannemer", "ingenieursbureau"], "donateur": [True, False],
        "plaats": ["Hoorn", "Edam"], "gemeentenaam": ["Hoorn", "Edam-Volendam"],
        "website": ["", ""], "ambassadeur_voor": [None, None],
        "lat": [52.64, 52.51], "lon": [5.06, 5.05], "nauwkeurigheid": ["adres", "postcode4"],
        "contactpersoon": ["Jan Jansen", "Piet Pieters"],
        "email": ["jan@voorbeeld.invalid", "piet@voorbeeld.invalid"],
        "telefoon": ["020-0000001", "020-0000002"],
    })


def test_partner_names_travel_as_data_not_html():
    fmap = maps.base_map()
    maps.add_partners(fmap, _partners())
    html = _render(fmap)
    assert "<img src=x" not in html and "&lt;img" not in html
    names = layer(html, "points", "ik-partner")["cols"]["naam"]
    assert names == ['<img src=x onerror="alert(1)">Bouw', "Polder & Zn"]


def test_personal_fields_only_when_allowed():
    public = _render(maps.add_partners(fmap := maps.base_map(), _partners()) and fmap)
    staff_map = maps.base_map()
    maps.add_partners(staff_map, _partners(), show_personal=True)
    staff = _render(staff_map)
    for secret in ("jan@voorbeeld.invalid", "020-0000001", "Jan Jansen"):
        assert secret not in public
        assert secret in staff


def test_donors_are_drawn_differently():
    fmap = maps.base_map()
    maps.add_partners(fmap, _partners(), cluster=False)
    points = layer(_render(fmap), "points", "ik-partner")
    rings = [points["styles"][i]["weight"] for i in points["style"]]
    assert rings == [3, 1.5]  # the donor first


def test_choropleth_colours_follow_values(reference):
    units = maps.simplified(reference.regios).assign(
        code=reference.regios["arbeidsmarktregio_code"], naam=reference.regios["arbeidsmarktregio"])
    table = pd.DataFrame({"code": ["AM12", "AM15", "AM17", "AM18", "AM37"],
                          "score": [10.0, 90.0, 30.0, 50.0, None]})
    fmap = maps.base_map()
    legend = choropleth.add_choropleth(fmap, units, table, column="score", label="Score",
                                       fmt="{:.0f}")
    maps.finish_map(fmap, legend=legend)
    html = _render(fmap)
    assert "Kleurkaart: Score" in html
    areas = layer(html, "areas", "ik-kleurkaart")["geojson"]["features"]
    drawn = {f["properties"]["naam"]: f["properties"]["ik_style"]["fillColor"] for f in areas}
    edges = choropleth.choropleth_bins(table["score"])
    colours = dict(zip(table["code"], [choropleth.color_for(v, edges) for v in table["score"]],
                       strict=True))
    names = dict(zip(units["code"], units["naam"], strict=True))
    assert {names[c]: colour for c, colour in colours.items()} == drawn
    assert colours["AM37"] == "#cccccc"
    assert choropleth.CHOROPLETH_COLORS.index(colours["AM15"]) > choropleth.CHOROPLETH_COLORS.index(
        colours["AM12"])
    assert legend and legend[0][0] == "vlak"


def test_choropleth_legend_classes_are_distinct_with_dutch_decimals(reference):
    units = maps.simplified(reference.regios).assign(
        code=reference.regios["arbeidsmarktregio_code"], naam=reference.regios["arbeidsmarktregio"])
    table = pd.DataFrame({"code": ["AM12", "AM15", "AM17", "AM18", "AM37"],
                          "score": [35.2, 35.4, 35.3, 41.0, 29.1]})
    legend = choropleth.add_choropleth(maps.base_map(), units, table, column="score", label="Score",
                                 fmt="{:.0f}")
    labels = [label for _, _, label in legend]
    assert len(set(labels)) == len(labels)
    assert all("," in label and "." not in label for label in labels)


def test_local_assets_replace_cdns(reference, layers):
    fmap = maps.base_map()
    maps.add_partners(fmap, _partners())
    use_assets(fmap, "local")
    html = _render(fmap)
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert sources and all(s.startswith(STATIC_URL) for s in sources)
    assert "leaflet.markercluster.js" in html


@pytest.mark.skipif(bool(missing_assets(Settings().static_dir)),
                    reason="static/ not installed (make setup)")
def test_standalone_html_needs_no_network(reference, layers):
    fmap = maps.base_map()
    maps.add_boundaries(fmap, layers)
    maps.finish_map(fmap)
    html = standalone_html(fmap, Settings().static_dir)
    assert not re.search(r'<script[^>]+src="http', html)
    assert not re.search(r'<link[^>]+href="http', html)
    assert "L.map(" in html and "Leaflet" in html


def test_offline_base_is_land_with_the_water_left_open(reference):
    from shapely.geometry import Point, shape

    base = maps.offline_base(reference)
    # The 46 municipalities of the five regions with their borders, the rest as one shape.
    assert len(base) == len(reference.gemeenten) + 1
    land = [shape(unpacked(geometry)) for geometry in base]

    def on_land(lat: float, lon: float) -> bool:
        return any(part.contains(Point(lon, lat)) for part in land)

    for lat, lon in ((52.3731, 4.8926), (52.9563, 4.7600), (53.0580, 4.7972),  # Dam, Den
                     (52.0907, 5.1214), (52.5185, 5.4714)):  # Helder, Texel, Utrecht, Lelystad
        assert on_land(lat, lon), (lat, lon)
    for lat, lon in ((52.80, 5.25), (52.50, 5.20), (52.60, 4.45), (53.10, 5.20)):
        assert not on_land(lat, lon), (lat, lon)  # IJsselmeer, Markermeer, sea, Waddenzee


def test_every_map_carries_the_offline_base_below_the_tiles(reference):
    fmap = maps.finish_map(maps.base_map(center=(52.63, 4.75), zoom=14))
    html = _render(fmap)
    payload = layer(html, "offlineBase")
    assert len(payload["geojson"]["features"]) == len(reference.gemeenten) + 1
    assert all(f["properties"] == {} for f in payload["geojson"]["features"])  # no text
    assert payload["style"]["fillOpacity"] == 1
    # Below the tile pane (Leaflet's is 200), so loaded tiles cover it.
    code = map_layers.library_code()
    assert 'createPane("ikBasis")' in code and "zIndex = 150" in code


def test_one_deviating_unit_stands_out_in_the_choropleth():
    values = pd.Series([0.0] * 9 + [30.0])
    edges = choropleth.choropleth_bins(values)
    assert choropleth.color_for(30.0, edges) != choropleth.color_for(0.0, edges)
    assert choropleth.color_for(30.0, edges) == choropleth.CHOROPLETH_COLORS[-1]


def test_legend_can_be_folded_away():
    fmap = maps.base_map()
    maps.finish_map(fmap, legend=maps.region_legend(), title="Regio's")
    html = _render(fmap)
    legend = layer(html, "legend")
    assert legend["title"] == "Regio's"
    assert len(legend["items"]) == 5
    assert legend["openMinWidth"] == map_layers.LEGEND_OPEN_MIN_WIDTH
    assert 'el("details", "ik-legend")' in html
    assert "box.open = (window.screen.width || map.getSize().x) >= (payload.openMinWidth" in html


def test_bivariate_map_colours_thirds_of_both_parts(reference):
    units = maps.simplified(reference.regios).assign(
        code=reference.regios["arbeidsmarktregio_code"], naam=reference.regios["arbeidsmarktregio"])
    table = pd.DataFrame({"code": ["AM12", "AM15", "AM17", "AM18", "AM37"],
                          "deelscore_schaarste": [90.0, 10.0, 50.0, 100.0, np.nan],
                          "deelscore_reistijd": [95.0, 5.0, 70.0, 0.0, 50.0]})
    fmap = maps.base_map()
    legend = choropleth.add_bivariate(fmap, units, table, label="Twee delen")
    maps.finish_map(fmap, legend=legend)
    areas = layer(_render(fmap), "areas", "ik-kleurkaart")["geojson"]["features"]
    names = dict(zip(units["code"], units["naam"], strict=True))
    drawn = {f["properties"]["naam"]: f["properties"] for f in areas}
    far_few = drawn[names["AM12"]]
    assert far_few["klasse"] == choropleth.FAR_AND_FEW == "ver én weinig partners"
    assert far_few["ik_style"] == {"fillColor": choropleth.BIVARIATE_COLORS[2][2],
                                   "color": "#000", "weight": 3}
    assert drawn[names["AM15"]]["klasse"] == "dichtbij, veel partners"
    assert drawn[names["AM17"]]["klasse"] == "ver, gemiddeld aantal partners"
    assert drawn[names["AM18"]]["klasse"] == "dichtbij, weinig partners"
    assert drawn[names["AM37"]]["ik_style"]["fillColor"] == "#cccccc"
    assert drawn[names["AM37"]]["deel_partners"] == "—"
    assert [label for _, _, label in legend][0] == "ver én weinig partners"
    assert legend[-1] == ("vlak", "#cccccc", "geen gegevens")
    assert len({colour for _, colour, _ in legend}) == 10


def test_packed_areas_come_back_as_the_borders_to_a_metre(layers):
    """Delta-coded rings: quantised before differencing, so no error adds up."""
    for frame in layers.values():
        for geometry in frame.geometry:
            plain = geometry.__geo_interface__
            back = unpacked(packed(plain))
            assert back["type"] == plain["type"]
            flat_plain = np.array(_flat(plain["coordinates"]))
            flat_back = np.array(_flat(back["coordinates"]))
            assert flat_plain.shape == flat_back.shape
            assert np.abs(flat_plain - flat_back).max() <= 0.5 * 10 ** -PACKED_DIGITS + 1e-12


def test_packed_areas_weigh_under_half_the_plain_coordinates(layers):
    plain = [g.__geo_interface__ for g in layers["gemeente"].geometry]
    plain_bytes = len(map_json([np.round(np.asarray(ring), 6).tolist()
                                for g in plain for ring in _rings(g)]))
    packed_bytes = len(map_json([packed(g) for g in plain]))
    assert packed_bytes < 0.5 * plain_bytes


def _rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def _flat(coordinates) -> list:
    if isinstance(coordinates[0], int | float):
        return list(coordinates)
    return [v for part in coordinates for v in _flat(part)]


@pytest.mark.parametrize("level", ["gemeente", "subregio", "arbeidsmarktregio"])
def test_simplified_shapes_are_kept_and_the_same_as_made_afresh(reference, level):
    from geo.reference.data import RD_NEW, WGS84
    from geo.reference.regions import unit_polygons

    units = unit_polygons(level, reference).iloc[1:]  # an index not starting at 0
    rd = units.to_crs(RD_NEW)
    rd["geometry"] = rd.geometry.simplify(maps.SIMPLIFY_TOLERANCE_M, preserve_topology=True)
    fresh = rd.to_crs(WGS84)
    for frame in (units, units.to_crs(RD_NEW)):  # either projection in, WGS84 out
        first = maps.simplified(frame)
        assert first.crs == fresh.crs and list(first.index) == list(fresh.index)
        assert first.drop(columns="geometry").equals(fresh.drop(columns="geometry"))
        assert first.geometry.geom_equals_exact(fresh.geometry, 0).all()
        first["geometry"] = None  # a caller's change does not reach the next call
        assert maps.simplified(frame).geometry.geom_equals_exact(fresh.geometry, 0).all()
