"""Kaart: partners, schools and mbo infra places over the five regions, with a choropleth."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis import indicators as analysis
from geo.analysis.score import score_caption_nl
from geo.analysis.vocabulary import CHOROPLETH_INDICATORS
from geo.output import maps, tables
from geo.reference.data import OUTSIDE, REGIONS
from geo.reference.regions import LEVELS, unit_polygons
from geo.register.store import SOORTEN
from pages._shared import (
    can,
    current_division,
    get_reference,
    get_store,
    show_attribution,
    show_map,
    through_router,
    upload_division_widget,
)

through_router()

LEVEL_LABELS = {"gemeente": "Gemeente", "subregio": "Subregio", "arbeidsmarktregio":
                "Arbeidsmarktregio"}
INDICATORS = CHOROPLETH_INDICATORS
DONOR_CHOICES = {"alle": "Alle organisaties", "ja": "Alleen donateurs", "nee": "Geen donateurs"}


def _param_list(name: str, allowed) -> list[str]:
    raw = st.query_params.get_all(name)
    return [v for v in raw if v in allowed]


def _param(name: str, allowed, default: str) -> str:
    value = st.query_params.get(name, default)
    return value if value in allowed else default


@st.cache_data(show_spinner=False)
def _boundaries(division_table: pd.DataFrame, division_name: str):
    """Simplified boundary layers; public data only, keyed by the division table."""
    from geo.reference.data import Division

    return maps.boundary_layers(get_reference(), Division(division_name, division_table))


st.title("Infrakaart")
st.caption(
    "Partners en donateurs van Infra Bindt, middelbare scholen en de twee mbo-infra-"
    "opleidingen in de vijf arbeidsmarktregio's van Noord-Holland."
)

reference = get_reference()
division = current_division()
store = get_store()

# --- Sidebar: the view, mirrored in the URL so a link reopens it -------------------------
with st.sidebar:
    st.header("Weergave")
    level = st.selectbox(
        "Niveau", LEVELS, index=LEVELS.index(_param("niveau", LEVELS, "subregio")),
        format_func=LEVEL_LABELS.get, key="kaart_niveau",
    )
    indicator = st.selectbox(
        "Kleurkaart", list(INDICATORS),
        index=list(INDICATORS).index(_param("indicator", INDICATORS, "score")),
        format_func=lambda k: INDICATORS[k][0], key="kaart_indicator",
    )
    radius_km = st.slider("Straal voor 'partner dichtbij' (km)", 2, 30,
                          int(_param("straal", [str(i) for i in range(2, 31)], "10")),
                          key="kaart_straal")
    st.header("Filters")
    soorten = st.multiselect("Soort organisatie", SOORTEN,
                             default=_param_list("soort", SOORTEN) or list(SOORTEN),
                             format_func=lambda s: maps.SOORT_STYLE[s][1], key="kaart_soort")
    donor = st.radio("Donateurs", list(DONOR_CHOICES),
                     index=list(DONOR_CHOICES).index(_param("donateur", DONOR_CHOICES, "alle")),
                     format_func=DONOR_CHOICES.get, horizontal=True, key="kaart_donateur")
    active_only = st.checkbox("Alleen actieve organisaties",
                              value=_param("actief", ["ja", "nee"], "ja") == "ja",
                              key="kaart_actief")
    regions = st.multiselect("Arbeidsmarktregio", list(REGIONS),
                             default=_param_list("regio", REGIONS) or list(REGIONS),
                             format_func=lambda c: REGIONS[c], key="kaart_regio")
    show_schools = st.checkbox("Middelbare scholen tonen",
                               value=_param("scholen", ["ja", "nee"], "ja") == "ja",
                               key="kaart_scholen")
    vmbo_only = st.checkbox("Alleen scholen met vmbo",
                            value=_param("vmbo", ["ja", "nee"], "nee") == "ja",
                            key="kaart_vmbo")
    upload_division_widget()

st.query_params.from_dict({
    "niveau": level, "indicator": indicator, "straal": str(radius_km),
    "soort": soorten, "donateur": donor, "actief": "ja" if active_only else "nee",
    "regio": regions, "scholen": "ja" if show_schools else "nee",
    "vmbo": "ja" if vmbo_only else "nee",
})

# --- Data: the public view unless a staff member is signed in ----------------------------
organisations = store.organisations(include_personal=can("contactgegevens_zien"))
schools = store.schools()
mbo = store.mbo_locations()
sub_of = division.subregion_of()
for frame in (organisations, schools):
    frame["subregio"] = frame["gemeentecode"].map(sub_of).fillna(OUTSIDE)

shown = organisations[organisations["soort"].isin(soorten)]
if donor != "alle":
    shown = shown[shown["donateur"] == (donor == "ja")]
if active_only:
    shown = shown[shown["actief"]]
in_regions = shown["arbeidsmarktregio_code"].isin(regions)
if len(regions) < len(REGIONS):
    shown = shown[in_regions]
schools_shown = schools[schools["arbeidsmarktregio_code"].isin(regions)]

if organisations["voorbeeld"].any():
    st.info(
        "Deze kaart toont **voorbeeldgegevens** (verzonnen organisaties). Het team kan de "
        "echte partnerlijst importeren op de pagina Beheer; daar kunnen de voorbeelden ook "
        "worden verwijderd."
    )

# Indicators use every active partner (the filters only change what is drawn).
partners_for_analysis = organisations[organisations["actief"]]
table = analysis.indicators(
    level, reference=reference, division=division, partners=partners_for_analysis,
    schools=schools, mbo=mbo, radius_km=radius_km,
)

col_map, col_table = st.columns([3, 2])
with col_map:
    choropleth = None
    if indicator:
        label, fmt = INDICATORS[indicator]
        choropleth = (unit_polygons(level, reference, division), table, indicator, label, fmt)
    fmap = maps.build_partner_map(
        layers=_boundaries(division.table, division.name), partners=shown,
        schools=schools_shown, mbo=mbo, show_personal=can("contactgegevens_zien"),
        show_schools=show_schools,
        vmbo_only=vmbo_only, choropleth=choropleth, kinds=soorten,
    )
    show_map(fmap, height=640, key="kaart_map")
    unplaced = int(organisations["lat"].isna().sum())
    drawn = int(shown["lat"].notna().sum())
    st.caption(
        f"{drawn} organisaties op de kaart · {len(schools_shown)} scholen · "
        f"{len(mbo)} mbo-infra-locaties"
        + (f" · {unplaced} organisaties nog niet geplaatst" if unplaced else "")
    )

with col_table:
    st.subheader(f"Rangorde per {LEVEL_LABELS[level].lower()}")
    st.caption(score_caption_nl())
    view = table[["rang", "naam", "score", "partners", "donateurs", "partners_per_10k_jongeren",
                  "scholen", "scholen_vmbo", "aandeel_scholen_met_partner",
                  "reistijd_mbo_infra_min_gemiddeld"]].sort_values("rang")
    view.attrs = {}  # the analysis settings are not for display
    st.dataframe(
        view, hide_index=True, width="stretch", height=520,
        column_config={
            "rang": st.column_config.NumberColumn("Rang"),
            "naam": "Naam",
            "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100,
                                                     format="%.0f"),
            "partners": "Partners",
            "donateurs": "Donateurs",
            "partners_per_10k_jongeren": st.column_config.NumberColumn(
                "Partners / 10k jongeren", format="%.1f"),
            "scholen": "Scholen",
            "scholen_vmbo": "Vmbo-scholen",
            "aandeel_scholen_met_partner": st.column_config.NumberColumn(
                f"Scholen met partner ≤ {radius_km} km", format="percent"),
            "reistijd_mbo_infra_min_gemiddeld": st.column_config.NumberColumn(
                "Reistijd mbo-infra (min, schatting)", format="%.0f"),
        },
    )
    c1, c2 = st.columns(2)
    sheets = analysis.export_sheets(table)
    c1.download_button("Tabel als CSV", tables.table_bytes(sheets, xlsx=False),
                       file_name=f"witte-vlekken-{level}.csv", mime=tables.CSV_MIME)
    c2.download_button("Tabel als Excel", tables.table_bytes(sheets, xlsx=True),
                       file_name=f"witte-vlekken-{level}.xlsx", mime=tables.XLSX_MIME)
    st.caption(analysis.POPULATION_NOTE_NL)

show_attribution()
