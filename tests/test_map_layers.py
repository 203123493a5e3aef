"""The text boundary of every map (geo.output.map_layers): JSON that no template can run."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import folium
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.output import maps
from geo.output.map_layers import (
    JINJA_MARKERS,
    Line,
    PointLayer,
    UnsafeMapError,
    check_map,
    library_code,
    map_json,
)
from tests.map_payloads import layer

ROOT = Path(__file__).resolve().parent.parent


@given(st.text())
def test_map_json_round_trips_any_text_and_holds_no_template_or_markup(text):
    encoded = map_json({"naam": text, "lijst": [text, 1.5, None, True]})
    assert json.loads(encoded) == {"naam": text, "lijst": [text, 1.5, None, True]}
    for marker in (*JINJA_MARKERS, "<", ">", "&", "`", "$", "'", "\u2028", "\u2029"):
        assert marker not in encoded


def test_map_json_turns_nan_and_numpy_into_plain_json():
    import numpy as np

    encoded = map_json({"a": float("nan"), "b": np.int64(3), "c": np.float32(1.5),
                        "d": pd.NA, "e": np.bool_(True)})
    assert json.loads(encoded) == {"a": None, "b": 3, "c": 1.5, "d": None, "e": True}


def _point_map(name: str) -> folium.Map:
    fmap = maps.base_map()
    frame = pd.DataFrame({"naam": [name], "lat": [52.5], "lon": [4.8]})
    PointLayer("Punten", frame, styles=[{"radius": 5}], class_name="ik-test",
               tooltip=["naam"], popup=[Line("naam", "Naam", strong=True)]).add_to(fmap)
    return maps.finish_map(fmap, legend=[("punt", "#000", name)], title=name)


@pytest.mark.parametrize("text", [
    "{{ 7*191 }}Q", "{% raw %}", "{# x", "{%- endraw %}}}", "</script><script>x=1</script>",
    "${alert(1)} `x`", "\\u007b\\u007b 1 \\u007d\\u007d",
])
def test_text_survives_branca_double_rendering_unchanged(text):
    html = _point_map(text).get_root().render()
    assert layer(html, "points", "ik-test")["cols"]["naam"] == [text]
    assert layer(html, "legend")["title"] == text
    # 7*191: evaluated it would read 1337 (element ids are random hex, so leave them out)
    assert "1337" not in re.sub(r"_[0-9a-f]{32}\b", "", html)


def test_the_browser_library_holds_no_template_marker():
    code = library_code()
    assert not any(marker in code for marker in JINJA_MARKERS)
    assert "innerHTML" not in code  # text goes in with textContent only
    assert "textContent" in code


@pytest.mark.parametrize("element", [
    lambda: folium.Popup("x"),
    lambda: folium.Tooltip("x"),
    lambda: folium.Marker([52.5, 4.8]),
    lambda: folium.CircleMarker([52.5, 4.8], tooltip="x"),
    lambda: folium.GeoJson({"type": "FeatureCollection", "features": []}),
    lambda: folium.FeatureGroup(name="x"),
    lambda: folium.Element("{{ 1 }}"),
])
def test_check_map_refuses_every_element_that_can_carry_text(element):
    fmap = maps.base_map()
    fmap.add_child(element())
    with pytest.raises(UnsafeMapError):
        check_map(fmap)


@pytest.mark.parametrize("name", ["{{ 1 }}", "<b>x</b>", "a & b", "`x`"])
def test_layer_names_must_be_plain_text(name):
    frame = pd.DataFrame({"lat": [52.5], "lon": [4.8]})
    with pytest.raises(UnsafeMapError):
        PointLayer(name, frame, styles=[{}], class_name="x")


def test_check_map_needs_the_library_for_data_layers():
    fmap = folium.Map(tiles=None)
    PointLayer("P", pd.DataFrame({"lat": [52.5], "lon": [4.8]}), styles=[{}],
               class_name="x").add_to(fmap)
    with pytest.raises(UnsafeMapError):
        check_map(fmap)


def _imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "streamlit_folium"
                for alias in node.names}
    folium_calls = {node.attr for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "folium"}
    return imported, folium_calls


def test_maps_reach_pages_and_files_only_through_the_checked_paths():
    """st_folium only in pages/_shared.show_map; folium's own text-carrying parts nowhere."""
    allowed_folium = {"Map", "TileLayer", "LayerControl", "Figure"}
    for path in [*ROOT.joinpath("geo").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py"),
                 ROOT / "app.py"]:
        imported, calls = _imports_and_calls(path)
        if path.name != "_shared.py":
            assert "st_folium" not in imported, f"{path.name}: use pages._shared.show_map"
        # The update groups hold only checked data layers, named like them.
        allowed = allowed_folium | ({"FeatureGroup"} if path.name == "map_updates.py" else set())
        assert calls <= allowed, f"{path.name} uses folium.{calls - allowed}"


