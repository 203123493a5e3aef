"""folium map builders: data in, ``folium.Map`` out. Pure; tested by rendering.

Every user-supplied text that reaches HTML goes through :func:`html.escape`: popups,
tooltips and legends. Reference names (CBS, DUO) are escaped too; it costs nothing.
Polygons are simplified in RD New (:data:`SIMPLIFY_TOLERANCE_M`) so pages stay light.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template
from folium.plugins import MarkerCluster

from geo.gazetteer import PRECISION_LABELS
from geo.reference import RD_NEW, WGS84, Division, Reference
from geo.regions import unit_polygons

PDOK_BRT_URL = (
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
)
PDOK_ATTRIBUTION = 'Kaartgegevens © <a href="https://www.kadaster.nl">Kadaster</a> (PDOK)'
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers'
DATA_ATTRIBUTION = (
    "Bron: CBS (gebiedsindelingen, postcodecijfers), PDOK; © CBS, © ESRI Nederland "
    "(postcodegebieden); DUO open onderwijsdata (CC0)"
)

#: Centre and zoom showing the five regions.
NH_CENTER = (52.58, 4.85)
NH_ZOOM = 9

#: Douglas-Peucker tolerance for boundaries, in metres (RD New).
SIMPLIFY_TOLERANCE_M = 40.0

REGION_COLORS = {
    "AM15": "#4e79a7",  # Noord-Holland Noord
    "AM17": "#59a14f",  # Zaanstreek/Waterland
    "AM37": "#edc948",  # Zuid-Kennemerland en IJmond
    "AM18": "#e15759",  # Groot Amsterdam
    "AM12": "#b07aa1",  # Gooi en Vechtstreek
}

#: Colour per organisation kind (geo.store.SOORTEN), with a Dutch legend label.
SOORT_STYLE = {
    "aannemer": ("#e36c0a", "Aannemer"),
    "ingenieursbureau": ("#1f5fa8", "Ingenieursbureau"),
    "netbeheerder": ("#7b3294", "Netbeheerder"),
    "overheid": ("#1a9850", "Overheid"),
    "onderwijs": ("#00a0b0", "Onderwijs"),
    "overig": ("#6b6b6b", "Overig"),
}
SCHOOL_COLOR = "#333333"
VMBO_COLOR = "#d7301f"
MBO_COLOR = "#000000"

#: Sequential colour scale (light → dark) for choropleths: higher value = darker.
CHOROPLETH_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"]

#: Indicator column of :func:`geo.analysis.indicators` → (Dutch label, number format) for
#: choropleths; the empty key means "no choropleth".
CHOROPLETH_INDICATORS = {
    "": ("Geen kleurkaart", ""),
    "score": ("Witte-vlekscore (hoger = meer aandacht nodig)", "{:.0f}"),
    "partners_per_10k_jongeren": ("Partners per 10.000 jongeren (10–19 jr)", "{:.1f}"),
    "partners": ("Aantal partners", "{:.0f}"),
    "donateurs": ("Aantal donateurs", "{:.0f}"),
    "aandeel_scholen_met_partner": ("Aandeel scholen met partner binnen straal", "{:.0%}"),
    "afstand_mbo_infra_km_gemiddeld": ("Afstand tot mbo-infra, gemiddeld (km, schatting)",
                                       "{:.1f}"),
    "reistijd_mbo_infra_min_gemiddeld": ("Reistijd tot mbo-infra, gemiddeld (min, schatting)",
                                         "{:.0f}"),
}



#: Characters that html.escape leaves alone but that matter inside the JavaScript template
#: literals folium renders popups and tooltips into (``${…}`` would run as code).
_JS_TEMPLATE_ESCAPES = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_html(value: object) -> str:
    """Escape a user-supplied value for a popup, tooltip or legend.

    Besides ``<>&"'`` it escapes the backtick, ``$`` and backslash: folium places popup
    and tooltip HTML inside JavaScript template literals, where ``${…}`` is evaluated.
    None and NaN become an empty string.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value)).translate(_JS_TEMPLATE_ESCAPES)


_esc = escape_html


