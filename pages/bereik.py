"""Bereik (team): import the planning, then per subregion the vmbo schools not reached."""

from __future__ import annotations

import streamlit as st

from geo.output import tables
from geo.text import md
from geo.views import bereik as view
from pages._shared import (
    Keys,
    boundaries,
    can,
    colour_rows,
    current_division,
    current_role,
    current_user,
    get_reference,
    get_settings,
    get_store,
    permitted,
    show_attribution,
    show_map,
    through_router,
)

through_router()

st.title("Bereik")
st.caption(
    "Welke scholen zijn dit schooljaar bereikt met een gastles, voorlichting of andere "
    "activiteit, en welke vmbo-scholen nog niet? Importeer de planning van het team, kies een "
    "subregio en zie per niet bereikte vmbo-school de partners die in de buurt zitten."
)

if not can("bereik_bekijken"):
    st.error(
        "Deze pagina is alleen voor het operationele team en het bestuur. Log in om het "
        "bereik per subregio te zien."
    )
    st.stop()

store = get_store()
reference = get_reference()
division = current_division()


def download_buttons(what, label: str, key: str) -> None:
    """An Excel and a CSV download of ``what`` (a view with file_bytes and file_name)."""
    left, right = st.columns(2)
    for column, xlsx in ((left, True), (right, False)):
        column.download_button(f"{label} als {'Excel' if xlsx else 'CSV'}",
                               data=what.file_bytes(xlsx=xlsx),
                               file_name=what.file_name(xlsx=xlsx),
                               mime=tables.XLSX_MIME if xlsx else tables.CSV_MIME,
                               key=f"{key}_{'xlsx' if xlsx else 'csv'}")


# --- the planning: check every row, then apply the rows that are not "fout" --------------
with st.expander("Planning importeren", expanded=True):
    st.caption(
        "Upload de planning (Excel of CSV) met kolommen zoals Soort activiteit, Datum, "
        "Vestigingscode of School, Plaats, Partner, Aantal leerlingen en Status. Elke rij krijgt "
        "eerst een oordeel (ok, waarschuwing of fout); pas na 'Importeren' wordt er iets "
        "opgeslagen. Een activiteit die er al in staat (zelfde soort, datum en school of "
        "plaats) wordt bijgewerkt, niet verdubbeld."
    )
    may_import = can("importeren")
    upload = st.file_uploader("Planning (Excel of CSV)",
                              type=["xlsx", "xlsm", "csv", "txt", "tsv"],
                              key="bereik_upload", disabled=not may_import)
    if upload is None:
        st.session_state.pop(Keys.REACH_IMPORT, None)
    else:
        check: view.PlanningCheck | None = st.session_state.get(Keys.REACH_IMPORT)
        if check is None or check.file_id != upload.file_id:
            check = view.check_planning_file(store, upload.getvalue(), upload.name,
                                             upload.file_id, settings=get_settings(),
                                             reference=reference)
            st.session_state[Keys.REACH_IMPORT] = check
        if check.problem:
            st.error(check.problem)
        else:
            st.markdown(check.summary)
            for column, status in zip(st.columns(3), ("ok", "waarschuwing", "fout"),
                                      strict=True):
                column.metric(status, check.counts[status])
            st.dataframe(colour_rows(check.verdicts, "Oordeel"), hide_index=True,
                         width="stretch")
            if check.applied is not None:
                getattr(st, check.applied.kind)(check.applied.text)
            elif (st.button(check.button_label, type="primary", key="bereik_importeren",
                            disabled=not may_import or not check.records)
                  and permitted("importeren")):
                applied = view.apply_planning(store, check, user=current_user(),
                                              role=current_role())
                st.session_state[Keys.REACH_IMPORT] = applied
                if applied.applied.kind == "success" and applied.latest_school_year:
                    st.session_state[Keys.REACH_YEAR] = applied.latest_school_year
                st.rerun()

# --- reach per subregion ------------------------------------------------------------------
first = view.reach_overview(store, reference=reference, division=division)
if st.session_state.get(Keys.REACH_YEAR) not in first.school_years:
    st.session_state[Keys.REACH_YEAR] = first.school_year
year = st.selectbox("Schooljaar", first.school_years, key=Keys.REACH_YEAR)
overview = (first if year == first.school_year else
            view.reach_overview(store, reference=reference, division=division,
                                school_year=year))
st.subheader(md(f"Bereik per subregio in {overview.school_year}"))
st.dataframe(overview.shown, hide_index=True, width="stretch")
for line in overview.lines:
    st.caption(md(line))
download_buttons(overview, "Overzicht", "bereik_download")

# --- one subregion: who was not reached, and who could go -------------------------------
st.subheader("vmbo-scholen niet bereikt")
subregion = st.selectbox("Subregio", overview.subregions, key="bereik_subregio")
part = view.subregion_reach(store, reference=reference, division=division,
                            subregion=subregion, school_year=overview.school_year,
                            include_personal=can("contactgegevens_zien"),
                            areas=boundaries(division)["subregio"])
st.caption(part.caption)
if part.not_reached.empty:
    st.success(md(f"Elke vmbo-school in {subregion} had in {part.school_year} een gegeven "
                  "activiteit."))
else:
    st.dataframe(part.not_reached, hide_index=True, width="stretch")
show_map(part.fmap, key="bereik_map", height=560)
download_buttons(part, "Bellijst", "bereik_bellijst")
show_attribution()
