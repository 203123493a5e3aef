"""School koppelen: the nearest partners of a school, and the schools near a partner."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis import proximity
from geo.analysis.travel import ESTIMATE_LABEL
from geo.analysis.vocabulary import MODES
from geo.output import call_lists, maps, tables
from geo.register.store import SOORTEN
from geo.text import md
from pages._shared import can, get_store, show_attribution, show_map, through_router

through_router()

SOORT_LABELS = {s: s.capitalize() for s in SOORTEN}
SCHOOL_TABLE_COLUMNS = [
    "rang", "naam", "plaats", "gemeentenaam", "onderwijsstructuur", "vmbo", "afstand_km",
    "reistijd_min",
]
COLUMN_LABELS = {
    "reistijd_min": st.column_config.NumberColumn("reistijd_min (schatting)", format="%d"),
    "afstand_km": st.column_config.NumberColumn("afstand_km (hemelsbreed)", format="%.2f"),
}


def _downloads(table: pd.DataFrame, stem: str, key: str) -> None:
    left, right = st.columns(2)
    left.download_button(
        "Lijst als CSV", tables.csv_bytes(table),
        file_name=f"{stem}.csv", mime=tables.CSV_MIME, key=f"{key}_csv",
    )
    right.download_button(
        "Lijst als Excel", tables.xlsx_bytes(table, sheet_name=stem),
        file_name=f"{stem}.xlsx", mime=tables.XLSX_MIME, key=f"{key}_xlsx",
    )


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in str(text).lower())
    return "-".join(part for part in keep.split("-") if part)[:40] or "lijst"


def _label(row: pd.Series) -> str:
    place = row.get("plaats") or ""
    return f"{row['naam']} — {place}" if place else str(row["naam"])


st.title("School koppelen")
st.caption(
    "Zoek een middelbare school en zie de dichtstbijzijnde partners, of kies een partner en "
    "zie de scholen in de buurt (vmbo eerst). Afstanden zijn hemelsbreed; reistijden zijn een "
    f"{ESTIMATE_LABEL}."
)

staff = can("contactgegevens_zien")  # personal fields in tables, maps and downloads
store = get_store()
schools = store.schools()
# Personal fields only for staff; read per session, never cached across users.
partners = store.organisations(include_personal=staff)

tab_school, tab_partner = st.tabs(["School → partners", "Partner → scholen"])

# --- School → partners -------------------------------------------------------------------
with tab_school:
    query = st.text_input("Zoek een school op naam of plaats", key="koppel_zoek",
                          placeholder="bijv. Heerhugowaard of Clusius")
    haystack = (schools["naam"].fillna("") + " " + schools["plaats"].fillna("")).str.casefold()
    found = schools[haystack.str.contains(query.strip().casefold(), regex=False)]
    found = found.sort_values(["naam", "plaats"], key=lambda s: s.fillna("").str.casefold())
    if found.empty:
        st.info(f"Geen school gevonden voor '{md(query)}'.")
        school_id = None
    else:
        labels = {sid: _label(row) for sid, row in found.set_index("id").iterrows()}
        wanted = st.query_params.get("school")
        ids = list(labels)
        by_code = found.set_index("vestigingscode")["id"].to_dict() if wanted else {}
        start = ids.index(by_code[wanted]) if wanted in by_code else 0
        school_id = st.selectbox(
            f"School ({len(found)} gevonden)", ids, index=start,
            format_func=labels.get, key="koppel_school",
        )

    c1, c2, c3 = st.columns(3)
    by = c1.radio("Zoeken op", ["aantal", "straal"], horizontal=True, key="koppel_op",
                  format_func={"aantal": "Aantal dichtstbij", "straal": "Binnen straal"}.get)
    if by == "aantal":
        k = c1.number_input("Aantal partners", min_value=1, max_value=50, value=5,
                            key="koppel_k")
        radius = None
    else:
        k = None
        radius = c1.slider("Straal (km)", 1, 50, 10, key="koppel_straal")
    soorten = c2.multiselect("Soort", SOORTEN, default=list(SOORTEN),
                             format_func=SOORT_LABELS.get, key="koppel_soort")
    mode = c2.radio("Reistijd voor", list(MODES), format_func=MODES.get, horizontal=True,
                    key="koppel_modus")
    donors_only = c3.checkbox("Alleen donateurs", key="koppel_donateur")
    active_only = c3.checkbox("Alleen actieve partners", value=True, key="koppel_actief")

    if school_id is not None:
        school = schools[schools["id"] == school_id].iloc[0]
        if pd.isna(school["lat"]) or pd.isna(school["lon"]):
            st.warning(f"{md(school['naam'])} heeft nog geen locatie; zoeken kan niet.")
        else:
            result = proximity.nearest_partners(
                schools[schools["id"] == school_id], partners,
                k=int(k) if k is not None else None, radius_km=radius,
                travel_mode=mode, soort=soorten,
                donateur=True if donors_only else None,
                actief=True if active_only else None,
            )
            note = call_lists.skipped_message(result)
            if result.empty:
                filtered = donors_only or active_only or len(soorten) < len(SOORTEN)
                st.info(md(call_lists.no_partners_message(
                    school["naam"], radius_km=radius, filtered=filtered)))
            else:
                table = call_lists.call_list(result, include_personal=staff)
                code = school.get("vestigingscode") or ""
                st.caption(f"Partners bij {md(school['naam'])}"
                           + (f" ({md(code)})" if code else ""))
                show_map(maps.school_partners_map(school, result, show_personal=staff),
                          key="koppel_kaart")
                st.dataframe(table, hide_index=True, width="stretch",
                             column_config=COLUMN_LABELS, key="koppel_tabel")
                _downloads(table, f"partners-bij-{_slug(school['naam'])}", "koppel")
            if note:
                st.caption(md(note))

# --- Partner → schools -------------------------------------------------------------------
with tab_partner:
    placed = partners.dropna(subset=["lat", "lon"])
    if placed.empty:
        st.info("Er zijn nog geen partners met een bekende locatie.")
    else:
        placed = placed.sort_values("naam", key=lambda s: s.fillna("").str.casefold())
        names = {pid: _label(row) for pid, row in placed.set_index("id").iterrows()}
        p1, p2 = st.columns([2, 1])
        partner_id = p1.selectbox("Partner", list(names), format_func=names.get,
                                  key="koppel_partner")
        reach = p2.slider("Straal (km)", 1, 50, 10, key="koppel_partner_straal")
        vmbo_only = p2.checkbox("Alleen scholen met vmbo", key="koppel_alleen_vmbo")
        partner = placed[placed["id"] == partner_id].iloc[0]
        near = proximity.schools_near_partner(partner, schools, radius_km=reach,
                                              vmbo_only=vmbo_only)
        if near.empty:
            st.info(md(call_lists.no_schools_message(partner["naam"], radius_km=reach)))
        else:
            n_vmbo = int(near["heeft_vmbo"].astype(bool).sum())
            st.write(f"**{len(near)}** scholen binnen {reach} km, waarvan **{n_vmbo}** met vmbo.")
            show_map(maps.partner_schools_map(partner, near, radius_km=reach,
                                                    show_personal=staff),
                      key="koppel_partner_kaart")
            table = near.assign(
                vmbo=near["heeft_vmbo"].map({True: "ja", False: "nee"}),
                afstand_km=near["afstand_km"].round(2),
                reistijd_min=near["reistijd_min"].round(0).astype("Int64"),
            ).reindex(columns=SCHOOL_TABLE_COLUMNS)
            st.dataframe(table, hide_index=True, width="stretch",
                         column_config=COLUMN_LABELS, key="koppel_scholen_tabel")
            _downloads(table, f"scholen-bij-{_slug(partner['naam'])}", "koppel_scholen")
        note = call_lists.skipped_message(near)
        if note:
            st.caption(md(note))

show_attribution()
