"""Jaaroverzicht: the strategy's facts and figures of a school year, for the board and team."""

from __future__ import annotations

import streamlit as st

from geo.output import tables
from geo.text import md
from geo.views.jaaroverzicht import year_overview_view
from pages._shared import can, get_store, through_router

through_router()

st.title("Jaaroverzicht")
st.caption(
    "De feiten en cijfers van een schooljaar (1 augustus tot en met 31 juli) uit het "
    "register, met het schooljaar ervoor ernaast: gastlessen tegen het maximum, de andere "
    "activiteiten, bereikte scholen, partners en leerlingen, en de vmbo-scholen die nog niet "
    "zijn bereikt. Hetzelfde kan met `infrakaart jaaroverzicht`."
)

if not can("jaaroverzicht_bekijken"):
    st.error(
        "Deze pagina is alleen voor het bestuur en het operationele team. Log in om het "
        "jaaroverzicht te zien."
    )
    st.stop()

store = get_store()
first = year_overview_view(store)
year = st.selectbox("Schooljaar", first.school_years,
                    index=first.school_years.index(first.school_year), key="jaar_schooljaar")
view = first if year == first.school_year else year_overview_view(store, school_year=year)

st.subheader(md(view.title))
st.dataframe(view.shown, hide_index=True, width="stretch")
for note in view.notes:
    st.caption(md(note))

left, right = st.columns(2)
for column, xlsx, label in ((left, True, "Download als Excel"), (right, False,
                                                                  "Download als CSV")):
    column.download_button(label, data=view.file_bytes(xlsx=xlsx),
                           file_name=view.file_name(xlsx=xlsx),
                           mime=tables.XLSX_MIME if xlsx else tables.CSV_MIME,
                           key=f"jaar_download_{'xlsx' if xlsx else 'csv'}")

st.subheader(md(f"vmbo-scholen niet bereikt in {view.school_year}"))
if view.not_reached.empty:
    st.success("Elke vmbo-school in het register had dit schooljaar een gegeven activiteit.")
else:
    st.caption(md(f"{len(view.not_reached)} van de {view.overview.current.vmbo_schools} "
                  "vmbo-scholen in het register hadden dit schooljaar geen gegeven activiteit."))
    st.dataframe(view.not_reached, hide_index=True, width="stretch")
