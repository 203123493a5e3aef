"""Kaart: partners, schools and mbo infra places over the five regions, with a choropleth."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.activities import activity_kind_codes, activity_kind_label
from geo.analysis.names import CHOROPLETH_INDICATORS, share_column
from geo.fields import kind_codes, kind_label
from geo.output import tables
from geo.reference.data import REGIONS
from geo.reference.levels import LEVEL_LABELS, LEVELS
from geo.settings import DEFAULTS
from geo.text import decimal_comma
from geo.views.kaart import (
    DONOR_CHOICES,
    IndicatorCache,
    MapChoices,
    kaart_map,
    ranking_view,
    school_years,
)
from pages._shared import (
    MapSearch,
    boundaries,
    can,
    chosen_row,
    current_division,
    get_reference,
    get_store,
    show_attribution,
    show_map,
    through_router,
    upload_division_widget,
)

through_router()


@st.cache_resource
def _indicator_cache() -> IndicatorCache:
    """One cache of indicator tables for every session (figures per area, nothing personal)."""
    return IndicatorCache()

INDICATORS = CHOROPLETH_INDICATORS
RADII = [str(i) for i in range(2, 31)]


def _param_list(name: str, allowed) -> list[str]:
    raw = st.query_params.get_all(name)
    return [v for v in raw if v in allowed]


def _param(name: str, allowed, default: str) -> str:
    value = st.query_params.get(name, default)
    return value if value in allowed else default


@st.fragment
def _map_part(ranking_choices: MapChoices, indicator_table, boundary_layers: dict, row_focus,
              reach_note) -> None:
    """The map, its search box and the sidebar's map filters.

    A fragment: changing a filter reruns this function only, so the ranking beside the map
    is not computed, sent or drawn again. The arguments are those of the last full run.
    """
    with st.sidebar:
        st.header("Kaart")
        indicator = st.selectbox(
            "Kleurkaart", list(INDICATORS),
            index=list(INDICATORS).index(_param("indicator", INDICATORS, DEFAULTS.choropleth)),
            format_func=lambda k: INDICATORS[k][0], key="kaart_indicator",
        )
        kinds = st.multiselect("Soort organisatie", kind_codes(),
                               default=_param_list("soort", kind_codes()) or list(kind_codes()),
                               format_func=kind_label, key="kaart_soort")
        donor = st.radio("Donateurs", list(DONOR_CHOICES),
                         index=list(DONOR_CHOICES).index(
                             _param("donateur", DONOR_CHOICES, "alle")),
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
        reach_kinds = st.multiselect(
            "Bereikt met", activity_kind_codes(),
            default=(_param_list("bereik_soort", activity_kind_codes())
                     or list(activity_kind_codes())),
            format_func=activity_kind_label, key="kaart_bereik_soort",
            help="Welke soorten activiteit meetellen als 'bereikt' op de kaart.")
    st.query_params.update({
        "indicator": indicator, "soort": kinds, "donateur": donor,
        "actief": "ja" if active_only else "nee", "regio": regions,
        "scholen": "ja" if show_schools else "nee", "vmbo": "ja" if vmbo_only else "nee",
        "bereik_soort": reach_kinds,
    })
    choices = replace(ranking_choices, indicator=indicator, kinds=kinds, donors=donor,
                      active_only=active_only, regions=regions, show_schools=show_schools,
                      vmbo_only=vmbo_only, reach_kinds=reach_kinds)
    drawn = kaart_map(get_store(), reference=get_reference(), division=current_division(),
                      choices=choices, indicator_table=indicator_table,
                      show_personal=can("contactgegevens_zien"),  # public unless staff
                      boundaries=boundary_layers)
    search = MapSearch("kaart_map")
    focus = search.focus(row=row_focus)
    show_map(focus.apply(drawn.fmap), height=640, key="kaart_map")
    st.caption(drawn.map_caption)
    if reach_note:
        st.caption(reach_note)


st.title("Infrakaart")
st.caption(
    "Partners en donateurs van Infra Bindt, middelbare scholen en de twee mbo-infra-"
    "opleidingen in de vijf arbeidsmarktregio's van Noord-Holland."
)

reference = get_reference()
division = current_division()
store = get_store()
years, this_year = school_years(store)


# --- Sidebar: the view, mirrored in the URL so a link reopens it -------------------------
# What changes the ranking is chosen here (a change reruns the whole page); what changes
# only the map is chosen in the map's fragment below (a change redraws the map alone).
with st.sidebar:
    st.header("Weergave")
    level = st.selectbox(
        "Niveau", LEVELS, index=LEVELS.index(_param("niveau", LEVELS, DEFAULTS.level)),
        format_func=LEVEL_LABELS.get, key="kaart_niveau",
    )
    radius_km = st.slider("Straal voor 'partner dichtbij' (km)", 2, 30,
                          int(_param("straal", RADII, str(round(DEFAULTS.radius_km)))),
                          key="kaart_straal")
    year = st.selectbox("Schooljaar", years,
                        index=years.index(_param("schooljaar", years, this_year)),
                        key="kaart_schooljaar",
                        help="Scholen met een gegeven activiteit in dit schooljaar zijn groen; "
                        "partners die er een gaven hebben een groene rand. De witte-vlekscore "
                        "telt de vmbo-scholen die dat jaar niet bereikt zijn.")

st.query_params.update({"niveau": level, "straal": str(radius_km), "schooljaar": year})
ranking_choices = MapChoices(level=level, radius_km=radius_km, school_year=year)
boundary_layers = boundaries(division)
view = ranking_view(store, reference=reference, division=division, choices=ranking_choices,
                    boundaries=boundary_layers, cache=_indicator_cache())

if view.example_notice:
    st.info(view.example_notice)

col_map, col_table = st.columns([3, 2])
with col_table:
    st.subheader(view.ranking_title)
    st.caption(view.score_caption)
    ranking = st.dataframe(
        view.ranking, hide_index=True, width="stretch", height=520,
        on_select="rerun", selection_mode="single-row",
        key=f"kaart_rangorde_{view.ranking_key}",  # a new ranking forgets the chosen row
        column_config={
            "rang": st.column_config.NumberColumn("Rang"),
            "rang_bereik": st.column_config.TextColumn(
                "Rang bij andere gewichten",
                help="De rangen die dit gebied krijgt als elk gewicht iets omhoog of omlaag "
                "gaat; een smal bereik is een vaste rang."),
            "naam": "Naam",
            "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100,
                                                     format="%.0f"),
            "deelscore_schaarste": st.column_config.NumberColumn(
                "Weinig partners", format="%.0f", help="Percentiel 0–100; hoger = minder "
                "partners binnen bereik per jongere"),
            "deelscore_reistijd": st.column_config.NumberColumn(
                "Lange reis", format="%.0f", help="Percentiel 0–100; hoger = langere reis "
                "naar mbo-infra"),
            "deelscore_scholen": st.column_config.NumberColumn(
                view.school_part_header, format="%.0f", help=f"Deel '{view.school_part}': "
                "percentiel 0–100; leeg = geen vmbo-school in het gebied"),
            "partners": "Partners",
            "donateurs": "Donateurs",
            "toegang_partners_per_10k_jongeren": st.column_config.NumberColumn(
                "Partners binnen bereik / 10k jongeren", format="%.2f"),
            "reistijd_mbo_infra_min_gemiddeld": st.column_config.NumberColumn(
                "Reistijd mbo-infra (min, schatting)", format="%.0f"),
            **{share_column(t): st.column_config.NumberColumn(
                f"Jongeren > {decimal_comma(t)} min", format="percent")
               for t in DEFAULTS.travel_thresholds_min},
            "scholen_vmbo": "Vmbo-scholen",
            "scholen_vmbo_zonder_partner": f"Vmbo zonder partner ≤ {radius_km} km",
            "scholen_vmbo_niet_bereikt": f"Vmbo niet bereikt in {view.school_year}",
            "aandeel_scholen_met_partner": st.column_config.NumberColumn(
                f"Scholen met partner ≤ {radius_km} km", format="percent"),
        },
    )
    c1, c2 = st.columns(2)
    c1.download_button("Tabel als CSV", view.csv, file_name=f"{view.file_stem}.csv",
                       mime=tables.CSV_MIME)
    c2.download_button("Tabel als Excel", view.xlsx, file_name=f"{view.file_stem}.xlsx",
                       mime=tables.XLSX_MIME)
    st.caption(view.population_note)
    st.caption("Kies een rij (het vakje ervoor) om dat gebied op de kaart te zien.")

with col_map:
    _map_part(ranking_choices, view.indicators, boundary_layers,
              view.ranking_focus(chosen_row(ranking)), view.reach_note)

with st.sidebar:
    upload_division_widget()

show_attribution()