def base_map(
    *, center: Sequence[float] | None = None, zoom: int = NH_ZOOM, height: str = "100%"
) -> folium.Map:
    """An empty map with PDOK BRT-Achtergrondkaart and OpenStreetMap as basemaps.

    Parameters
    ----------
    center : (lat, lon), optional
        Defaults to the middle of the five regions.
    zoom : int
        Initial zoom level.
    height : str
        CSS height of the map.

    Returns
    -------
    folium.Map
        Call :func:`finish_map` after adding layers.
    """
    fmap = folium.Map(
        location=list(center or NH_CENTER),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,
        height=height,
        prefer_canvas=False,
    )
    _MetricScale().add_to(fmap)
    folium.TileLayer(
        PDOK_BRT_URL, name="BRT-Achtergrondkaart (PDOK)", attr=PDOK_ATTRIBUTION, max_zoom=19
    ).add_to(fmap)
    folium.TileLayer(
        OSM_URL, name="OpenStreetMap", attr=OSM_ATTRIBUTION, max_zoom=19, show=False
    ).add_to(fmap)
    return fmap


class _MetricScale(MacroElement):
    """A scale bar in kilometres only (folium's shows miles too)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, position: 'bottomright'})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def finish_map(fmap: folium.Map, *, legend: Iterable[tuple[str, str, str]] = (),
               title: str = "") -> folium.Map:
    """Add the layer switcher and a legend (with the data attribution) to ``fmap``.

    Parameters
    ----------
    legend : iterable of (kind, colour, label)
        ``kind`` is ``"punt"``, ``"vlak"`` or ``"lijn"``.
    title : str
        Legend heading.
    """
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    add_legend(fmap, legend, title=title)
    return fmap


def _legend_html(items: Iterable[tuple[str, str, str]], title: str) -> str:
    rows = []
    for kind, color, label in items:
        if kind == "vlak":
            swatch = f"background:{_esc(color)};opacity:.7;border:1px solid #555;"
            shape = "width:14px;height:10px;"
        elif kind == "lijn":
            swatch = f"border-top:3px {_esc(color)};"
            shape = "width:14px;height:0;margin-top:6px;"
        else:
            swatch = f"background:{_esc(color)};border-radius:50%;border:1px solid #222;"
            shape = "width:10px;height:10px;"
        rows.append(
            f'<div class="ik-legend-row"><span style="display:inline-block;{shape}{swatch}'
            f'margin-right:6px"></span>{_esc(label)}</div>'
        )
    heading = _esc(title) if title else "Legenda"
    # <details> lets a user fold the legend away without any script.
    return (
        '<details open class="ik-legend" style="position:absolute;bottom:24px;left:10px;'
        "z-index:9999;background:rgba(255,255,255,.92);padding:5px 8px;border-radius:4px;"
        "font:11px/1.35 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:230px;"
        'max-height:55%;overflow:auto">'
        f'<summary style="cursor:pointer;font-weight:bold">{heading}</summary>'
        f"{''.join(rows)}"
        f'<div style="margin-top:4px;color:#555;font-size:9px">{_esc(DATA_ATTRIBUTION)}</div>'
        "</details>"
    )


def add_legend(fmap: folium.Map, items: Iterable[tuple[str, str, str]], *,
               title: str = "") -> None:
    """Add a static HTML legend (no external scripts) to ``fmap``."""
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}" + _legend_html(items, title) + "{% endmacro %}"
    )
    fmap.get_root().add_child(legend)


def simplified(frame: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M
               ) -> gpd.GeoDataFrame:
    """``frame`` with geometries simplified in RD New and returned in WGS84."""
    if frame.crs is None:
        raise ValueError("frame has no CRS")
    rd = frame.to_crs(RD_NEW)
    rd["geometry"] = rd.geometry.simplify(tolerance_m, preserve_topology=True)
    return rd.to_crs(WGS84)


def _geojson(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> dict:
    data = json.loads(frame[[*columns, "geometry"]].to_json(drop_id=True))
    for feature in data["features"]:
        feature["properties"] = {k: _esc(v) if isinstance(v, str) else v
                                 for k, v in feature["properties"].items()}
    return data


def boundary_layers(
    reference: Reference, division: Division | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Simplified polygons of the three levels, ready for :func:`add_boundaries`.

    Returns
    -------
    dict
        ``"arbeidsmarktregio"``, ``"subregio"`` and ``"gemeente"`` →
        GeoDataFrame (WGS84) with ``code``, ``naam``, ``arbeidsmarktregio``; municipalities
        also carry ``subregio``.
    """
    layers = {
        level: simplified(unit_polygons(level, reference, division), tolerance)
        for level, tolerance in (("arbeidsmarktregio", 80.0), ("subregio", 40.0),
                                 ("gemeente", SIMPLIFY_TOLERANCE_M))
    }
    sub_of = (division or reference.default_division).subregion_of()
    layers["gemeente"]["subregio"] = layers["gemeente"]["code"].map(sub_of)
    return layers


