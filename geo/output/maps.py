"""folium map builders: data in, ``folium.Map`` out. Pure; tested by rendering.

No text is written into HTML or a template here: every name, place and label travels as
data in the layers of :mod:`geo.output.map_layers` and is put on the page with ``textContent``
in the browser (see that module for why). Polygons are simplified in RD New
(:data:`SIMPLIFY_TOLERANCE_M`) so pages stay light.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fields as registry
from geo.output.map_layers import (
    AreaLayer,
    BadgeLayer,
    CircleLayer,
    Legend,
    Line,
    LineLayer,
    MetricScale,
    PointLayer,
    add_library,
    check_map,
)
from geo.reference.data import RD_NEW, WGS84, Division, Reference
from geo.reference.gazetteer import PRECISION_LABELS
from geo.reference.regions import unit_polygons

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

SCHOOL_COLOR = "#333333"
VMBO_COLOR = "#d7301f"
MBO_COLOR = "#000000"

#: Sequential colour scale (light → dark) for choropleths: higher value = darker.
CHOROPLETH_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"]




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
        With the browser half of :mod:`geo.output.map_layers` added; call :func:`finish_map`
        after adding layers.
    """
    fmap = folium.Map(
        location=list(center or NH_CENTER),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,
        height=height,
        prefer_canvas=False,
    )
    add_library(fmap)
    MetricScale().add_to(fmap)
    folium.TileLayer(
        PDOK_BRT_URL, name="BRT-Achtergrondkaart (PDOK)", attr=PDOK_ATTRIBUTION, max_zoom=19
    ).add_to(fmap)
    folium.TileLayer(
        OSM_URL, name="OpenStreetMap", attr=OSM_ATTRIBUTION, max_zoom=19, show=False
    ).add_to(fmap)
    return fmap


def finish_map(fmap: folium.Map, *, legend: Iterable[tuple[str, str, str]] = (),
               title: str = "") -> folium.Map:
    """Add the layer switcher and a legend (with the data attribution) to ``fmap``.

    Parameters
    ----------
    legend : iterable of (kind, colour, label)
        ``kind`` is ``"punt"``, ``"vlak"`` or ``"lijn"``.
    title : str
        Legend heading.

    Returns
    -------
    folium.Map
        The same map, checked with :func:`geo.output.map_layers.check_map`.
    """
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    add_legend(fmap, legend, title=title)
    return check_map(fmap)


def add_legend(fmap: folium.Map, items: Iterable[tuple[str, str, str]], *,
               title: str = "") -> None:
    """Add a foldable legend, drawn in the browser from data (see :class:`Legend`)."""
    fmap.add_child(Legend(items, title=title or "Legenda", attribution=DATA_ATTRIBUTION),
                   name="ik_legend")


def simplified(frame: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M
               ) -> gpd.GeoDataFrame:
    """``frame`` with geometries simplified in RD New and returned in WGS84."""
    if frame.crs is None:
        raise ValueError("frame has no CRS")
    rd = frame.to_crs(RD_NEW)
    rd["geometry"] = rd.geometry.simplify(tolerance_m, preserve_topology=True)
    return rd.to_crs(WGS84)


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
    regions = layers["arbeidsmarktregio"].copy()
    regions["ik_style"] = [
        {"color": REGION_COLORS.get(code, "#555"), "fillColor": REGION_COLORS.get(code, "#999")}
        for code in regions["code"]
    ]
    AreaLayer(
        "Arbeidsmarktregio's", regions, class_name="ik-regio",
        style={"weight": 3, "fillOpacity": 0.12 if fill_regions else 0},
        tooltip=[Line("naam", "Arbeidsmarktregio"), Line("code", "Code")],
    ).add_to(fmap)
    AreaLayer(
        "Subregio's", layers["subregio"], class_name="ik-subregio",
        style={"color": "#222", "weight": 2, "dashArray": "6 4", "fillOpacity": 0},
        tooltip=[Line("naam", "Subregio"), Line("arbeidsmarktregio", "Arbeidsmarktregio")],
    ).add_to(fmap)
    AreaLayer(
        "Gemeenten", layers["gemeente"], class_name="ik-gemeente",
        style={"color": "#555", "weight": 0.8, "fillOpacity": 0},
        highlight={"weight": 2.5, "color": "#000"},
        tooltip=[Line("naam", "Gemeente"), Line("code", "CBS-code"), Line("subregio", "Subregio"),
                 Line("arbeidsmarktregio", "Arbeidsmarktregio")],
    ).add_to(fmap)


