"""Wat als: place a hypothetical extra mbo infra location and compare with today."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.names import MODES
from geo.analysis.travel import StraightLineModel
from geo.output import maps, tables
from geo.reference.data import Division
from geo.reference.levels import LEVEL_LABELS, LEVELS
from geo.reference.regions import unit_polygons
from geo.settings import DEFAULTS
from geo.text import md
from geo.views.wat_als import TABLE_NOTE, WhatIfChoices, what_if_view
from pages._shared import (
    Keys,
    current_division,
    get_reference,
    get_store,
    show_attribution,
    show_map,
    through_router,
    upload_division_widget,
)

through_router()

#: Session key of this page: the point last clicked on the map, (lat, lon) or absent.
POINT_KEY = Keys.WHAT_IF_POINT

HOW_GEMEENTE = "Kies een gemeente"
HOW_CLICK = "Klik op de kaart"


@st.cache_data(show_spinner=False)
def _unit_polygons(level: str, division_table: pd.DataFrame, division_name: str
                   ) -> gpd.GeoDataFrame:
    """Simplified unit polygons (public reference data), keyed by the division."""
    return maps.simplified(unit_polygons(level, get_reference(),
                                         Division(division_name, division_table)))


st.title("Wat als: een extra mbo-infralocatie")
st.caption(
    "Zet een denkbeeldige nieuwe mbo-infraopleiding op de kaart en zie hoe de reistijd van "
    "jongeren en de rangorde van de gebieden veranderen. Alle reistijden en afstanden zijn "
    "**schattingen** (hemelsbreed × omwegfactor), geen routeplanner."
)

reference = get_reference()
division = current_division()
names = reference.gemeenten.set_index("gemeentecode")["gemeentenaam"].to_dict()

with st.sidebar:
    st.header("Instellingen")
    level = st.selectbox("Niveau", LEVELS, index=LEVELS.index(DEFAULTS.level),
                         format_func=LEVEL_LABELS.get, key="wat_als_niveau")
    mode = st.radio("Reiswijze", list(MODES), index=list(MODES).index(DEFAULTS.area_mode),
                    format_func=MODES.get, horizontal=True, key="wat_als_reiswijze")
    detour = st.slider("Omwegfactor", 1.0, 2.0, DEFAULTS.detour, 0.05, key="wat_als_omweg",
                       help="Reisafstand = hemelsbrede afstand × deze factor.")
    speed_bike = st.slider("Snelheid fiets (km/u)", 8, 25, round(DEFAULTS.speed_bike_kmh),
                           key="wat_als_fiets")
    speed_bus = st.slider("Snelheid bus, deur tot deur (km/u)", 15, 60,
                          round(DEFAULTS.speed_bus_kmh), key="wat_als_ov",
                          help="Voor reizen waar de trein niet helpt, en de bus naar het "
                          "station.")
    wait_transit = st.slider("Opstarttijd OV (min)", 0, 30,
                             round(DEFAULTS.wait_transit_car_min), key="wat_als_wacht",
                             help="Lopen naar de halte, wachten.")
    radius_km = st.slider("Straal voor 'partner dichtbij' (km)", 2, 30,
                          round(DEFAULTS.radius_km), key="wat_als_straal")
    upload_division_widget()

how = st.radio("Nieuwe locatie", [HOW_GEMEENTE, HOW_CLICK], horizontal=True,
               key="wat_als_hoe")
if how == HOW_GEMEENTE:
    codes = sorted(names, key=lambda c: names[c])
    location = st.selectbox(
        "Gemeente", codes, index=codes.index(DEFAULTS.what_if_municipality),
        format_func=lambda c: f"{names[c]} ({c})", key="wat_als_gemeente",
        help="De locatie komt in de kern van de gemeente, waar de meeste mensen wonen.")
else:
    point = st.session_state.get(POINT_KEY)
    location = tuple(point) if point else None

view = what_if_view(
    get_store(), reference=reference, division=division,
    choices=WhatIfChoices(
        level=level, mode=mode, radius_km=radius_km, location=location, bus_kmh=speed_bus,
        travel=StraightLineModel(detour=detour, speed_bike_kmh=speed_bike,
                                 wait_transit_car_min=wait_transit)),
    unit_polygons=_unit_polygons(level, division.table, division.name),
)
if view.prompt:
    st.info(view.prompt)

col_map, col_facts = st.columns([3, 2])
with col_map:
    returned = show_map(view.fmap, height=520, returned_objects=("last_clicked",),
                        key="wat_als_kaart")
    clicked = (returned or {}).get("last_clicked")
    if how == HOW_CLICK and clicked:
        new_point = (round(float(clicked["lat"]), 5), round(float(clicked["lng"]), 5))
        if tuple(st.session_state.get(POINT_KEY) or ()) != new_point:
            st.session_state[POINT_KEY] = new_point
            st.rerun()
    elif how == HOW_GEMEENTE:
        st.caption("Kies 'Klik op de kaart' om zelf een punt te kiezen.")

with col_facts:
    if view.error:
        st.error(md(view.error))
    elif view.metric is not None:
        label, value, delta = view.metric
        st.metric(label, value, delta=delta, delta_color="inverse",
                  help="Gewogen naar het aantal jongeren van 10–19 jaar; schatting.")
        if view.no_gain:
            st.write(view.no_gain)
        else:
            st.markdown("**Wie wint het meest**")
            for line in view.gainers:
                st.markdown(line)
        st.caption(view.travel_caption)

if view.table is not None:
    st.subheader(view.table_title)
    changed = view.changed

    def _highlight(row: pd.Series) -> list[str]:
        style = "background-color: #fde0c5" if changed.loc[row.name] else ""
        return [style] * len(row)

    st.dataframe(
        view.table.style.apply(_highlight, axis=1).format(precision=1),
        hide_index=True, use_container_width=True,
        column_config={
            "naam": "Gebied",
            "reistijd_gemiddeld_nu": "Reistijd nu (min)",
            "reistijd_gemiddeld_wat_als": "Reistijd wat als (min)",
            "reistijd_gemiddeld_verschil": "Verschil (min)",
            "reistijd_max_nu": "Langste nu (min)",
            "reistijd_max_wat_als": "Langste wat als (min)",
            "afstand_gemiddeld_nu": "Afstand nu (km)",
            "afstand_gemiddeld_wat_als": "Afstand wat als (km)",
            "score_nu": "Score nu",
            "score_wat_als": "Score wat als",
            "rang_nu": "Rang nu",
            "rang_wat_als": "Rang wat als",
        },
    )
    st.caption(TABLE_NOTE)
    c1, c2 = st.columns(2)
    c1.download_button("Vergelijking als CSV", view.csv, file_name=f"{view.file_stem}.csv",
                       mime=tables.CSV_MIME)
    c2.download_button("Vergelijking als Excel", view.xlsx,
                       file_name=f"{view.file_stem}.xlsx", mime=tables.XLSX_MIME)

with st.expander("Hoe wordt dit geschat?"):
    for text in view.explanations:
        st.markdown(text)

show_attribution()
