"""School koppelen: the nearest partners of a school, and the schools near a partner."""

from __future__ import annotations

import streamlit as st

from geo.analysis.names import MODES
from geo.analysis.travel import ESTIMATE_LABEL
from geo.fields import kind_codes, kind_label
from geo.output import tables
from geo.output.call_lists import heading
from geo.settings import DEFAULTS
from geo.views.school_koppelen import Download, LinkResult, school_linking
from pages._shared import (
    MapSearch,
    can,
    chosen_row,
    get_store,
    show_attribution,
    show_map,
    through_router,
)

through_router()

COLUMN_FORMATS = {
    heading("reistijd_min"): st.column_config.NumberColumn(format="%d"),
    heading("afstand_km"): st.column_config.NumberColumn(format="%.2f"),
}


def _downloads(download: Download, key: str) -> None:
    left, right = st.columns(2)
    left.download_button(
        "Lijst als CSV", download.csv,
        file_name=f"{download.stem}.csv", mime=tables.CSV_MIME, key=f"{key}_csv",
    )
    right.download_button(
        "Lijst als Excel", download.xlsx,
        file_name=f"{download.stem}.xlsx", mime=tables.XLSX_MIME, key=f"{key}_xlsx",
    )


def _show(answer: LinkResult, *, key: str, heading, map_key: str, table_key: str) -> None:
    """Render one answer of the view: a message, or heading, map, table and downloads.

    Above the map a search box; choosing a row of the table points the map at that row.
    """
    if answer.warning:
        st.warning(answer.warning)
    elif answer.message:
        st.info(answer.message)
    elif answer.table is not None:
        heading(answer.heading)
        search = MapSearch(map_key)
        map_slot = st.container()  # filled once the table's chosen row is known
        chosen = st.dataframe(answer.table, hide_index=True, width="stretch",
                              column_config=COLUMN_FORMATS, on_select="rerun",
                              selection_mode="single-row",
                              key=f"{table_key}_{answer.table_key}")  # new rows: no choice
        st.caption("Kies een rij (het vakje ervoor) om die plek op de kaart te zien.")
        _downloads(answer.download, key)
        with map_slot:
            focus = search.focus(row=answer.row_focus(chosen_row(chosen)))
            show_map(focus.apply(answer.fmap), key=map_key)
    if answer.note:
        st.caption(answer.note)


st.title("School koppelen")
st.caption(
    "Zoek een middelbare school en zie de dichtstbijzijnde partners, of kies een partner en "
    "zie de scholen in de buurt (vmbo eerst). Afstanden zijn hemelsbreed; reistijden zijn een "
    f"{ESTIMATE_LABEL}."
)

# Personal fields only for staff (tables, maps and downloads); read per session.
linking = school_linking(get_store(), staff=can("contactgegevens_zien"))

tab_school, tab_partner = st.tabs(["School → partners", "Partner → scholen"])

# --- School → partners -------------------------------------------------------------------
with tab_school:
    query = st.text_input("Zoek een school op naam, plaats, gemeente, straat of vestigingscode",
                          key="koppel_zoek", placeholder="bijv. Heerhugowaard of Clusius")
    found = linking.search(query, wanted_code=st.query_params.get("school"))
    if found.message:
        st.info(found.message)
        school_id = None
    else:
        school_id = st.selectbox(
            f"School ({len(found.options)} gevonden)", list(found.options), index=found.index,
            format_func=found.options.get, key="koppel_school",
        )

    c1, c2, c3 = st.columns(3)
    by = c1.radio("Zoeken op", ["aantal", "straal"], horizontal=True, key="koppel_op",
                  format_func={"aantal": "Aantal dichtstbij", "straal": "Binnen straal"}.get)
    if by == "aantal":
        k = c1.number_input("Aantal partners", min_value=1, max_value=50,
                            value=DEFAULTS.nearest_count, key="koppel_k")
        radius = None
    else:
        k = None
        radius = c1.slider("Straal (km)", 1, 50, round(DEFAULTS.radius_km), key="koppel_straal")
    kinds = c2.multiselect("Soort", kind_codes(), default=list(kind_codes()),
                           format_func=kind_label, key="koppel_soort")
    mode = c2.radio("Reistijd voor", list(MODES), index=list(MODES).index(DEFAULTS.nearby_mode),
                    format_func=MODES.get, horizontal=True, key="koppel_modus")
    donors_only = c3.checkbox("Alleen donateurs", key="koppel_donateur")
    active_only = c3.checkbox("Alleen actieve partners", value=True, key="koppel_actief")

    if school_id is not None:
        answer = linking.partners_of(
            school_id, k=int(k) if k is not None else None, radius_km=radius, kinds=kinds,
            mode=mode, donors_only=donors_only, active_only=active_only,
        )
        _show(answer, key="koppel", heading=st.caption, map_key="koppel_kaart",
              table_key="koppel_tabel")

# --- Partner → schools -------------------------------------------------------------------
with tab_partner:
    names = linking.partner_options()
    if not names:
        st.info("Er zijn nog geen partners met een bekende locatie.")
    else:
        p1, p2 = st.columns([2, 1])
        partner_id = p1.selectbox("Partner", list(names), format_func=names.get,
                                  key="koppel_partner")
        reach = p2.slider("Straal (km)", 1, 50, round(DEFAULTS.radius_km),
                          key="koppel_partner_straal")
        vmbo_only = p2.checkbox("Alleen scholen met vmbo", key="koppel_alleen_vmbo")
        answer = linking.schools_of(partner_id, radius_km=reach, vmbo_only=vmbo_only)
        _show(answer, key="koppel_scholen", heading=st.write, map_key="koppel_partner_kaart",
              table_key="koppel_scholen_tabel")

show_attribution()
