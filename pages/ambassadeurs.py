"""Ambassadeurs: the board's planner — which partners reach the most (vmbo) schools."""

from __future__ import annotations

import streamlit as st

from geo.errors import InfrakaartError
from geo.fields import kind_codes
from geo.output import tables
from geo.settings import DEFAULTS
from geo.text import md
from geo.views import ambassadeurs as view_module
from geo.views.ambassadeurs import PlannerChoices, PlannerSteps, first_k, planner_view
from pages._shared import (
    Keys,
    can,
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
    upload_division_widget,
)

through_router()

#: Session-state keys of this page.

NUMBER_COLUMNS = {
    "scholen_bereik": st.column_config.NumberColumn("scholen binnen bereik", format="%d"),
    "vmbo_scholen_bereik": st.column_config.NumberColumn("vmbo-scholen binnen bereik",
                                                         format="%d"),
    "gewogen_bereik": st.column_config.NumberColumn("gewogen bereik", format="%.1f"),
    "extra_gedekt": st.column_config.NumberColumn(
        "alleen door deze", format="%d",
        help="Scholen die geen andere gekozen ambassadeur bereikt.",
    ),
    "dekking_pct": st.column_config.NumberColumn("dekking %", format="%.1f"),
    "vmbo_dekking_pct": st.column_config.NumberColumn("vmbo-dekking %", format="%.1f"),
}

# Only public partner columns reach these caches (the view selects them).
STEPS = PlannerSteps(
    coverage=st.cache_data(show_spinner="Bereik van de partners berekenen…",
                           max_entries=32)(view_module.compute_coverage),
    plans=st.cache_data(show_spinner="De beste keuze berekenen…", max_entries=32)(
        view_module.compute_plans),
    comparison=st.cache_data(show_spinner="Huidige ambassadeurs vergelijken…",
                             max_entries=32)(view_module.compute_comparison),
)
_curve = st.cache_data(show_spinner="Beste keuze en snelle benadering voor elke k…",
                       max_entries=16)(view_module.compute_curve)


st.title("Ambassadeurs")
st.caption(
    "Welke partners bereiken binnen een straal de meeste middelbare scholen, met vmbo-scholen "
    "zwaarder meegeteld? De planner zoekt de beste keuze van k ambassadeurs (exact "
    "berekend) en zet die naast de huidige ambassadeurs. Afstanden zijn hemelsbreed."
)

if not can("ambassadeurs_bekijken"):
    st.error(
        "Deze pagina is alleen voor het bestuur en het operationele team. Log in om "
        "ambassadeurs te plannen."
    )
    st.stop()

if Keys.AMBASSADORS_MESSAGE in st.session_state:
    st.success(md(st.session_state.pop(Keys.AMBASSADORS_MESSAGE)))

with st.sidebar:
    upload_division_widget()

reference = get_reference()
division = current_division()
store = get_store()

with st.container(border=True):
    left, middle, right = st.columns(3)
    k = left.slider("Aantal ambassadeurs (k)", min_value=1, max_value=30,
                    value=first_k(division), key="amb_k")
    radius_km = middle.slider("Straal (km, hemelsbreed)", min_value=2, max_value=30,
                              value=round(DEFAULTS.radius_km), key="amb_straal")
    vmbo_weight = right.slider(
        "Gewicht vmbo-school", min_value=1.0, max_value=5.0, value=DEFAULTS.vmbo_weight,
        step=0.5, key="amb_gewicht",
        help="Een school met vmbo telt zo zwaar; andere scholen tellen 1.",
    )
    left, right = st.columns([1, 2])
    per_subregion = left.checkbox("Minstens één per subregio", value=True, key="amb_per_sub")
    kinds = right.multiselect(
        "Soorten partners die ambassadeur kunnen zijn", kind_codes(), default=list(kind_codes()),
        key="amb_soorten",
    )

# The planner needs public fields only; personal data never enters its caches.
schools = store.schools()
view = planner_view(
    store.organisations(include_personal=False), schools, division=division,
    reference=reference, steps=STEPS,
    choices=PlannerChoices(k=int(k), radius_km=radius_km, vmbo_weight=vmbo_weight,
                           per_subregion=per_subregion, kinds=kinds),
)
st.caption(view.summary)
if view.example_notice:
    st.info(view.example_notice)
if view.no_candidates:
    st.warning(view.no_candidates)
    st.stop()

# --- candidates per subregion ------------------------------------------------------------
st.subheader("Kandidaten per subregio")
for label, group in view.ranking:
    with st.expander(label):
        if group is None:
            st.caption("Geen kandidaten in deze subregio.")
        else:
            st.dataframe(group, hide_index=True, width="stretch", column_config=NUMBER_COLUMNS)

# --- the proposal ------------------------------------------------------------------------
st.subheader("Voorstel")
if view.plan_error:
    st.warning(view.plan_error)
    st.stop()

for note in view.notes:
    st.info(note)
for column, (label, value, delta, help_text) in zip(st.columns(4), view.metrics,
                                                    strict=True):
    column.metric(label, value, delta=delta, help=help_text)
st.caption(view.status)

show_map(view.fmap, height=560, key="amb_kaart")
show_attribution()

st.markdown("**Gekozen ambassadeurs**")
st.dataframe(view.chosen, hide_index=True, width="stretch", column_config=NUMBER_COLUMNS)
st.markdown("**Even goede keuzes**")
st.write(view.ties_text)
if view.ties_table is not None:
    st.dataframe(view.ties_table, hide_index=True, width="stretch")