def add_boundaries(
    fmap: folium.Map, layers: dict[str, gpd.GeoDataFrame], *, fill_regions: bool = True
) -> None:
    """Add regions, subregions and municipalities as three toggleable layers.

    ``layers`` comes from :func:`boundary_layers`.
    """
    regions, subregions, municipalities = (
        layers["arbeidsmarktregio"], layers["subregio"], layers["gemeente"]
    )
    folium.GeoJson(
        _geojson(regions, ["code", "naam"]),
        name="Arbeidsmarktregio's",
        style_function=lambda f: {
            "color": REGION_COLORS.get(f["properties"]["code"], "#555"),
            "weight": 3,
            "fillColor": REGION_COLORS.get(f["properties"]["code"], "#999"),
            "fillOpacity": 0.12 if fill_regions else 0,
        },
        tooltip=folium.GeoJsonTooltip(["naam", "code"], aliases=["Arbeidsmarktregio", "Code"]),
    ).add_to(fmap)
    folium.GeoJson(
        _geojson(subregions, ["naam", "arbeidsmarktregio"]),
        name="Subregio's",
        style_function=lambda f: {"color": "#222", "weight": 2, "dashArray": "6 4",
                                  "fillOpacity": 0},
        tooltip=folium.GeoJsonTooltip(["naam", "arbeidsmarktregio"],
                                      aliases=["Subregio", "Arbeidsmarktregio"]),
    ).add_to(fmap)
    folium.GeoJson(
        _geojson(municipalities, ["naam", "code", "subregio", "arbeidsmarktregio"]),
        name="Gemeenten",
        style_function=lambda f: {"color": "#555", "weight": 0.8, "fillOpacity": 0},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            ["naam", "code", "subregio", "arbeidsmarktregio"],
            aliases=["Gemeente", "CBS-code", "Subregio", "Arbeidsmarktregio"],
        ),
    ).add_to(fmap)


def region_legend() -> list[tuple[str, str, str]]:
    """Legend entries for the five labour-market regions."""
    from geo.reference import REGIONS

    return [("vlak", REGION_COLORS[code], f"{name} ({code})") for code, name in REGIONS.items()]


def _precision_text(code: object) -> str:
    return PRECISION_LABELS.get(str(code), str(code or "onbekend"))


def add_schools(fmap: folium.Map, schools: pd.DataFrame, *, vmbo_only: bool = False,
                show: bool = True) -> int:
    """Add secondary schools as one toggleable GeoJSON layer; returns the number drawn.

    ``schools`` needs ``naam`` (or ``vestigingsnaam``), ``lat``, ``lon``, ``heeft_vmbo``
    and optionally ``plaats``, ``onderwijsstructuur``, ``nauwkeurigheid``. One GeoJSON
    layer with shared tooltip/popup code keeps the page far lighter than a marker per
    school; values are escaped before they enter the feature properties.
    """
    frame = schools.copy()
    if "naam" not in frame and "vestigingsnaam" in frame:
        frame["naam"] = frame["vestigingsnaam"]
    if "plaats" not in frame and "plaatsnaam" in frame:
        frame["plaats"] = frame["plaatsnaam"]
    if vmbo_only:
        frame = frame[frame["heeft_vmbo"].astype(bool)]
    frame = frame.dropna(subset=["lat", "lon"])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [round(float(row.lon), 6), round(float(row.lat), 6)]},
            "properties": {
                "naam": _esc(row.naam),
                "plaats": _esc(getattr(row, "plaats", "")),
                "onderwijs": _esc(getattr(row, "onderwijsstructuur", "")),
                "locatie": _esc(_precision_text(getattr(row, "nauwkeurigheid", "postcode4"))),
                "vmbo": bool(getattr(row, "heeft_vmbo", False)),
            },
        }
        for row in frame.itertuples(index=False)
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Middelbare scholen (vmbo)" if vmbo_only else "Middelbare scholen",
        show=show,
        marker=folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True,
                                   fill_opacity=0.9, class_name="ik-school"),
        style_function=lambda f: {
            "fillColor": VMBO_COLOR if f["properties"]["vmbo"] else SCHOOL_COLOR,
        },
        tooltip=folium.GeoJsonTooltip(["naam"], labels=False),
        popup=folium.GeoJsonPopup(["naam", "plaats", "onderwijs", "locatie"],
                                  aliases=["School", "Plaats", "Onderwijs", "Locatie"]),
    ).add_to(fmap)
    return len(features)