def test_marker_cluster_files_are_the_ones_folium_names():
    from folium.plugins import MarkerCluster

    from geo.output.map_layers import MARKER_CLUSTER_CSS, MARKER_CLUSTER_JS

    assert MARKER_CLUSTER_JS == list(MarkerCluster.default_js)
    assert MARKER_CLUSTER_CSS == list(MarkerCluster.default_css)


def test_rendered_layers_are_never_compiled_as_templates(monkeypatch):
    """branca compiles each rendered script once more; this module's parts go in as text."""
    import jinja2

    compiled: list[str] = []
    original = jinja2.Environment.from_string

    def recording(self, source, *args, **kwargs):
        compiled.append(str(source))
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", recording)
    html = _point_map("Gemarkeerde Naam").get_root().render()
    assert layer(html, "points", "ik-test")["cols"]["naam"] == ["Gemarkeerde Naam"]
    assert compiled  # folium's own parts (map, tiles) are still templates
    assert not [source for source in compiled if "Gemarkeerde Naam" in source]


def test_payload_key_follows_kind_name_and_data():
    frame = pd.DataFrame({"naam": ["A"], "lat": [52.5], "lon": [4.8]})

    def key(name="Punten", naam="A", class_name="ik-test"):
        return PointLayer(name, frame.assign(naam=naam), styles=[{"radius": 5}],
                          class_name=class_name, tooltip=["naam"]).payload_key

    assert key() == key()  # the same layer sent again: the browser may keep it
    assert len({key(), key(name="Andere"), key(naam="B"), key(class_name="ik-x")}) == 4
    html = _point_map("x").get_root().render()
    keys = re.findall(r"ikmap\.points\(\{.*?\}, '([0-9a-f]+)'\);", html, re.S)
    assert len(keys) == 1 and len(keys[0]) == 24


def test_area_features_are_kept_by_content(reference):
    import json as json_module

    from geo.output.map_json import area_features, packed

    frame = reference.regios[["arbeidsmarktregio", "geometry"]]
    first = area_features(frame)
    fresh = json_module.loads(frame.to_json(drop_id=True))
    for feature in fresh["features"]:
        feature["geometry"] = packed(feature["geometry"])
    assert first == fresh
    assert area_features(frame.copy()) == first  # a copy of the same content: kept
    moved = frame.copy()
    moved["geometry"] = moved.translate(xoff=0.01)
    assert area_features(moved) != first
    renamed = frame.assign(arbeidsmarktregio="anders")
    assert {f["properties"]["arbeidsmarktregio"]
            for f in area_features(renamed)["features"]} == {"anders"}


def test_only_public_payloads_are_kept_for_every_session():
    """map_json keeps encodings for the next run only of data without personal fields."""
    from geo.output import map_json as encoder

    partners = pd.DataFrame({
        "naam": ["Bewaarde Aannemer"], "soort": ["aannemer"], "lat": [52.5], "lon": [4.8],
        "contactpersoon": ["Geheime Persoon"], "email": ["geheim@example.nl"],
        "telefoon": ["0612345678"]})

    def kept() -> str:
        return " ".join(encoder._ESCAPED.values())

    encoder._ESCAPED.clear()
    staff = maps.base_map()
    maps.add_partners(staff, partners, show_personal=True)
    html = staff.get_root().render()
    assert "geheim@example.nl" in html  # staff see the contact in the popup
    assert "geheim@example.nl" not in kept() and "Bewaarde Aannemer" not in kept()
    public = maps.base_map()
    maps.add_partners(public, partners[["naam", "soort", "lat", "lon"]])
    assert "Bewaarde Aannemer" in public.get_root().render()
    assert "Bewaarde Aannemer" in kept()  # the public layer may serve the next run
    assert encoder.map_json({"a": "{x}"}, keep=True) == encoder.map_json({"a": "{x}"})
