"""Bereik (team): import the planning, then per subregion the vmbo schools not reached."""

from __future__ import annotations

import streamlit as st

from geo.output import tables
from geo.text import md
from geo.views import activity_form as form_view
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


# --- one activity by hand (staff with "beheren"): new, edit or delete ---------------------
def activity_form_section(year: str) -> None:
    """The expander "Eén activiteit invoeren of wijzigen" for ``year``."""
    choices = form_view.activity_form(store, school_year=year, reference=reference)
    flash = st.session_state.pop(Keys.ACTIVITY_FLASH, None)
    if flash is not None:
        getattr(st, flash.kind)(flash.text)
    if st.session_state.get(Keys.ACTIVITY_CHOICE) not in choices.activities:
        st.session_state[Keys.ACTIVITY_CHOICE] = form_view.NEW_ACTIVITY
    chosen = st.selectbox("Activiteit", list(choices.activities),
                          format_func=lambda i: choices.activities.get(int(i), str(i)),
                          key=Keys.ACTIVITY_CHOICE)
    current = form_view.current_activity(store, chosen)
    versions = st.session_state.setdefault(Keys.ACTIVITY_VERSIONS, {})
    if chosen != form_view.NEW_ACTIVITY:
        versions.setdefault(int(chosen), current["versie"])
    form_key = f"bereik_activiteit_{chosen}_{st.session_state.get(Keys.ACTIVITY_ROUND, 0)}"
    values: dict = {}
    with st.form(key=form_key):
        left, right = st.columns(2)
        values["soort"] = left.selectbox(
            "Soort activiteit", list(choices.kinds), format_func=choices.kinds.get,
            index=list(choices.kinds).index(current["soort"])
            if current["soort"] in choices.kinds else 0, key=f"{form_key}_soort")
        values["datum"] = right.date_input("Datum", value=current["datum"],
                                           format="DD-MM-YYYY", key=f"{form_key}_datum")
        school_codes = list(choices.schools)
        values["vestigingscode"] = st.selectbox(
            "School", school_codes, format_func=choices.schools.get,
            index=school_codes.index(current["vestigingscode"])
            if current["vestigingscode"] in choices.schools else 0, key=f"{form_key}_school")
        st.caption("Geen school? Vul dan de plaats en de gemeente in.")
        left, right = st.columns(2)
        values["plaats"] = left.text_input("Plaats", current["plaats"] if not
                                           current["vestigingscode"] else "",
                                           key=f"{form_key}_plaats")
        towns = list(choices.municipalities)
        values["gemeentecode"] = right.selectbox(
            "Gemeente", towns, format_func=choices.municipalities.get,
            index=towns.index(current["gemeentecode"])
            if current["gemeentecode"] in choices.municipalities and
            not current["vestigingscode"] else 0, key=f"{form_key}_gemeente")
        values["partners"] = st.multiselect(
            "Partners", list(choices.partners), format_func=choices.partners.get,
            default=[i for i in current["partners"] if i in choices.partners],
            key=f"{form_key}_partners")
        left, right = st.columns(2)
        values["aantal_leerlingen"] = left.number_input(
            "Aantal leerlingen", min_value=0, step=1, value=current["aantal_leerlingen"],
            key=f"{form_key}_leerlingen")
        statuses = list(choices.statuses)
        values["status"] = right.selectbox(
            "Status", statuses, format_func=choices.statuses.get,
            index=statuses.index(current["status"]) if current["status"] in statuses else 0,
            key=f"{form_key}_status")
        st.caption("Alleen zichtbaar voor het team en het bestuur:")
        values["gastdocenten"] = st.text_area("Gastdocenten", current["gastdocenten"],
                                              key=f"{form_key}_gastdocenten")
        values["notities"] = st.text_area("Notities", current["notities"],
                                          key=f"{form_key}_notities")
        submitted = st.form_submit_button("Opslaan", type="primary",
                                          key=f"{form_key}_opslaan")
    if submitted and permitted("beheren"):
        message, saved_id = form_view.save_activity(
            store, values, activity_id=chosen or None,
            version=versions.get(int(chosen)) if chosen else None,
            user=current_user(), role=current_role())
        if saved_id is None:
            getattr(st, message.kind)(message.text)
            if chosen and versions.get(int(chosen)) != current["versie"]:  # a conflict:
                versions.pop(int(chosen), None)  # the next run shows the newest version
                st.session_state[Keys.ACTIVITY_ROUND] = (
                    st.session_state.get(Keys.ACTIVITY_ROUND, 0) + 1)
        else:
            versions.pop(int(saved_id), None)
            st.session_state[Keys.ACTIVITY_FLASH] = message
            st.session_state[Keys.ACTIVITY_ROUND] = (
                st.session_state.get(Keys.ACTIVITY_ROUND, 0) + 1)
            st.rerun()
    if chosen != form_view.NEW_ACTIVITY:
        sure = st.checkbox("Ja, deze activiteit verwijderen", key=f"{form_key}_zeker")
        if st.button("Verwijderen", key=f"{form_key}_verwijderen") and permitted("beheren"):
            message = form_view.delete_activity(store, chosen, confirmed=sure,
                                                user=current_user(), role=current_role())
            if message.kind != "success":
                getattr(st, message.kind)(message.text)
            else:
                versions.pop(int(chosen), None)
                st.session_state[Keys.ACTIVITY_FLASH] = message
                st.session_state.pop(Keys.ACTIVITY_CHOICE, None)
                st.rerun()


if can("beheren"):
    with st.expander("Eén activiteit invoeren of wijzigen"):
        st.caption(f"Een activiteit van schooljaar {year} toevoegen, wijzigen of "
                   "verwijderen. Een nieuwe activiteit komt in het schooljaar van haar datum.")
        activity_form_section(year)
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
