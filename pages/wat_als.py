"""Wat als: place a hypothetical extra mbo infra location and compare with today."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis import indicators as analysis
from geo.analysis.scenario import scenario
from geo.analysis.score import SCORE_EXPLANATION_NL
from geo.analysis.travel import ASSUMPTIONS_NL, StraightLineModel
from geo.analysis.vocabulary import MODES
from geo.errors import InfrakaartError
from geo.output import maps, tables
from geo.reference.data import Division
from geo.reference.regions import LEVELS, unit_polygons
from geo.settings import DEFAULTS
from geo.text import md
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

LEVEL_LABELS = {"gemeente": "Gemeente", "subregio": "Subregio",
                "arbeidsmarktregio": "Arbeidsmarktregio"}
HOW_GEMEENTE = "Kies een gemeente"
HOW_CLICK = "Klik op de kaart"
NEW_PLACE_COLOR = "#d7301f"


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
    level = st.selectbox("Niveau", LEVELS, index=LEVELS.index("subregio"),
                         format_func=LEVEL_LABELS.get, key="wat_als_niveau")
    mode = st.radio("Reiswijze", list(MODES), index=list(MODES).index("ov_auto"),
                    format_func=MODES.get, horizontal=True, key="wat_als_reiswijze")
    detour = st.slider("Omwegfactor", 1.0, 2.0, DEFAULTS.detour, 0.05, key="wat_als_omweg",
                       help="Reisafstand = hemelsbrede afstand × deze factor.")
    speed_fiets = st.slider("Snelheid fiets (km/u)", 8, 25, int(DEFAULTS.speed_bike_kmh),
                            key="wat_als_fiets")
    speed_ov = st.slider("Snelheid OV/auto, deur tot deur (km/u)", 15, 80,
                         int(DEFAULTS.speed_transit_car_kmh), key="wat_als_ov")
    wait_ov = st.slider("Opstarttijd OV/auto (min)", 0, 30, int(DEFAULTS.wait_transit_car_min),
                        key="wat_als_wacht", help="Lopen naar de halte, wachten, parkeren.")
    radius_km = st.slider("Straal voor 'partner dichtbij' (km)", 2, 30, 10,
                          key="wat_als_straal")
    upload_division_widget()

travel = StraightLineModel(detour=detour, speed_bike_kmh=speed_fiets,
                           speed_transit_car_kmh=speed_ov, wait_transit_car_min=wait_ov)

how = st.radio("Nieuwe locatie", [HOW_GEMEENTE, HOW_CLICK], horizontal=True,
               key="wat_als_hoe")
location: tuple[float, float] | str | None = None
if how == HOW_GEMEENTE:
    codes = sorted(names, key=lambda c: names[c])
    code = st.selectbox("Gemeente", codes, index=codes.index("GM0400"),
                        format_func=lambda c: f"{names[c]} ({c})", key="wat_als_gemeente",
                        help="De locatie komt in de kern van de gemeente, waar de meeste "
                        "mensen wonen.")
    location = code
else:
    point = st.session_state.get(POINT_KEY)
    if point:
        location = tuple(point)
    else:
        st.info("Klik op de kaart om de nieuwe locatie te kiezen.")

# The register through geo/: public columns only (the analysis needs no contact data).
store = get_store()
partners = store.organisations(include_personal=False)
schools = store.schools()
mbo = store.mbo_locations()

result = None
error = None
if location is not None:
    try:
        result = scenario(
            level, new_location=location, reference=reference, division=division,
            partners=partners, schools=schools, mbo=mbo,
            radius_km=radius_km, travel=travel, mode=mode,
        )
    except InfrakaartError as err:
        error = str(err)

col_map, col_facts = st.columns([3, 2])
with col_map:
    center = (result.attrs["lat"], result.attrs["lon"]) if result is not None else None
    fmap = maps.base_map(center=center, zoom=9)
    legend = []
    if result is not None:
        gains = result.assign(reistijd_winst_min=-result["reistijd_gemiddeld_verschil"])
        legend += maps.add_choropleth(
            fmap, _unit_polygons(level, division.table, division.name), gains,
            column="reistijd_winst_min", label="Minder reistijd (min, schatting)", fmt="{:.0f}",
        )
        label = (f"Nieuwe locatie: {names[location]}" if isinstance(location, str)
                 else "Nieuwe locatie (aangeklikt)")
        maps.add_point(fmap, result.attrs["lat"], result.attrs["lon"], name="Nieuwe locatie",
                       tooltip=label, color=NEW_PLACE_COLOR, radius=11,
                       class_name="ik-nieuwe-locatie")
        legend.append(("punt", NEW_PLACE_COLOR, "Nieuwe mbo-infralocatie (wat als)"))
    maps.add_mbo(fmap, mbo)
    legend.append(("punt", maps.MBO_COLOR, "Bestaande mbo-infra-opleiding"))
    maps.finish_map(fmap, legend=legend, title="Wat als")
    returned = show_map(fmap, height=520, returned_objects=("last_clicked",),
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
    if error:
        st.error(md(error))
    elif result is not None:
        before = result.attrs["reistijd_werkgebied_nu"]
        after = result.attrs["reistijd_werkgebied_wat_als"]
        st.metric(
            f"Gemiddelde reistijd naar mbo-infra, hele werkgebied ({MODES[mode]})",
            f"{after:.0f} min", delta=f"{after - before:.1f} min", delta_color="inverse",
            help="Gewogen naar het aantal jongeren van 10–19 jaar; schatting.",
        )
        gainers = result[result["reistijd_gemiddeld_verschil"] < -0.5].head(3)
        if gainers.empty:
            st.write("Geen enkel gebied komt merkbaar dichter bij een mbo-infraopleiding.")
        else:
            st.markdown("**Wie wint het meest**")
            for row in gainers.itertuples(index=False):
                st.markdown(
                    f"- **{md(row.naam)}**: "
                    f"{row.reistijd_gemiddeld_nu:.0f} → {row.reistijd_gemiddeld_wat_als:.0f} "
                    f"min gemiddeld ({row.reistijd_gemiddeld_verschil:+.0f}), langste "
                    f"{row.reistijd_max_nu:.0f} → {row.reistijd_max_wat_als:.0f} min; rang "
                    f"{row.rang_nu} → {row.rang_wat_als}"
                )
        st.caption(travel.describe_nl())

if result is not None:
    st.subheader(f"Vandaag en wat als, per {LEVEL_LABELS[level].lower()}")
    view = analysis.rounded(result)[[
        "naam", "reistijd_gemiddeld_nu", "reistijd_gemiddeld_wat_als",
        "reistijd_gemiddeld_verschil", "reistijd_max_nu", "reistijd_max_wat_als",
        "afstand_gemiddeld_nu", "afstand_gemiddeld_wat_als", "score_nu", "score_wat_als",
        "rang_nu", "rang_wat_als",
    ]]
    changed = (result["reistijd_gemiddeld_verschil"].abs() > 1e-9) | (
        result["rang_verschil"] != 0)

    def _highlight(row: pd.Series) -> list[str]:
        style = "background-color: #fde0c5" if changed.loc[row.name] else ""
        return [style] * len(row)

    styled = view.style.apply(_highlight, axis=1).format(precision=1)
    st.dataframe(
        styled, hide_index=True, use_container_width=True,
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
    st.caption(
        "Oranje rijen veranderen. Reistijd en afstand: gemiddelde naar het aantal jongeren "
        "(10–19 jaar, CBS 2021) en het langste vanuit een postcodegebied, naar de "
        "dichtstbijzijnde mbo-infralocatie. Rang 1 = meeste aandacht nodig; een gebied dat "
        "dichter bij een opleiding komt, zakt op de lijst."
    )
    c1, c2 = st.columns(2)
    sheets = analysis.export_sheets(result, sheet_name="Wat als")
    c1.download_button("Vergelijking als CSV", tables.table_bytes(sheets, xlsx=False),
                       file_name=f"wat-als-{level}.csv", mime=tables.CSV_MIME)
    c2.download_button("Vergelijking als Excel", tables.table_bytes(sheets, xlsx=True),
                       file_name=f"wat-als-{level}.xlsx", mime=tables.XLSX_MIME)

with st.expander("Hoe wordt dit geschat?"):
    st.markdown(ASSUMPTIONS_NL)
    st.markdown(SCORE_EXPLANATION_NL)
    st.markdown(analysis.POPULATION_EXPLANATION_NL)

show_attribution()