def region_legend() -> list[tuple[str, str, str]]:
    """Legend entries for the five labour-market regions."""
    from geo.reference.data import REGIONS

    return [("vlak", REGION_COLORS[code], f"{name} ({code})") for code, name in REGIONS.items()]


def _precision_text(code: object) -> str:
    return PRECISION_LABELS.get(str(code), str(code or "onbekend"))


def _precision_column(frame: pd.DataFrame, default: str) -> list[str]:
    codes = frame["nauwkeurigheid"] if "nauwkeurigheid" in frame else [default] * len(frame)
    return [_precision_text(code) for code in codes]


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.dropna(subset=["lat", "lon"]).reset_index(drop=True)


#: Circle-marker styles of schools: without and with vmbo.
SCHOOL_STYLES = (
    {"radius": 5, "color": "#ffffff", "weight": 1, "fillColor": SCHOOL_COLOR, "fillOpacity": 0.9},
    {"radius": 5, "color": "#ffffff", "weight": 1, "fillColor": VMBO_COLOR, "fillOpacity": 0.9},
)


def add_schools(fmap: folium.Map, schools: pd.DataFrame, *, vmbo_only: bool = False,
                show: bool = True) -> int:
    """Add secondary schools as one toggleable data layer; returns the number drawn.

    ``schools`` needs ``naam`` (or ``vestigingsnaam``), ``lat``, ``lon``, ``heeft_vmbo``
    and optionally ``plaats``, ``onderwijsstructuur``, ``nauwkeurigheid``.
    """
    frame = schools.copy()
    if "naam" not in frame and "vestigingsnaam" in frame:
        frame["naam"] = frame["vestigingsnaam"]
    if "plaats" not in frame and "plaatsnaam" in frame:
        frame["plaats"] = frame["plaatsnaam"]
    if vmbo_only:
        frame = frame[frame["heeft_vmbo"].astype(bool)]
    frame = _located(frame)
    frame["locatie"] = _precision_column(frame, "postcode4")
    PointLayer(
        "Middelbare scholen (vmbo)" if vmbo_only else "Middelbare scholen", frame,
        styles=SCHOOL_STYLES, style=[int(bool(v)) for v in frame["heeft_vmbo"]],
        class_name="ik-school", show=show, tooltip=["naam"],
        popup=[Line("naam", "School", strong=True), Line("plaats", "Plaats"),
               Line("onderwijsstructuur", "Onderwijs"), Line("locatie", "Locatie")],
    ).add_to(fmap)
    return len(frame)


def add_mbo(fmap: folium.Map, mbo: pd.DataFrame) -> int:
    """Add the mbo infra places as large labelled badges; returns the number drawn."""
    frame = _located(mbo)
    frame["locatie"] = [f"Locatie: {text}" for text in _precision_column(frame, "plaats")]
    BadgeLayer(
        "Mbo-infra-opleidingen", frame, badge="mbo", class_name="ik-mbo", tooltip=["naam"],
        popup=[Line("naam", strong=True), "instelling", "plaats", Line("locatie", em=True)],
    ).add_to(fmap)
    return len(frame)


#: Circle-marker styles of organisations: a thin white ring, or a thick dark one for donors.
_RING = {False: {"radius": 6, "color": "#ffffff", "weight": 1.5},
         True: {"radius": 8, "color": "#111111", "weight": 3}}


def partner_styles() -> tuple[list[dict], dict[tuple[str, bool], int]]:
    """Style table of organisation markers and its index by ``(kind, donor)``.

    One fill colour per kind of :data:`geo.fields.KINDS`; donors get a thick dark ring.
    """
    styles: list[dict] = []
    index: dict[tuple[str, bool], int] = {}
    for kind in registry.KINDS:
        for donor in (False, True):
            index[(kind.code, donor)] = len(styles)
            styles.append({**_RING[donor], "fillColor": kind.colour, "fillOpacity": 0.95})
    return styles, index


