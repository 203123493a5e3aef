"""Building the full partner map vs ``GeoDataFrame.explore()`` and a lean folium map.

All three draw the same layers: the 5 regions, the subregions, the 46 municipalities, a
choropleth of the white-spot score per subregion, the schools, the mbo places and the
partners — the example register (29), and synthetic registers of 2,000 and 20,000
partners generated here (copies of the examples, scattered). Figures: build + render CPU
time and HTML size, as ratios against the baselines measured in the same run.

* ``explore()`` keeps every vertex and every column, as a first attempt would (only at
  29 partners: at scale it is what nobody should ship).
* The *lean* map is the prototype of issue 13: plain folium GeoJSON of the same simplified
  borders, and every point layer as one compact columnar array turned into markers in the
  browser (a ``markerClusterGroup`` with ``chunkedLoading``), values escaped in Python.

Goals (issue 13): at 29 partners ≤ 0.35 × explore()'s bytes; at 2,000 ≤ 1.0 MB and
≤ 1.5 × the lean CPU; at 20,000 ≤ 6 MB and < 5 s CPU.
"""

from __future__ import annotations

import html
import json
import statistics
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement, Template
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster

from bench.synthetic import scattered
from geo.analysis import indicators as analysis
from geo.analysis.names import CHOROPLETH_INDICATORS
from geo.output import maps, partner_maps
from geo.reference.data import WGS84, load_reference
from geo.reference.regions import unit_polygons
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.settings import Settings

REPEATS = 3


SIZES = (None, 2_000, 20_000)  # None: the example register as it is


def _register(reference, size: int | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The example register, or ``size`` partners made from it (scattered copies)."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "b.sqlite", reference) as store:
        load_example_data(store)
        partners = store.organisations()
        schools, mbo = store.schools(), store.mbo_locations()
    if size is not None:
        partners = scattered(partners, size)
    return partners, schools, mbo


def _ours(reference, partners, schools, mbo) -> str:
    division = reference.default_division
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    label, fmt = CHOROPLETH_INDICATORS["score"]
    fmap = partner_maps.build_partner_map(
        layers=maps.boundary_layers(reference, division), partners=partners, schools=schools,
        mbo=mbo, choropleth=(unit_polygons("subregio", reference, division), table, "score",
                             label, fmt),
    )
    return fmap.get_root().render()


def _naive(reference, partners, schools, mbo) -> str:
    division = reference.default_division
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    fmap = reference.regios.explore(name="regio's", tiles="OpenStreetMap")
    unit_polygons("subregio", reference, division).merge(table, on="code").explore(
        m=fmap, column="score", name="subregio's")
    reference.gemeenten.explore(m=fmap, name="gemeenten", style_kwds={"fillOpacity": 0})

    def points(frame):
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                                crs=WGS84)

    points(schools.dropna(subset=["lat"])).explore(m=fmap, name="scholen")
    points(mbo.dropna(subset=["lat"])).explore(m=fmap, name="mbo")
    points(partners.dropna(subset=["lat"])).explore(m=fmap, column="soort", name="partners")
    return fmap.get_root().render()