st.markdown("**Dekking per subregio**")
st.dataframe(view.per_subregion, hide_index=True, width="stretch",
             column_config=NUMBER_COLUMNS)

# --- current ambassadors -----------------------------------------------------------------
st.subheader("Huidige ambassadeurs")
if view.current.message:
    st.info(view.current.message)
else:
    st.write(view.current.text)
    st.dataframe(view.current.table, hide_index=True, width="stretch",
                 column_config=NUMBER_COLUMNS)
    if view.current.per_subregion is not None:
        st.markdown("**Per subregio: de huidige ambassadeurs naast de beste partners van "
                    "dezelfde subregio**")
        st.dataframe(view.current.per_subregion, hide_index=True, width="stretch",
                     column_config=NUMBER_COLUMNS)
    for note in view.current.notes:
        st.caption(note)

# --- greedy versus optimum ---------------------------------------------------------------
with st.expander("Beste keuze naast de snelle benadering, voor k = 1 … 20"):
    st.caption(
        "De snelle benadering kiest steeds de partner die het meeste toevoegt; de beste keuze "
        "kijkt naar de hele set. Het verschil laat zien wat exact rekenen oplevert."
    )
    if st.toggle("Bereken de vergelijking", key=Keys.AMBASSADORS_CURVE):
        curve = _curve(view.candidates, schools, float(radius_km), float(vmbo_weight),
                       division.name, division.table, view.curve_ks)
        st.line_chart(curve.set_index("k")[["beste keuze", "snelle benadering"]],
                      x_label="k", y_label="gewogen dekking")
        st.dataframe(curve, hide_index=True, width="stretch")

# --- mark in the register ----------------------------------------------------------------
st.subheader("Vastleggen in het register")
st.caption("Markeer de gekozen partners als ambassadeur voor hun subregio. De wijziging komt op "
           f"naam van {md(current_user())} in de wijzigingsgeschiedenis.")
may_mark = can("ambassadeurs_markeren")
clear_others = st.checkbox(
    "Huidige ambassadeurs die niet in het voorstel staan uitzetten", value=False,
    key="amb_uitzetten", disabled=not may_mark,
)
if not may_mark:
    st.caption("Alleen het bestuur legt ambassadeurs vast.")
if (st.button("Markeer gekozen partners als ambassadeur", type="primary", key="amb_markeer",
              disabled=not may_mark) and permitted("ambassadeurs_markeren")):
    try:  # the store checks the role again for every change
        st.session_state[Keys.AMBASSADORS_MESSAGE] = view_module.mark_ambassadors(
            store, view.plan, view.current_ids, clear_others=clear_others,
            user=current_user(), role=current_role())
        st.rerun()
    except InfrakaartError as err:  # StoreError, or AuthError from the store's own check
        st.error(md(err))

st.markdown("**Eén partner aan- of uitzetten**")
options = {option.id: option for option in view.mark_options}
picked = st.selectbox(
    "Partner", list(options), format_func=lambda oid: options[oid].label, index=None,
    placeholder="Kies een partner", key="amb_een_partner", disabled=not may_mark,
)
one = options.get(picked)
if one is not None:
    st.caption(f"Wordt ambassadeur voor de subregio waar de partner ligt: {md(one.subregion)}.")
left, right = st.columns(2)
mark_clicked = left.button("Markeer als ambassadeur", key="amb_een_markeer",
                           disabled=not may_mark or one is None or one.marked_for is not None)
unmark_clicked = right.button("Zet uit als ambassadeur", key="amb_een_uitzetten",
                              disabled=not may_mark or one is None or one.marked_for is None)
if (mark_clicked or unmark_clicked) and one is not None and permitted("ambassadeurs_markeren"):
    try:  # the store checks the role and the version again
        st.session_state[Keys.AMBASSADORS_MESSAGE] = view_module.mark_one(
            store, one, mark=mark_clicked, user=current_user(), role=current_role())
        st.rerun()
    except InfrakaartError as err:  # ConflictError, StoreError or AuthError
        st.error(md(err))

# --- downloads ---------------------------------------------------------------------------
st.subheader("Voor het bestuur")
d1, d2, d3, d4 = st.columns(4)
d1.download_button(
    "Excel (keuze en dekking)", lambda: view_module.excel_bytes(view),
    file_name=f"{view.file_stem}.xlsx", on_click="ignore", key="amb_excel",
    mime=tables.XLSX_MIME,
)
d2.download_button(
    "Kaart (HTML)",
    lambda: view_module.html_bytes(view, reference=reference,
                                   static_dir=get_settings().static_dir),
    file_name=f"{view.file_stem}.html", mime="text/html", on_click="ignore", key="amb_html")
d4.download_button("Keuze (CSV)", lambda: view_module.csv_bytes(view),
                   file_name=f"{view.file_stem}.csv", mime="text/csv", on_click="ignore",
                   key="amb_csv")
d3.download_button("Afbeelding (PNG)", lambda: view_module.png_bytes(view, reference=reference),
                   file_name=f"{view.file_stem}.png", mime="image/png", on_click="ignore",
                   key="amb_png")
st.caption("De exports bevatten alleen openbare gegevens van partners (geen contactpersonen).")