def partner_texts(partners: pd.DataFrame) -> pd.DataFrame:
    """``partners`` with the display columns the partner popup shows (plain text)."""
    frame = partners.copy()
    labels = registry.kind_labels()
    kinds = [labels.get(str(k), str(k or "")) for k in frame.get(
        "soort", pd.Series([""] * len(frame), index=frame.index))]
    donors = _flags(frame, "donateur")
    frame["soort_tekst"] = [f"{k} · donateur" if d else k
                            for k, d in zip(kinds, donors, strict=True)]
    place = frame["plaats"] if "plaats" in frame else pd.Series("", index=frame.index)
    if "gemeentenaam" in frame:
        place = place.where(place.fillna("").astype(str).str.strip() != "",
                            frame["gemeentenaam"])
    frame["plaats_tekst"] = place
    if "ambassadeur_voor" in frame:
        frame["ambassadeur_tekst"] = [
            f"Ambassadeur voor {v}" if isinstance(v, str) and v.strip() else None
            for v in frame["ambassadeur_voor"]]
    frame["locatie"] = [f"Locatie: {text}" for text in _precision_column(frame, "geen")]
    return frame


def partner_popup_lines(*, show_personal: bool) -> list[Line]:
    """The lines of a partner popup; contact fields only when ``show_personal``."""
    lines = [Line("naam", strong=True), Line("soort_tekst"), Line("plaats_tekst"),
             Line("website"), Line("ambassadeur_tekst")]
    if show_personal:
        lines += [Line("contactpersoon", "Contact"), Line("email", "E-mail"),
                  Line("telefoon", "Telefoon")]
    return [*lines, Line("locatie", em=True)]


def _flags(frame: pd.DataFrame, column: str) -> list[bool]:
    if column not in frame:
        return [False] * len(frame)
    return [bool(v) if not pd.isna(v) else False for v in frame[column]]


def _partner_style_index(frame: pd.DataFrame) -> list[int]:
    _, index = partner_styles()
    fallback = registry.FALLBACK_KIND
    kinds = frame["soort"] if "soort" in frame else [fallback] * len(frame)
    return [index.get((str(k), d), index[(fallback, d)])
            for k, d in zip(kinds, _flags(frame, "donateur"), strict=True)]


def add_partners(fmap: folium.Map, partners: pd.DataFrame, *, show_personal: bool = False,
                 cluster: bool = True, name: str = "Partners") -> int:
    """Add organisations as one data layer, coloured by kind; donors get a thick dark ring.

    Personal fields are shown only when ``show_personal`` is true AND present in the
    frame; public pages pass a frame that does not contain them at all.
    Returns the number of organisations drawn.
    """
    frame = partner_texts(_located(partners))
    styles, _ = partner_styles()
    PointLayer(
        name, frame, styles=styles, style=_partner_style_index(frame),
        class_name="ik-partner", tooltip=["naam"],
        popup=partner_popup_lines(show_personal=show_personal),
        cluster={"disableClusteringAtZoom": 12, "maxClusterRadius": 40} if cluster else None,
    ).add_to(fmap)
    return len(frame)