_LEAN_POINTS = Template("""
{% macro script(this, kwargs) %}
(function () {
  var d = {{ this.data }};
  var group = L.markerClusterGroup({chunkedLoading: true, disableClusteringAtZoom: 12});
  var markers = [];
  for (var i = 0; i < d.lat.length; i++) {
    var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: 6, color: d.color[i]});
    m.bindPopup((function (j) { return function () {
      return "<b>" + d.naam[j] + "</b><br>" + d.plaats[j]; }; })(i));
    markers.push(m);
  }
  group.addLayers(markers);
  group.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")


class _LeanPoints(JSCSSMixin, MacroElement):
    """A point layer of the lean map; loads leaflet.markercluster (as the page does)."""

    _template = _LEAN_POINTS
    default_js = list(MarkerCluster.default_js)
    default_css = list(MarkerCluster.default_css)


def _lean_text(value) -> str:
    """A value as HTML text for a popup, braces as entities (no template delimiters)."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def _lean_points(fmap, frame: pd.DataFrame, color: str) -> None:
    """One columnar array per layer, markers made in the browser (the lean prototype)."""
    frame = frame.dropna(subset=["lat", "lon"])
    element = _LeanPoints()
    data = {"lat": frame["lat"].round(5).tolist(), "lon": frame["lon"].round(5).tolist(),
            "naam": [_lean_text(v) for v in frame["naam"]],
            "plaats": [_lean_text(v) for v in frame.get("plaats", frame["naam"])],
            "color": [color] * len(frame)}
    # No "{" in the values (see _lean_text), so the data survives branca's second
    # template pass; the object's own braces stay JavaScript.
    element.data = json.dumps(data, separators=(",", ":"))
    fmap.add_child(element)


def lean_map(reference, partners, schools, mbo) -> folium.Map:
    """The lean prototype of the partner map (also shown by ``bench/lean_page.py``)."""
    division = reference.default_division
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    layers = maps.boundary_layers(reference, division)
    fmap = folium.Map(location=(52.6, 4.9), zoom_start=9, tiles="OpenStreetMap")
    for level, frame in layers.items():
        folium.GeoJson(frame[["code", "geometry"]], name=level).add_to(fmap)
    units = maps.simplified(unit_polygons("subregio", reference, division)).merge(
        table[["code", "score"]], on="code")
    folium.GeoJson(units[["code", "score", "geometry"]], name="score", style_function=lambda f: {
        "fillColor": "#d7301f" if (f["properties"]["score"] or 0) > 50 else "#fdcc8a",
        "weight": 0.5, "fillOpacity": 0.6}).add_to(fmap)
    _lean_points(fmap, schools.rename(columns={"vestigingsnaam": "naam"}), "#1f77b4")
    _lean_points(fmap, mbo, "#d62728")
    _lean_points(fmap, partners, "#2ca02c")
    folium.LayerControl().add_to(fmap)
    return fmap


def _lean(reference, partners, schools, mbo) -> str:
    return lean_map(reference, partners, schools, mbo).get_root().render()


def _measure(build, *args) -> dict:
    cpu, size = [], 0
    for _ in range(REPEATS):
        started = time.process_time()
        html = build(*args)
        cpu.append(time.process_time() - started)
        size = len(html.encode("utf-8"))
    return {"cpu_s_mediaan": round(statistics.median(cpu), 3), "html_kB": size // 1024}


def _ratio(ours: dict, base: dict, field: str) -> float:
    return round(ours[field] / max(base[field], 1e-9), 2)


def run() -> dict:
    reference = load_reference(Settings().data_dir)
    results = {}
    for size in SIZES:
        partners, schools, mbo = _register(reference, size)
        ours = _measure(_ours, reference, partners, schools, mbo)
        lean = _measure(_lean, reference, partners, schools, mbo)
        row = {"infrakaart": ours, "lean": lean,
               "verhouding_cpu_tov_lean": _ratio(ours, lean, "cpu_s_mediaan"),
               "verhouding_bytes_tov_lean": _ratio(ours, lean, "html_kB")}
        if size is None:
            naive = _measure(_naive, reference, partners, schools, mbo)
            row["explore"] = naive
            row["verhouding_bytes_tov_explore"] = _ratio(ours, naive, "html_kB")
            row["verhouding_cpu_tov_explore"] = _ratio(ours, naive, "cpu_s_mediaan")
        results[f"partners_{len(partners)}"] = row
    small, middle, large = results.values()
    results["doelen_gehaald"] = {
        "29: bytes <= 0,35 x explore": small["verhouding_bytes_tov_explore"] <= 0.35,
        "2000: <= 1,0 MB": middle["infrakaart"]["html_kB"] <= 1024,
        "2000: cpu <= 1,5 x lean": middle["verhouding_cpu_tov_lean"] <= 1.5,
        "20000: <= 6 MB": large["infrakaart"]["html_kB"] <= 6 * 1024,
        "20000: cpu < 5 s": large["infrakaart"]["cpu_s_mediaan"] < 5,
    }
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