def add_mbo(fmap: folium.Map, mbo: pd.DataFrame) -> int:
    """Add the mbo infra places as large labelled markers; returns the number drawn."""
    layer = folium.FeatureGroup(name="Mbo-infra-opleidingen", show=True)
    frame = mbo.dropna(subset=["lat", "lon"])
    for row in frame.itertuples(index=False):
        precision = getattr(row, "nauwkeurigheid", "plaats")
        popup = (
            f"<b>{_esc(row.naam)}</b><br>{_esc(getattr(row, 'instelling', ''))}<br>"
            f"{_esc(getattr(row, 'plaats', ''))}<br><i>Locatie: "
            f"{_esc(_precision_text(precision))}</i>"
        )
        folium.Marker(
            location=[row.lat, row.lon],
            icon=folium.DivIcon(
                html=(
                    '<div class="ik-mbo" style="width:26px;height:26px;border-radius:50%;'
                    f"background:{MBO_COLOR};color:#fff;font:bold 11px/26px sans-serif;"
                    'text-align:center;border:2px solid #fff;box-shadow:0 0 4px #000">mbo</div>'
                ),
                icon_size=(26, 26),
                icon_anchor=(13, 13),
            ),
            tooltip=_esc(row.naam),
            popup=folium.Popup(popup, max_width=280),
        ).add_to(layer)
    layer.add_to(fmap)
    return len(frame)


def partner_popup(row: pd.Series | dict, *, show_personal: bool) -> str:
    """Escaped popup HTML for one organisation; personal fields only when allowed."""
    get = row.get
    lines = [f"<b>{_esc(get('naam'))}</b>"]
    soort = SOORT_STYLE.get(str(get("soort")), (None, str(get("soort") or "")))[1]
    lines.append(_esc(soort) + (" · <b>donateur</b>" if bool(get("donateur")) else ""))
    place = get("plaats") or get("gemeentenaam")
    if place:
        lines.append(_esc(place))
    if get("website"):
        lines.append(_esc(get("website")))
    if get("ambassadeur_voor"):
        lines.append(f"Ambassadeur voor {_esc(get('ambassadeur_voor'))}")
    if show_personal:
        for field, label in (("contactpersoon", "Contact"), ("email", "E-mail"),
                             ("telefoon", "Telefoon")):
            if get(field):
                lines.append(f"{label}: {_esc(get(field))}")
    lines.append(f"<i>Locatie: {_esc(_precision_text(get('nauwkeurigheid')))}</i>")
    return "<br>".join(lines)


