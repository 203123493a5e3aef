"""Keten: PO events → VO activities → mbo infra inflow per unit, and where inflow stops."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.analysis.chain import CLASS_NOTES_NL, CLASSES
from geo.output import tables
from geo.reference.levels import LEVEL_LABELS, LEVELS
from geo.settings import DEFAULTS
from geo.text import count_noun, md
from geo.views.keten import chain_view, school_years
from pages._shared import (
    can,
    current_division,
    get_reference,
    get_store,
    show_map,
    through_router,
)

through_router()

st.title("Keten")
st.caption(
    "Van primair onderwijs naar mbo infra, per gebied en schooljaar (1 augustus tot en met "
    "31 juli): de gegeven PET-events, de activiteiten op middelbare scholen, de bereikte "
    "vmbo-scholen, partners, de reistijd naar mbo infra en de instroom in mbo infra per "
    "1.000 jongeren — en waar de instroom stopt. Hetzelfde kan met `infrakaart keten`."
)

if not can("keten_bekijken"):
    st.error(
        "Deze pagina is alleen voor het bestuur en het operationele team. Log in om de keten "
        "te zien."
    )
    st.stop()

store = get_store()
reference = get_reference()
division = current_division()

years, first = school_years(store, date.today())
left, right = st.columns(2)
year = left.selectbox("Schooljaar", years, index=years.index(first), key="keten_schooljaar")
level = right.selectbox("Niveau", LEVELS, index=LEVELS.index(DEFAULTS.level),
                        format_func=LEVEL_LABELS.get, key="keten_niveau")
view = chain_view(store, reference=reference, division=division, level=level,
                  school_year=year)

st.subheader(md(view.title))
for text in view.caveats:
    st.info(md(text))

show_map(view.map(reference=reference, division=division,
                  mbo=store.places.all(active_only=True)), key="keten_kaart")
st.caption(md(" · ".join(f"{label}: {count_noun(n, 'gebied', 'gebieden')}"
                         for _, label, n in view.classes)))

st.dataframe(view.shown, hide_index=True, width="stretch")
for note in view.notes:
    st.caption(md(note))

with st.expander("Wat betekenen de klassen?"):
    for code, label in CLASSES.items():
        st.markdown(f"**{md(label)}** — {md(CLASS_NOTES_NL[code])}")

down_left, down_right = st.columns(2)
for column, xlsx, label in ((down_left, True, "Download als Excel (met uitleg)"),
                            (down_right, False, "Download als CSV")):
    column.download_button(label, data=view.file_bytes(xlsx=xlsx),
                           file_name=view.file_name(xlsx=xlsx),
                           mime=tables.XLSX_MIME if xlsx else tables.CSV_MIME,
                           key=f"keten_download_{'xlsx' if xlsx else 'csv'}")

st.caption(
    "Instroomcijfers komen in het register met `infrakaart instroom import BESTAND` (op de "
    "server, door het team); activiteiten met `infrakaart activiteiten import BESTAND`."
)
