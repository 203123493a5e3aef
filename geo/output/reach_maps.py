"""Reach on a map: schools by reach, partners that gave activities, the Bereik map.

The Kaart colours every school by whether a given activity of the chosen school year
reached it (:data:`geo.output.maps.REACH_SCHOOL_STYLES`) and rings the partners that took
part in one (:data:`geo.output.maps.ACTIVE_RING_COLOR`); the page "Bereik" shows one
subregion with its vmbo schools not reached and the partners nearby
(:func:`subregion_reach_map`).

Privacy: a school's pop-up says whether and with which kinds of activity it was reached,
never who gave them (no guest teacher, no note, no partner): the frames here come from
the public view. Every text travels as data (:mod:`geo.output.map_layers`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from geo.analysis.reach import reach_text
from geo.output.map_layers import AreaLayer, Line, MapView, PointLayer, set_view
from geo.output.maps import (
    ACTIVE_RING_COLOR,
    REACH_SCHOOL_STYLES,
    REACHED_COLORS,
    SCHOOL_COLOR,
    VMBO_COLOR,
    _located,
    _partner_style_index,
    base_map,
    finish_map,
    partner_legend,
    partner_popup_lines,
    partner_styles,
    partner_texts,
)
from geo.text import count_noun

#: CSS classes of the markers of the Bereik map: a vmbo school not reached is both a
#: school and "not reached" (tests and the browser find it by the second).
NOT_REACHED_CLASS = "ik-school ik-niet-bereikt"

#: The style of a vmbo school not reached on the Bereik map: large, with a yellow ring.
NOT_REACHED_STYLE = {"radius": 9, "color": "#ffd700", "weight": 3, "fillColor": VMBO_COLOR,
                     "fillOpacity": 1.0}

#: The outline of the chosen subregion.
AREA_STYLE = {"color": "#222222", "weight": 2.5, "dashArray": "6 4", "fillOpacity": 0.04}


def with_school_reach(schools: pd.DataFrame, school_year: str) -> pd.DataFrame:
    """``schools`` (from :func:`geo.analysis.reach.school_reach`) with ``bereik_tekst``."""
    frame = schools.copy()
    frame["bereik_tekst"] = [reach_text(kinds, int(n), school_year) for kinds, n in
                             zip(frame["soorten"], frame["activiteiten"], strict=True)]
    return frame


def with_partner_activity(partners: pd.DataFrame, counts: Mapping[int, int],
                          school_year: str) -> pd.DataFrame:
    """``partners`` with how many given activities of the year each took part in.

    Adds ``activiteiten`` (int) and ``activiteiten_tekst`` ("Gaf 2 activiteiten in
    2025-2026", None for none); ``counts`` is :func:`geo.analysis.reach.partner_activity`.
    """
    frame = partners.copy()
    ids = frame["id"] if "id" in frame else pd.Series([], dtype=int)
    frame["activiteiten"] = [int(counts.get(int(i), 0)) for i in ids]
    frame["activiteiten_tekst"] = [
        f"Gaf {count_noun(n, 'activiteit', 'activiteiten')} in {school_year}" if n else None
        for n in frame["activiteiten"]]
    return frame


def reach_legend(school_year: str, *, vmbo_only: bool = False) -> list[tuple[str, str, str]]:
    """Legend entries of the schools coloured by reach in ``school_year``."""
    items = [("punt", REACHED_COLORS[0], f"vmbo-school bereikt in {school_year}"),
             ("punt", VMBO_COLOR, f"vmbo-school niet bereikt in {school_year}")]
    if not vmbo_only:
        items += [("punt", REACHED_COLORS[1], "Andere school, bereikt"),
                  ("punt", SCHOOL_COLOR, "Andere school, niet bereikt")]
    return items


def activity_legend(school_year: str) -> tuple[str, str, str]:
    """The legend entry of the green ring of partners that gave activities."""
    return ("punt", ACTIVE_RING_COLOR, f"Groene rand: gaf activiteiten in {school_year}")


def subregion_reach_map(*, area: gpd.GeoDataFrame, schools: pd.DataFrame,
                        not_reached: pd.DataFrame, partners: pd.DataFrame, school_year: str,
                        show_personal: bool = False) -> folium.Map:
    """One subregion: its vmbo schools not reached, its other schools, partners nearby.

    Parameters
    ----------
    area : geopandas.GeoDataFrame
        The subregion's outline (WGS84; ``naam``), one row.
    schools : pandas.DataFrame
        The subregion's other schools with reach (:func:`with_school_reach`).
    not_reached : pandas.DataFrame
        Its vmbo schools not reached (``naam``, ``plaats``, ``lat``, ``lon``; optionally
        ``partners_dichtbij``, the names of the nearest partners), drawn large with the
        classes :data:`NOT_REACHED_CLASS`.
    partners : pandas.DataFrame
        The partners nearby, with :func:`with_partner_activity`'s columns. Public callers
        pass a frame without personal columns.
    school_year : str
        The school year of the reach (legend, texts).
    show_personal : bool
        Contact fields in the partner pop-ups (staff; only when present).

    Returns
    -------
    folium.Map
        Finished (layer switcher and legend), looking at the subregion.
    """
    fmap = base_map()
    AreaLayer("Subregio", area, style=AREA_STYLE, class_name="ik-subregio-keuze",
              tooltip=[Line("naam", "Subregio")]).add_to(fmap)
    others = _located(schools)
    vmbo = [int(bool(v)) for v in others["heeft_vmbo"]]
    PointLayer("Andere scholen", others, styles=REACH_SCHOOL_STYLES,
               style=[2 * int(bool(r)) + v for r, v in zip(others["bereikt"], vmbo,
                                                           strict=True)],
               class_name="ik-school", tooltip=["naam"],
               popup=[Line("naam", "School", strong=True), Line("plaats", "Plaats"),
                      Line("bereik_tekst", em=True)]).add_to(fmap)
    chosen = partner_texts(_located(partners))
    styles, _ = partner_styles()
    PointLayer("Partners dichtbij", chosen, styles=styles,
               style=_partner_style_index(chosen), class_name="ik-partner",
               tooltip=["naam"], popup=partner_popup_lines(show_personal=show_personal),
               ).add_to(fmap)
    missed = _located(not_reached)
    PointLayer(f"vmbo-scholen niet bereikt in {school_year}", missed,
               styles=[NOT_REACHED_STYLE], class_name=NOT_REACHED_CLASS, tooltip=["naam"],
               popup=[Line("naam", "School", strong=True), Line("plaats", "Plaats"),
                      Line("partners_dichtbij", "Partners dichtbij")]).add_to(fmap)
    shape = area.geometry.iloc[0] if len(area) else None
    if shape is not None and not shape.is_empty:
        west, south, east, north = shape.bounds
        set_view(fmap, MapView(bounds=((south, west), (north, east)), max_zoom=13))
    kinds = sorted({str(k) for k in chosen.get("soort", pd.Series(dtype=str)).dropna()})
    legend = [("punt", VMBO_COLOR, f"vmbo-school niet bereikt in {school_year} (gele rand)"),
              *reach_legend(school_year)[:1], *reach_legend(school_year)[2:],
              *partner_legend(kinds), activity_legend(school_year),
              ("lijn", "#222222", "Grens van de subregio")]
    return finish_map(fmap, legend=legend, title=f"Bereik {school_year}")