def add_partners(fmap: folium.Map, partners: pd.DataFrame, *, show_personal: bool = False,
                 cluster: bool = True) -> int:
    """Add organisations coloured by kind; donors get a thick dark ring.

    Personal fields are shown only when ``show_personal`` is true AND present in the
    frame; public pages pass a frame that does not contain them at all.
    Returns the number of organisations drawn.
    """
    frame = partners.dropna(subset=["lat", "lon"])
    if cluster:
        layer = MarkerCluster(
            name="Partners", options={"disableClusteringAtZoom": 12, "maxClusterRadius": 40}
        )
    else:
        layer = folium.FeatureGroup(name="Partners")
    for _, row in frame.iterrows():
        color = SOORT_STYLE.get(str(row.get("soort")), SOORT_STYLE["overig"])[0]
        donor = bool(row.get("donateur"))
        folium.CircleMarker(
            location=[row["lat"], row["lon"]],
            radius=8 if donor else 6,
            color="#111111" if donor else "#ffffff",
            weight=3 if donor else 1.5,
            fill=True,
            fill_color=color,
            fill_opacity=0.95,
            tooltip=_esc(row.get("naam")),
            popup=folium.Popup(partner_popup(row, show_personal=show_personal), max_width=300),
            class_name="ik-partner",
        ).add_to(layer)
    layer.add_to(fmap)
    return len(frame)


def partner_legend(kinds: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Legend entries for organisation kinds and the donor ring."""
    kinds = list(kinds) if kinds is not None else list(SOORT_STYLE)
    items = [("punt", SOORT_STYLE[k][0], SOORT_STYLE[k][1]) for k in kinds if k in SOORT_STYLE]
    items.append(("punt", "#ffffff", "Donateur: dikke donkere rand"))
    return items


def choropleth_bins(values: pd.Series, n: int = len(CHOROPLETH_COLORS)) -> list[float]:
    """Class breaks (ascending) for ``values``; NaN ignored.

    Quantile classes, so every colour is used about equally; when many values are equal
    the quantiles collapse, and equal-width classes between minimum and maximum are
    used instead, so one deviating unit still stands out.
    """
    clean = values.dropna().astype(float)
    if clean.empty:
        return [0.0, 1.0]
    edges = np.unique(np.quantile(clean, np.linspace(0, 1, n + 1)))
    if len(edges) < min(n, clean.nunique()) + 1:
        edges = np.linspace(clean.min(), clean.max(), n + 1)
    if len(np.unique(edges)) == 1:
        edges = np.array([edges[0], edges[0] + 1])
    return [float(e) for e in edges]


def color_for(value: float, edges: Sequence[float]) -> str:
    """Colour of ``value`` for class breaks ``edges``; grey for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "#cccccc"
    idx = int(np.searchsorted(edges, value, side="right")) - 1
    idx = min(max(idx, 0), len(edges) - 2)
    scale = CHOROPLETH_COLORS
    # Spread the classes over the whole colour scale when there are fewer of them.
    pos = round(idx * (len(scale) - 1) / max(len(edges) - 2, 1))
    return scale[pos]


def add_choropleth(
    fmap: folium.Map,
    units: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    column: str,
    label: str,
    fmt: str = "{:.1f}",
) -> list[tuple[str, str, str]]:
    """Colour ``units`` by ``table[column]`` (joined on ``code``); returns legend entries.

    ``units`` comes from :func:`geo.regions.unit_polygons`; ``table`` has one row per
    unit with a ``code`` column (as :mod:`geo.analysis` produces).
    """
    merged = simplified(units).merge(table[["code", column]], on="code", how="left")
    edges = choropleth_bins(merged[column])
    merged["_kleur"] = [color_for(v, edges) for v in merged[column]]
    merged["_waarde"] = [
        "—" if pd.isna(v) else _nl_number(fmt, v) for v in merged[column]
    ]
    folium.GeoJson(
        _geojson(merged, ["code", "naam", "_kleur", "_waarde"]),
        name=f"Kleurkaart: {label}",
        style_function=lambda f: {"fillColor": f["properties"]["_kleur"], "color": "#444",
                                  "weight": 1, "fillOpacity": 0.7},
        highlight_function=lambda f: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(["naam", "_waarde"], aliases=["", label]),
    ).add_to(fmap)
    return [
        ("vlak", color_for(lo, edges), f"{lo_text} – {hi_text}")
        for lo, hi, lo_text, hi_text in zip(
            edges[:-1], edges[1:], *_distinct_labels(edges, fmt), strict=True
        )
    ]


def _distinct_labels(edges: Sequence[float], fmt: str) -> tuple[list[str], list[str]]:
    """Lower and upper class labels; one more decimal when rounding makes breaks equal."""
    for candidate in (fmt, _more_decimals(fmt)):
        texts = [_nl_number(candidate, e) for e in edges]
        if len(set(texts)) == len(texts):
            break
    return texts[:-1], texts[1:]


def _nl_number(fmt: str, value: float) -> str:
    """Format ``value`` with ``fmt`` and a Dutch decimal comma."""
    return fmt.format(value).replace(".", ",")


def _more_decimals(fmt: str) -> str:
    """``"{:.0f}"`` → ``"{:.1f}"``, ``"{:.0%}"`` → ``"{:.1%}"``."""
    match = re.fullmatch(r"\{:\.(\d+)([f%])\}", fmt)
    return f"{{:.{int(match.group(1)) + 1}{match.group(2)}}}" if match else fmt


def build_partner_map(
    *,
    layers: dict[str, gpd.GeoDataFrame],
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    mbo: pd.DataFrame,
    show_personal: bool = False,
    show_schools: bool = True,
    vmbo_only: bool = False,
    choropleth: tuple[gpd.GeoDataFrame, pd.DataFrame, str, str, str] | None = None,
    kinds: Iterable[str] | None = None,
) -> folium.Map:
    """The full partner map: boundaries, optional choropleth, schools, mbo, partners.

    Parameters
    ----------
    layers : dict
        From :func:`boundary_layers`.
    partners, schools, mbo : DataFrame
        What to draw (already filtered). Public callers pass a ``partners`` frame
        without personal columns.
    show_personal : bool
        Show contact fields in popups (staff only).
    choropleth : (units, table, column, label, fmt), optional
        Colour ``units`` by ``table[column]``; see :func:`add_choropleth`.
    kinds : iterable of str, optional
        Organisation kinds for the legend; all by default.

    Returns
    -------
    folium.Map
        Finished (layer switcher and legend added); call :func:`geo.assets.use_assets`
        or :func:`geo.assets.standalone_html` before showing it.
    """
    fmap = base_map()
    add_boundaries(fmap, layers, fill_regions=choropleth is None)
    if choropleth is not None:
        units, table, column, label, fmt = choropleth
        legend = add_choropleth(fmap, units, table, column=column, label=label, fmt=fmt)
        title = label
    else:
        legend = region_legend()
        title = "Arbeidsmarktregio's"
    if show_schools:
        add_schools(fmap, schools, vmbo_only=vmbo_only)
        legend.append(("punt", VMBO_COLOR, "School met vmbo"))
        if not vmbo_only:
            legend.append(("punt", SCHOOL_COLOR, "School zonder vmbo"))
    add_mbo(fmap, mbo)
    legend.append(("punt", MBO_COLOR, "Mbo-infra-opleiding"))
    add_partners(fmap, partners, show_personal=show_personal)
    legend += partner_legend(kinds)
    return finish_map(fmap, legend=legend, title=title)


def _fit_bounds(fmap: folium.Map, points: list[tuple[float, float]]) -> None:
    if len(points) > 1:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))


