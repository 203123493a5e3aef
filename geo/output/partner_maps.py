"""Composed maps: the full partner map, and the maps around one school or one partner.

Built from the layers of :mod:`geo.output.maps` and :mod:`geo.output.choropleth`; every text
travels as data (:mod:`geo.output.map_layers`).
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import geopandas as gpd
import pandas as pd

from geo import fields as registry
from geo.analysis.names import BIVARIATE
from geo.output.choropleth import add_bivariate, add_choropleth
from geo.output.map_layers import CircleLayer, Line, LineLayer, PointLayer
from geo.output.maps import (
    MBO_COLOR,
    SCHOOL_COLOR,
    SCHOOL_STYLES,
    VMBO_COLOR,
    _flags,
    _located,
    _one,
    _partner_style_index,
    add_boundaries,
    add_mbo,
    add_partners,
    add_schools,
    base_map,
    finish_map,
    partner_legend,
    partner_popup_lines,
    partner_styles,
    partner_texts,
    region_legend,
)
from geo.output.reach_maps import activity_legend, reach_legend
from geo.text import decimal_comma, nl_number


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
    school_year: str | None = None,
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
        Colour ``units`` by ``table[column]`` (:func:`add_choropleth`), or by few partners ×
        long trip when ``column`` is :data:`geo.analysis.names.BIVARIATE`
        (:func:`add_bivariate`).
    kinds : iterable of str, optional
        Organisation kinds for the legend; all by default.
    school_year : str, optional
        The school year whose reach ``schools`` and ``partners`` carry
        (:func:`geo.output.reach_maps.with_school_reach`, ``with_partner_activity``): the
        schools are coloured by reach and the legend says so. None: by vmbo.

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
        if column == BIVARIATE:
            legend = add_bivariate(fmap, units, table, label=label)
        else:
            legend = add_choropleth(fmap, units, table, column=column, label=label, fmt=fmt)
        title = label
    else:
        legend = region_legend()
        title = "Arbeidsmarktregio's"
    if show_schools:
        add_schools(fmap, schools, vmbo_only=vmbo_only)
        if school_year is not None:
            legend += reach_legend(school_year, vmbo_only=vmbo_only)
        else:
            legend.append(("punt", VMBO_COLOR, "School met vmbo"))
            if not vmbo_only:
                legend.append(("punt", SCHOOL_COLOR, "School zonder vmbo"))
    add_mbo(fmap, mbo)
    legend.append(("punt", MBO_COLOR, "Mbo-infra-opleiding"))
    add_partners(fmap, partners, show_personal=show_personal)
    legend += partner_legend(kinds)
    if school_year is not None:
        legend.append(activity_legend(school_year))
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
        Every text reaches the browser as data (:mod:`geo.output.map_layers`).
    """
    here = (float(school["lat"]), float(school["lon"]))
    fmap = base_map(center=here, zoom=11)
    partners = partner_texts(_located(result))
    distance = [f"{nl_number(km, 1)} km" for km in partners["afstand_km"]]
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
                  "tooltip": f"{decimal_comma(radius_km)} km"})
    CircleLayer(
        "Straal", reach, tooltip=["tooltip"],
        styles=[{"color": "#1f5fa8", "weight": 1.5, "fill": True, "fillOpacity": 0.05}],
    ).add_to(fmap)
    schools = _located(result)
    vmbo = _flags(schools, "heeft_vmbo")
    schools["tooltip"] = [
        f"{naam} — {nl_number(km, 1)} km" + (" (vmbo)" if v else "")
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
              ("vlak", "#1f5fa8", f"Binnen {decimal_comma(radius_km)} km")]
    return finish_map(fmap, legend=legend, title="Partner → scholen")
