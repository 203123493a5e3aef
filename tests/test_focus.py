"""geo.output.focus and the map parts it uses: where a map looks, and the marks it gets."""

from __future__ import annotations

import pytest

from geo.output.focus import CHOSEN, DEFAULT_ZOOM, SEARCHED, Focus, add_focus, zoom_for
from geo.output.map_layers import MapView, PointLayer, check_map
from geo.output.maps import base_map
from tests.map_payloads import layer, payloads

ROW = Focus(52.5, 4.7, label="Gekozen: 1. Bouwer", zoom=14, kind=CHOSEN)
SEARCH = Focus(52.64, 4.75, label="Gezocht: Alkmaar (Alkmaar)", zoom=13, kind=SEARCHED)


def test_the_last_focus_that_looks_replaces_a_fit_to_the_points():
    """The school map fits its points; a focus comes later and decides the view."""
    fmap = base_map()
    fmap.fit_bounds([[52.0, 4.5], [52.9, 5.2]])
    add_focus(fmap, ROW)
    add_focus(fmap, SEARCH)
    html = check_map(fmap).get_root().render()
    [view] = [p for kind, p in payloads(html) if kind == "view"]  # one view: replaced
    assert (view["lat"], view["lon"], view["zoom"]) == (SEARCH.lat, SEARCH.lon, SEARCH.zoom)
    assert html.index("fitBounds(") < html.index("ikmap.view(")
    assert layer(html, "points", "ik-gezocht")["styles"][0]["interactive"] is False


def test_a_focus_without_look_only_marks():
    fmap = base_map()
    add_focus(fmap, ROW, look=False)
    html = fmap.get_root().render()
    assert [kind for kind, _ in payloads(html) if kind == "view"] == []
    assert layer(html, "points", "ik-gekozen")["cols"]["label"] == [ROW.label]


@pytest.mark.parametrize("precision", ["adres", "postcode6", "postcode4", "plaats"])
def test_a_more_precise_point_is_looked_at_closer(precision):
    order = ["plaats", "postcode4", "postcode6", "adres"]
    closer = order[order.index(precision):]
    assert all(zoom_for(p) >= zoom_for(precision) for p in closer)
    assert zoom_for("onbekend") == DEFAULT_ZOOM


def test_an_area_focus_fits_the_area_and_outlines_it():
    square = {"type": "Polygon", "coordinates": [[[4.7, 52.5], [4.9, 52.5], [4.9, 52.6],
                                                   [4.7, 52.6], [4.7, 52.5]]]}
    area = Focus(52.55, 4.8, label="Gekozen: Kop", kind=CHOSEN,
                 bounds=((52.5, 4.7), (52.6, 4.9)), outline=square)
    fmap = base_map()
    add_focus(fmap, area)
    html = fmap.get_root().render()
    assert layer(html, "view")["bounds"] == [[52.5, 4.7], [52.6, 4.9]]
    outline = layer(html, "areas", "ik-gekozen-gebied")
    assert outline["geojson"]["features"][0]["geometry"]["coordinates"] == (
        square["coordinates"])
    assert layer(html, "points", "ik-gekozen")["cols"]["label"] == ["Gekozen: Kop"]


def test_a_focus_kind_must_be_known():
    with pytest.raises(ValueError, match="unknown focus kind"):
        Focus(52.0, 4.0, label="x", kind="anders")


def test_a_map_view_needs_a_centre_and_zoom_or_bounds():
    with pytest.raises(ValueError):
        MapView(center=(52.0, 4.0))
    assert MapView(center=(52.0, 4.0), zoom=12).payload == {"lat": 52.0, "lon": 4.0,
                                                            "zoom": 12}


def test_a_label_is_only_shown_always_when_asked():
    import pandas as pd

    frame = pd.DataFrame({"lat": [52.0], "lon": [4.0], "naam": ["x"]})
    style = [{"radius": 5}]
    assert "tooltipOptions" not in PointLayer("P", frame, styles=style, class_name="ik-p",
                                              tooltip=["naam"]).payload
    assert PointLayer("P", frame, styles=style, class_name="ik-p", tooltip=["naam"],
                      label=True).payload["tooltipOptions"]["permanent"] is True


def test_a_focus_on_a_finished_map_stays_out_of_its_layer_switcher():
    """The switcher of a finished map is drawn before the marks; listing them there would
    name a layer that does not exist yet, and the browser would stop the map script."""
    import re

    from geo.output.maps import finish_map

    fmap = finish_map(base_map())
    add_focus(fmap, ROW)
    add_focus(fmap, SEARCH)
    html = fmap.get_root().render()
    switcher = re.search(r"L\.control\.layers\((.*?)\)\.addTo", html, re.S)
    assert switcher is not None
    [control] = re.findall(r"var (layer_control_\w+_layers) = ", html)
    listed = html[html.index(control):html.index("L.control.layers")]
    assert "ik_point_layer" not in listed and "ik_area_layer" not in listed
    assert "BRT-Achtergrondkaart" in listed  # the check above reads the right block
