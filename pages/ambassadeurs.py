"""Ambassadeurs: the board's planner — which partners reach the most (vmbo) schools."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis import coverage as amb_coverage
from geo.analysis import plans as amb
from geo.errors import InfrakaartError
from geo.output import plans as amb_output
from geo.output import tables
from geo.output.assets import standalone_html
from geo.reference.data import Division
from geo.register.store import SOORTEN
from geo.settings import DEFAULTS
from geo.text import md
from pages._shared import (
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
MESSAGE_KEY = "ambassadeurs_melding"
CURVE_KEY = "ambassadeurs_curve"

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


def _division_args(division: Division) -> tuple[str, pd.DataFrame]:
    return division.name, division.table


@st.cache_data(show_spinner="Bereik van de partners berekenen…", max_entries=32)
def _coverage(partners: pd.DataFrame, schools: pd.DataFrame, radius_km: float,
              vmbo_weight: float, division_name: str, division_table: pd.DataFrame
              ) -> amb_coverage.Coverage:
    # Only public partner columns reach this cache (see the caller).
    return amb_coverage.coverage(partners, schools, radius_km=radius_km, vmbo_weight=vmbo_weight,
                        division=Division(division_name, division_table))


@st.cache_data(show_spinner="Optimaliseren…", max_entries=32)
def _plans(partners, schools, radius_km, vmbo_weight, division_name, division_table, k,
           per_subregion) -> tuple[amb.AmbassadorPlan, amb.AmbassadorPlan]:
    cov = _coverage(partners, schools, radius_km, vmbo_weight, division_name, division_table)
    return (amb.optimal_plan(cov, k=k, per_subregion=per_subregion),
            amb.greedy_plan(cov, k=k, per_subregion=per_subregion))


@st.cache_data(show_spinner="Huidige ambassadeurs vergelijken…", max_entries=32)
def _comparison(partners, schools, radius_km, vmbo_weight, division_name, division_table,
                current_ids: tuple, per_subregion: bool) -> amb.Comparison:
    cov = _coverage(partners, schools, radius_km, vmbo_weight, division_name, division_table)
    return amb.evaluate(current_ids, None, None, cov=cov, per_subregion=per_subregion)


@st.cache_data(show_spinner="Greedy en optimum voor elke k berekenen…", max_entries=16)
def _curve(partners, schools, radius_km, vmbo_weight, division_name, division_table,
           ks: tuple[int, ...]) -> pd.DataFrame:
    cov = _coverage(partners, schools, radius_km, vmbo_weight, division_name, division_table)
    return amb.coverage_curve(cov, ks)


st.title("Ambassadeurs")
st.caption(
    "Welke partners bereiken binnen een straal de meeste middelbare scholen, met vmbo-scholen "
    "zwaarder meegeteld? Kies k ambassadeurs met de optimalisatie (maximal covering location "
    "problem) en vergelijk met de huidige ambassadeurs. Afstanden zijn hemelsbreed."
)

if not can("ambassadeurs_bekijken"):
    st.error(
        "Deze pagina is alleen voor het bestuur en het operationele team. Log in om "
        "ambassadeurs te plannen."
    )
    st.stop()

if MESSAGE_KEY in st.session_state:
    st.success(md(st.session_state.pop(MESSAGE_KEY)))

with st.sidebar:
    upload_division_widget()

reference = get_reference()
division = current_division()
store = get_store()
# The planner needs public fields only; personal data never enters its caches.
all_partners = store.organisations(include_personal=False)
schools = store.schools()

with st.container(border=True):
    left, middle, right = st.columns(3)
    n_sub = len(division.subregions)
    k = left.slider("Aantal ambassadeurs (k)", min_value=1, max_value=30, value=n_sub,
                    key="amb_k")
    radius_km = middle.slider("Straal (km, hemelsbreed)", min_value=2, max_value=30, value=10,
                              key="amb_straal")
    vmbo_weight = right.slider(
        "Gewicht vmbo-school", min_value=1.0, max_value=5.0, value=DEFAULTS.vmbo_weight,
        step=0.5, key="amb_gewicht",
        help="Een school met vmbo telt zo zwaar; andere scholen tellen 1.",
    )
    left, right = st.columns([1, 2])
    per_subregion = left.checkbox("Minstens één per subregio", value=True, key="amb_per_sub")
    soorten = right.multiselect(
        "Soorten partners die ambassadeur kunnen zijn", SOORTEN, default=list(SOORTEN),
        key="amb_soorten",
    )

partners = all_partners[all_partners["soort"].isin(soorten)]
partners = partners[[c for c in amb_coverage.PUBLIC_PARTNER_COLUMNS if c in partners.columns]]
args = (partners, schools, float(radius_km), float(vmbo_weight), *_division_args(division))

cov = _coverage(*args)
st.caption(
    f"{cov.n_partners} kandidaten (actieve partners met een locatie in het werkgebied) · "
    f"{len(cov.schools)} scholen, waarvan {int(cov.schools['heeft_vmbo'].sum())} met vmbo · "
    f"indeling: {division.name}"
)
if "voorbeeld" in partners.columns and partners["voorbeeld"].fillna(False).astype(bool).any():
    st.info("Let op: het register bevat voorbeeldpartners (fictief). Het voorstel is dan ook "
            "een voorbeeld.")
if cov.n_partners == 0:
    st.warning("Er zijn geen kandidaat-partners: voeg partners met een adres toe in het register "
               "of kies meer soorten.")
    st.stop()

# --- candidates per subregion ------------------------------------------------------------
st.subheader("Kandidaten per subregio")
ranking = amb_coverage.rank_candidates(None, None, cov=cov)
for sub in division.subregions:
    group = ranking[ranking["subregio"] == sub]
    with st.expander(f"{md(sub)} — {len(group)} kandidaat/kandidaten"):
        if group.empty:
            st.caption("Geen kandidaten in deze subregio.")
        else:
            st.dataframe(
                group[["rang", "naam", "soort", "plaats", "scholen_bereik",
                       "vmbo_scholen_bereik", "gewogen_bereik", "ambassadeur_voor"]],
                hide_index=True, width="stretch", column_config=NUMBER_COLUMNS,
            )

# --- the proposal ------------------------------------------------------------------------
st.subheader("Voorstel")
try:
    plan, quick = _plans(*args, int(k), bool(per_subregion))
except InfrakaartError as err:
    st.warning(md(err))
    st.stop()

for note in plan.notes:
    st.info(md(note))
c1, c2, c3, c4 = st.columns(4)
c1.metric("Scholen bereikt", f"{plan.schools_covered} van {plan.schools_total}")
c2.metric("Vmbo-scholen bereikt", f"{plan.vmbo_covered} van {plan.vmbo_total}")
c3.metric("Gewogen dekking", f"{plan.coverage_share:.0%}",
          help=f"{plan.weighted_coverage:g} van {plan.weighted_total:g}")
c4.metric("Greedy haalt", f"{quick.coverage_share:.0%}",
          delta=f"{quick.weighted_coverage - plan.weighted_coverage:g} gewogen",
          help="De eenvoudige keuze 'steeds de partner die het meest toevoegt'.")
st.caption(f"Status: {plan.status} · berekend in {plan.solve_seconds:.2f} s")

show_map(amb_output.plan_map(plan, reference=reference), height=560, key="amb_kaart")
show_attribution()

st.markdown("**Gekozen ambassadeurs**")
st.dataframe(amb_output.choice_table(plan), hide_index=True, width="stretch",
             column_config=NUMBER_COLUMNS)
st.markdown("**Dekking per subregio**")
st.dataframe(amb_output.subregion_table(plan), hide_index=True, width="stretch",
             column_config=NUMBER_COLUMNS)

# --- current ambassadors -----------------------------------------------------------------
st.subheader("Huidige ambassadeurs")
current_ids = tuple(amb_coverage.current_ambassador_ids(all_partners))
comparison = None
if not current_ids:
    st.info("In het register is nog geen partner als ambassadeur gemarkeerd.")
else:
    try:
        comparison = _comparison(*args, current_ids, bool(per_subregion))
    except InfrakaartError as err:
        st.info(md(err))
    if comparison is not None:
        cur, best = comparison.current, comparison.optimum
        st.write(
            f"De {cur.k} huidige ambassadeur(s) bereiken **{cur.schools_covered}** scholen "
            f"({cur.vmbo_covered} vmbo). Met {best.k} goed gekozen ambassadeurs"
            + (" (minstens één per subregio)" if best.at_least_one_per_subregion else "")
            + " kan dat "
            f"**{best.schools_covered}** ({best.vmbo_covered} vmbo): de huidige keuze haalt "
            f"{comparison.ratio:.0%} van het optimum (gewogen)."
        )
        st.dataframe(comparison.table(), hide_index=True, width="stretch",
                     column_config=NUMBER_COLUMNS)
        for note in cur.notes + best.notes:
            st.caption(md(note))

# --- greedy versus optimum ---------------------------------------------------------------
with st.expander("Greedy versus optimum voor k = 1 … 20"):
    st.caption(
        "Greedy kiest steeds de partner die het meeste toevoegt; de optimalisatie kijkt naar de "
        "hele set. Het verschil laat zien wat de optimalisatie oplevert."
    )
    if st.toggle("Bereken de vergelijking", key=CURVE_KEY):
        ks = tuple(range(1, min(20, cov.n_partners) + 1))
        curve = _curve(*args, ks)
        st.line_chart(curve.set_index("k")[["optimaal", "greedy"]], x_label="k",
                      y_label="gewogen dekking")
        st.dataframe(curve, hide_index=True, width="stretch")

# --- mark in the register ----------------------------------------------------------------
st.subheader("Vastleggen in het register")
st.caption("Markeer de gekozen partners als ambassadeur voor hun subregio. De wijziging komt op "
           f"naam van {current_user()} in de wijzigingsgeschiedenis.")
may_mark = can("ambassadeurs_markeren")
clear_others = st.checkbox(
    "Huidige ambassadeurs die niet in het voorstel staan uitzetten", value=False,
    key="amb_uitzetten", disabled=not may_mark,
)
if not may_mark:
    st.caption("Alleen het bestuur legt ambassadeurs vast.")
if (st.button("Markeer gekozen partners als ambassadeur", type="primary", key="amb_markeer",
              disabled=not may_mark) and permitted("ambassadeurs_markeren")):
    role = current_role()  # the store checks it again for every change
    try:
        chosen = list(zip(plan.chosen["id"], plan.chosen["subregio"], strict=True))
        for org_id, sub in chosen:
            store.set_ambassador(int(org_id), sub, user=current_user(), role=role)
        dropped = 0
        if clear_others:
            keep = {int(i) for i in plan.chosen_ids}
            for org_id in current_ids:
                if int(org_id) not in keep:
                    store.set_ambassador(int(org_id), None, user=current_user(), role=role)
                    dropped += 1
        message = f"{len(chosen)} partner(s) gemarkeerd als ambassadeur."
        if dropped:
            message += f" {dropped} eerdere ambassadeur(s) uitgezet."
        st.session_state[MESSAGE_KEY] = message
        st.rerun()
    except InfrakaartError as err:  # StoreError, or AuthError from the store's own check
        st.error(md(err))

# --- downloads ---------------------------------------------------------------------------
st.subheader("Voor het bestuur")
stem = f"ambassadeurs_k{plan.k}_{int(radius_km)}km"


def _html_map() -> bytes:
    try:
        return standalone_html(amb_output.plan_map(plan, reference=reference),
                               get_settings().static_dir).encode("utf-8")
    except RuntimeError as err:  # local Leaflet files missing
        return f"<p>{err}</p>".encode()


d1, d2, d3 = st.columns(3)
d1.download_button(
    "Excel (keuze en dekking)",
    lambda: tables.xlsx_bytes(amb_output.plan_sheets(plan, comparison=comparison)),
    file_name=f"{stem}.xlsx", on_click="ignore", key="amb_excel", mime=tables.XLSX_MIME,
)
d2.download_button("Kaart (HTML)", _html_map, file_name=f"{stem}.html", mime="text/html",
                   on_click="ignore", key="amb_html")
d3.download_button("Afbeelding (PNG)", lambda: amb_output.plan_image(plan, reference=reference),
                   file_name=f"{stem}.png", mime="image/png", on_click="ignore",
                   key="amb_png")
st.caption("De exports bevatten alleen openbare gegevens van partners (geen contactpersonen).")