def school_partners_map(school: pd.Series | dict, result: pd.DataFrame, *,
                        show_personal: bool = False) -> folium.Map:
    """Map of one school, its nearest partners and a line from the school to each.

    Parameters
    ----------
    school : pandas.Series or dict
        The school (``naam``, ``lat``, ``lon``, optionally ``plaats``, ``heeft_vmbo``).
    result : pandas.DataFrame
        Rows of :func:`nearest_partners` for this school.
    show_personal : bool
        Show contact fields in the partner popups (staff; only if present).

    Returns
    -------
    folium.Map
        Every name in tooltips and popups is HTML-escaped.
    """
    from geo.maps import (
        escape_html as _esc,
    )

    get = school.get
    here = (float(get("lat")), float(get("lon")))
    fmap = base_map(center=here, zoom=11)
    lines = folium.FeatureGroup(name="Lijnen school → partner")
    markers = folium.FeatureGroup(name="Partners")
    points = [here]
    for _, row in result.iterrows():
        there = (float(row["lat"]), float(row["lon"]))
        points.append(there)
        label = f"{_esc(row.get('naam'))} — {row['afstand_km']:.1f} km"
        folium.PolyLine([here, there], color="#555555", weight=2, opacity=0.8,
                        dash_array="5 5", tooltip=label).add_to(lines)
        donor = bool(row.get("donateur"))
        folium.CircleMarker(
            location=there,
            radius=8 if donor else 6,
            color="#111111" if donor else "#ffffff",
            weight=3 if donor else 1.5,
            fill=True,
            fill_color=SOORT_STYLE.get(str(row.get("soort")), SOORT_STYLE["overig"])[0],
            fill_opacity=0.95,
            tooltip=f"{int(row['rang'])}. {label}",
            popup=folium.Popup(partner_popup(row, show_personal=show_personal), max_width=300),
            class_name="ik-partner",
        ).add_to(markers)
    lines.add_to(fmap)
    markers.add_to(fmap)
    vmbo = bool(get("heeft_vmbo"))
    folium.CircleMarker(
        location=here, radius=10, color="#ffff00", weight=3, fill=True,
        fill_color=VMBO_COLOR if vmbo else SCHOOL_COLOR, fill_opacity=1.0,
        tooltip=f"School: {_esc(get('naam'))}",
        popup=folium.Popup(f"<b>{_esc(get('naam'))}</b><br>{_esc(get('plaats'))}",
                           max_width=260),
        class_name="ik-school",
    ).add_to(fmap)
    _fit_bounds(fmap, points)
    legend = [("punt", VMBO_COLOR if vmbo else SCHOOL_COLOR, "Gekozen school"),
              *partner_legend(sorted(set(result.get("soort", pd.Series(dtype=str))))),
              ("lijn", "#555555", "Hemelsbrede afstand")]
    return finish_map(fmap, legend=legend, title="School koppelen")