def partner_legend(kinds: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Legend entries for organisation kinds (all of :data:`geo.fields.KINDS`) and donors."""
    known = {kind.code: kind for kind in registry.KINDS}
    codes = list(kinds) if kinds is not None else list(known)
    items = [("punt", known[k].colour, known[k].label) for k in codes if k in known]
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

    ``units`` comes from :func:`geo.reference.regions.unit_polygons`; ``table`` has one row per
    unit with a ``code`` column (as :mod:`geo.analysis.indicators` produces).
    """
    merged = simplified(units).merge(table[["code", column]], on="code", how="left")
    edges = choropleth_bins(merged[column])
    merged["ik_style"] = [{"fillColor": color_for(v, edges)} for v in merged[column]]
    merged["waarde"] = ["—" if pd.isna(v) else _nl_number(fmt, v) for v in merged[column]]
    AreaLayer(
        f"Kleurkaart: {label}", merged, class_name="ik-kleurkaart",
        style={"color": "#444", "weight": 1, "fillOpacity": 0.7},
        highlight={"weight": 3, "color": "#000"},
        tooltip=[Line("naam", strong=True), Line("waarde", label)],
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
        Finished (layer switcher and legend added); call :func:`geo.output.assets.use_assets`
        or :func:`geo.output.assets.standalone_html` before showing it.
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


def _one(record: pd.Series | dict) -> pd.DataFrame:
    return pd.DataFrame([dict(record)])


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
        Every text reaches the browser as data (:mod:`geo.output.map_layers`).
    """
    here = (float(school["lat"]), float(school["lon"]))
    fmap = base_map(center=here, zoom=11)
    partners = partner_texts(_located(result))
    distance = [f"{_nl_number('{:.1f}', km)} km" for km in partners["afstand_km"]]
    partners["lijn_tekst"] = [f"{naam} — {d}" for naam, d in
                              zip(partners["naam"].fillna(""), distance, strict=True)]
    partners["rang_tekst"] = [f"{int(rang)}. {text}" for rang, text in
                              zip(partners["rang"], partners["lijn_tekst"], strict=True)]
    LineLayer(
        "Lijnen school → partner", partners,
        paths=[[here, (lat, lon)] for lat, lon in zip(partners["lat"], partners["lon"],
                                                      strict=True)],
        styles=[{"color": "#555555", "weight": 2, "opacity": 0.8, "dashArray": "5 5"}],
        tooltip=["lijn_tekst"],
    ).add_to(fmap)
    styles, _ = partner_styles()
    PointLayer(
        "Partners", partners, styles=styles, style=_partner_style_index(partners),
        class_name="ik-partner", tooltip=["rang_tekst"],
        popup=partner_popup_lines(show_personal=show_personal),
    ).add_to(fmap)
    vmbo = bool(school.get("heeft_vmbo"))
    chosen = _one(school)
    chosen["tooltip"] = f"School: {school.get('naam') or ''}"
    PointLayer(
        "Gekozen school", chosen, class_name="ik-school",
        styles=[{"radius": 10, "color": "#ffff00", "weight": 3, "fillOpacity": 1.0,
                 "fillColor": VMBO_COLOR if vmbo else SCHOOL_COLOR}],
        tooltip=["tooltip"], popup=[Line("naam", strong=True), "plaats"], popup_width=260,
    ).add_to(fmap)
    _fit_bounds(fmap, [here, *zip(partners["lat"], partners["lon"], strict=True)])
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
    here = (float(partner["lat"]), float(partner["lon"]))
    fmap = base_map(center=here, zoom=11)
    reach = _one({"lat": here[0], "lon": here[1], "radius_m": float(radius_km) * 1000.0,
                  "tooltip": f"{radius_km:g} km".replace(".", ",")})
    CircleLayer(
        "Straal", reach, tooltip=["tooltip"],
        styles=[{"color": "#1f5fa8", "weight": 1.5, "fill": True, "fillOpacity": 0.05}],
    ).add_to(fmap)
    schools = _located(result)
    vmbo = _flags(schools, "heeft_vmbo")
    schools["tooltip"] = [
        f"{naam} — {_nl_number('{:.1f}', km)} km" + (" (vmbo)" if v else "")
        for naam, km, v in zip(schools["naam"].fillna(""), schools["afstand_km"], vmbo,
                               strict=True)]
    PointLayer(
        "Scholen binnen bereik", schools, styles=SCHOOL_STYLES,
        style=[int(v) for v in vmbo], class_name="ik-school", tooltip=["tooltip"],
    ).add_to(fmap)
    chosen = partner_texts(_one(partner))
    chosen["tooltip"] = f"Partner: {partner.get('naam') or ''}"
    PointLayer(
        "Partner", chosen, class_name="ik-partner",
        styles=[{"radius": 10, "color": "#111111", "weight": 3, "fillOpacity": 1.0,
                 "fillColor": registry.kind_colour(partner.get("soort"))}],
        tooltip=["tooltip"], popup=partner_popup_lines(show_personal=show_personal),
    ).add_to(fmap)
    _fit_bounds(fmap, [here, *zip(schools["lat"], schools["lon"], strict=True)])
    legend = [("punt", VMBO_COLOR, "School met vmbo"), ("punt", SCHOOL_COLOR, "Overige school"),
              ("vlak", "#1f5fa8", f"Binnen {radius_km:g} km".replace(".", ","))]
    return finish_map(fmap, legend=legend, title="Partner → scholen")


def add_point(fmap: folium.Map, lat: float, lon: float, *, name: str, tooltip: str,
              color: str, radius: int = 10, class_name: str = "ik-punt") -> None:
    """Add one highlighted point (a chosen place, a current location) with a tooltip."""
    PointLayer(
        name, _one({"lat": lat, "lon": lon, "tooltip": tooltip}), class_name=class_name,
        styles=[{"radius": radius, "color": "#ffffff", "weight": 3, "fillColor": color,
                 "fillOpacity": 1.0}],
        tooltip=["tooltip"],
    ).add_to(fmap)