def partner_schools_map(partner: pd.Series | dict, result: pd.DataFrame, *,
                        radius_km: float, show_personal: bool = False) -> folium.Map:
    """Map of one partner, the circle of ``radius_km`` and the schools inside it.

    Parameters
    ----------
    partner : pandas.Series or dict
        The organisation (``naam``, ``lat``, ``lon``, ``soort``, ...).
    result : pandas.DataFrame
        Output of :func:`schools_near_partner`.
    radius_km : float
        Drawn as a circle around the partner.
    show_personal : bool
        Show contact fields in the partner popup (staff; only if present).

    Returns
    -------
    folium.Map
    """
    from geo.maps import (
        escape_html as _esc,
    )

    get = partner.get
    here = (float(get("lat")), float(get("lon")))
    fmap = base_map(center=here, zoom=11)
    folium.Circle(location=here, radius=float(radius_km) * 1000.0, color="#1f5fa8",
                  weight=1.5, fill=True, fill_opacity=0.05,
                  tooltip=f"{radius_km:g} km").add_to(fmap)
    layer = folium.FeatureGroup(name="Scholen binnen bereik")
    points = [here]
    for _, row in result.iterrows():
        there = (float(row["lat"]), float(row["lon"]))
        points.append(there)
        vmbo = bool(row.get("heeft_vmbo"))
        folium.CircleMarker(
            location=there, radius=6, color="#ffffff", weight=1, fill=True,
            fill_color=VMBO_COLOR if vmbo else SCHOOL_COLOR, fill_opacity=0.9,
            tooltip=f"{_esc(row.get('naam'))} — {row['afstand_km']:.1f} km"
            + (" (vmbo)" if vmbo else ""),
            class_name="ik-school",
        ).add_to(layer)
    layer.add_to(fmap)
    folium.CircleMarker(
        location=here, radius=10, color="#111111", weight=3, fill=True,
        fill_color=SOORT_STYLE.get(str(get("soort")), SOORT_STYLE["overig"])[0],
        fill_opacity=1.0, tooltip=f"Partner: {_esc(get('naam'))}",
        popup=folium.Popup(partner_popup(partner, show_personal=show_personal), max_width=300),
        class_name="ik-partner",
    ).add_to(fmap)
    _fit_bounds(fmap, points)
    legend = [("punt", VMBO_COLOR, "School met vmbo"), ("punt", SCHOOL_COLOR, "Overige school"),
              ("vlak", "#1f5fa8", f"Binnen {radius_km:g} km")]
    return finish_map(fmap, legend=legend, title="Partner → scholen")
