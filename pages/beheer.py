"""Beheer (staff only): import, review, edit, history and export of the partner register.

Widgets in, :mod:`geo.views.beheer` out: the decisions (what to import, when to place an
edited organisation again, what to say) are made there and tested with plain pytest.
"""

from __future__ import annotations

import streamlit as st

from geo import auth, fields
from geo.errors import InfrakaartError
from geo.intake.geocoding import make_geocoder
from geo.intake.records import preview_table, suggestion_choices
from geo.intake.verdicts import count_statuses
from geo.output.export import EXPORT_FORMATS, MIME_TYPES, export_bytes, export_filename
from geo.output.maps import add_point, base_map, finish_map
from geo.text import md
from geo.views import beheer as view
from geo.views import education as places_view
from geo.views import import_columns as columns_view
from geo.views import review
from pages._shared import (
    Keys,
    MapSearch,
    can,
    colour_rows,
    current_role,
    current_user,
    get_gazetteer,
    get_reference,
    get_settings,
    get_store,
    permitted,
    show_map,
    through_router,
)

through_router()


def new_geocoder(*, offline: bool):
    """A geocoder for one use in this run; the view closes it. Never kept in the session."""
    return make_geocoder(get_settings(), get_gazetteer(), offline=offline)


def show(message: view.Message | None, where=st) -> None:
    if message is not None:
        getattr(where, message.kind)(message.text)


def flash(*messages: view.Message) -> None:
    """Show ``messages`` after the rerun that refreshes the lists."""
    st.session_state.setdefault(Keys.FLASH, []).extend(messages)


def show_flashes() -> None:
    for message in st.session_state.pop(Keys.FLASH, []):
        show(message)


def save_location(org: dict, lat: float, lon: float, how: str, *,
                  next_id: int | None) -> None:
    """Save a hand-picked location; on success go on with ``next_id`` in the queue."""
    if not permitted("beheren"):
        return
    message = review.save_location(get_store(), org, lat, lon, how, user=current_user())
    if message.kind == "error":
        show(message)
        return
    st.session_state.get(Keys.CANDIDATES, {}).pop(int(org["id"]), None)
    flash(message)
    go_to_next(next_id)
    st.rerun()


# ------------------------------------------------------------------------------ page

st.title("Beheer")
# The role may manage the register (and with it see personal fields: geo.auth's table
# grants "contactgegevens_zien" to every role that may "beheren"; a test keeps it so).
if not can("beheren"):
    st.warning(
        "Deze pagina is alleen voor het operationele team en het bestuur. Log in via "
        "'Inloggen' om partners te importeren, te controleren en te bewerken."
    )
    st.stop()

store = get_store()
user = current_user()
role = current_role()
settings = get_settings()
show_flashes()

notice = view.example_notice(store)
if notice:
    box = st.container(border=True)
    box.info(notice)
    if (box.button("Voorbeeldgegevens verwijderen", key="beheer_voorbeeld_weg")
            and permitted("beheren")):
        message = view.remove_examples(store, user=user)
        if message.kind == "error":
            show(message, box)
        else:
            flash(message)
            st.rerun()

tab_import, tab_review, tab_edit, tab_places, tab_history, tab_export = st.tabs(
    ["Importeren", "Controleren", "Bewerken", "Opleidingslocaties", "Historie", "Exporteren"],
    key="beheer_tabblad", on_change="rerun",  # a rerun (a save) stays on the same tab
)

# ------------------------------------------------------------------------------ import
with tab_import:
    st.caption(
        "Upload een Excel- (.xlsx) of CSV-bestand. Elke rij krijgt eerst een oordeel "
        "(ok, waarschuwing of fout); pas na 'Importeren' wordt er iets opgeslagen. Een "
        "organisatie die al in het register staat (zelfde naam en postcode) wordt bijgewerkt."
    )
    # Filled at the end of the tab: a new upload in this run drops the last import's outcome.
    outcome_box = st.container()
    left, right = st.columns(2)
    kind = left.radio("Wat staat er in het bestand?", list(view.IMPORT_KINDS), horizontal=True,
                      format_func=view.IMPORT_KINDS.get, key="beheer_import_soort")
    offline = right.toggle(
        "Offline plaatsen (zonder PDOK)", value=settings.offline, key="beheer_import_offline",
        help="Zonder PDOK: plaatsen op de vier cijfers van de postcode of op plaatsnaam.",
    )
    may_import = can("importeren")
    if not may_import:
        st.info(auth.NO_ACCESS_MESSAGE)
    upload = st.file_uploader("Bestand (Excel of CSV)",
                              type=["xlsx", "xlsm", "xls", "csv", "txt", "tsv"],
                              key="beheer_upload", disabled=not may_import)
    if upload is None:
        for key in (Keys.IMPORT, Keys.IMPORT_COLUMNS):
            st.session_state.pop(key, None)
    else:
        picked = columns_view.picked_for(st.session_state.get(Keys.IMPORT_COLUMNS),
                                         upload.file_id)
        mapping = columns_view.combined(store.column_mappings.mapping(), picked)
        run_id = columns_view.run_id(upload.file_id, kind, offline, mapping)
        state: view.ImportState | None = st.session_state.get(Keys.IMPORT)
        if state is None or state.run_id != run_id:
            for key in (Keys.IMPORT_SUMMARY, Keys.IMPORT_CONFLICTS):
                st.session_state.pop(key, None)
            state, problem = view.start_import(run_id, upload.getvalue(), upload.name,
                                               kind=kind, settings=settings, mapping=mapping)
            show(problem)
            st.session_state[Keys.IMPORT] = state
        run = state.run
        step = None if run is None else columns_view.mapping_step(run.table, picked, kind=kind,
                                                                  round_id=run_id)
        if step is not None:
            st.write(view.describe_upload(run))
            st.caption(step.columns)
            if step.ignored:
                st.caption(step.ignored)
            if step.missing_name:
                st.error(step.missing_name)
            if step.intro:
                st.warning(step.intro)
            values = {choice.key: st.selectbox(
                choice.label, choice.options, index=choice.index, key=choice.widget_key,
                format_func=columns_view.option_label, disabled=not may_import)
                for choice in step.choices}
            chosen_now = columns_view.picked_from(step.choices, values)
            if chosen_now != picked:  # read the file again with the new mapping
                st.session_state[Keys.IMPORT_COLUMNS] = (upload.file_id, chosen_now)
                st.rerun()
        if step is not None and not step.missing_name:
            existing = store.schools() if kind == "scholen" else store.organisations()
            proceed = run.complete
            if not run.complete:
                started = run.done > 0
                proceed = (st.button("Verder controleren", key="beheer_verder") if started
                           else True)
                st.button("Stoppen", key="beheer_stop",
                          help="Onderbreekt het controleren; wat klaar is blijft bewaard.")
                if started and not proceed:
                    st.info(f"{run.done} van {run.total} rijen gecontroleerd; klik 'Verder "
                            "controleren' om door te gaan.")
            bar = st.progress(0.0, text="Rijen controleren…") if not run.complete and (
                proceed) else None
            verdicts = view.check_import(
                state, geocoder_factory=new_geocoder, offline=offline,
                reference=get_reference(), existing=existing, proceed=proceed,
                progress=None if bar is None else lambda done, total: bar.progress(
                    done / max(total, 1), text=f"Rij {done} van {total} gecontroleerd…"))
            if bar is not None:
                bar.empty()
            if verdicts:
                counts = count_statuses(verdicts)
                a, b, c, d = st.columns(4)
                a.metric("ok", counts["ok"])
                b.metric("waarschuwing", counts["waarschuwing"])
                c.metric("fout", counts["fout"])
                how_placed, warning = view.placement(state, offline=offline)
                d.metric("plaatsing", how_placed)
                show(warning)
                st.dataframe(colour_rows(preview_table(verdicts, kind=kind,
                                                       fields=run.table.fields)),
                             hide_index=True, width="stretch")
                choices = suggestion_choices(verdicts)
                if choices and run.complete:
                    chosen = st.multiselect(
                        "Voorstellen aannemen voor", list(choices), format_func=choices.get,
                        key=f"beheer_voorstellen_{len(choices)}",
                        help="Opgeslagen wordt de officiële naam; het origineel blijft in de "
                             "melding van de organisatie.")
                    one, every = st.columns(2)
                    accept_chosen = one.button("Gekozen voorstellen aannemen",
                                               key="beheer_voorstellen_gekozen",
                                               disabled=not chosen or not may_import)
                    accept_all = every.button(f"Alle voorstellen aannemen ({len(choices)})",
                                              key="beheer_voorstellen_alle",
                                              disabled=not may_import)
                    if (accept_chosen or accept_all) and permitted("importeren"):
                        _, accepted = view.accept_suggestions(
                            state, None if accept_all else chosen,
                            geocoder_factory=new_geocoder, offline=offline,
                            reference=get_reference(), existing=existing)
                        flash(accepted)
                        st.rerun()
            if run.complete:
                plan = view.plan_import(state, verdicts, role=role, reference=get_reference())
                show(plan.warning)
                st.write(plan.summary)
                remember = bool(picked) and st.checkbox(
                    "Deze kolomkeuzes onthouden voor het volgende bestand", value=True,
                    key="beheer_kolommen_onthouden", disabled=not may_import)
                if (st.button("Importeren", type="primary", key="beheer_importeren",
                              disabled=not may_import) and permitted("importeren")):
                    try:
                        outcome = view.apply_import(store, state, plan.records, user=user,
                                                    role=role)
                    except InfrakaartError as err:
                        st.error(md(f"Er is niets opgeslagen: {err}"))
                    else:
                        st.session_state[Keys.IMPORT_SUMMARY] = outcome.summary
                        st.session_state[Keys.IMPORT_CONFLICTS] = outcome.conflicts
                        remembered = remember and columns_view.remember_choices(
                            store, run.table, picked, user=user, role=role)
                        if remembered:
                            flash(remembered)
                        st.rerun()

    remembered_lines = columns_view.remembered_lines(store)
    if remembered_lines:
        with st.expander(f"Onthouden kolomkoppelingen ({len(remembered_lines)})"):
            st.caption(columns_view.REMEMBERED_CAPTION)
            for line in remembered_lines:
                text, action = st.columns([5, 1])
                text.markdown(line.text)
                if (action.button("Vergeten", key=f"beheer_kolom_vergeten_{line.key}",
                                  disabled=not may_import) and permitted("importeren")):
                    flash(columns_view.forget(store, line.key, role=role))
                    st.rerun()

    summary = st.session_state.get(Keys.IMPORT_SUMMARY)
    if summary:
        outcome_box.success(md(summary))
    conflict_lines = st.session_state.get(Keys.IMPORT_CONFLICTS)
    if conflict_lines:
        outcome_box.warning(view.conflicts_warning(conflict_lines))

# ------------------------------------------------------------------------------ review


def go_to_next(next_id: int | None) -> None:
    """After a save or "Volgende": show ``next_id`` in the review on the next run."""
    if next_id is not None:
        st.session_state[Keys.REVIEW_NEXT] = next_id


with tab_review:
    queue = review.review_section(store)
    if queue.empty:
        st.success(review.EMPTY_QUEUE)
    else:
        st.caption(queue.caption())
        st.dataframe(colour_rows(queue.table()), hide_index=True, width="stretch")
        pending = st.session_state.pop(Keys.REVIEW_NEXT, None)
        if pending in queue.ids:
            st.session_state[Keys.REVIEW_CHOICE] = pending
        chosen_id = st.selectbox("Organisatie", queue.ids,
                                 format_func=lambda i: queue.labels[int(i)],
                                 key=Keys.REVIEW_CHOICE)
        org = queue.record(chosen_id)
        next_id = review.next_after(queue.ids, chosen_id)
        where, skip = st.columns([4, 1])
        where.write(f"{queue.position(chosen_id)}. {review.precision_text(org)}")
        if skip.button("Volgende", key="beheer_controle_volgende_knop",
                       disabled=next_id is None, help="Sla deze over zonder op te slaan."):
            go_to_next(next_id)
            st.rerun()
        if org.get("melding"):
            st.caption(md(org["melding"]))

        st.subheader("1 · Kies een kandidaat van PDOK", divider=False)
        candidates = st.session_state.setdefault(Keys.CANDIDATES, {})
        if st.button("Zoek kandidaten", key="beheer_kandidaten_zoek"):
            candidates[int(chosen_id)], warning = review.find_candidates(
                org, geocoder_factory=new_geocoder)
            show(warning)
        found = candidates.get(int(chosen_id), [])
        if found:
            pick = st.radio(
                "Kandidaten", range(len(found)), key=f"beheer_kandidaat_{chosen_id}",
                format_func=lambda i: md(f"{found[i].label} ({found[i].precision})"),
            )
            if st.button("Deze kandidaat gebruiken", key="beheer_kandidaat_ok"):
                save_location(org, found[pick].lat, found[pick].lon,
                              f"PDOK-kandidaat {found[pick].label}", next_id=next_id)

        st.subheader("2 · Typ coördinaten", divider=False)
        typed = st.text_input("Breedtegraad, lengtegraad", key=f"beheer_coord_{chosen_id}",
                              placeholder="52.6318, 4.7480")
        if st.button("Coördinaten opslaan", key="beheer_coord_ok"):
            point, problem = review.typed_location(typed)
            show(problem)
            if point is not None:
                save_location(org, *point, "coördinaten getypt", next_id=next_id)

        st.subheader("3 · Klik op de kaart", divider=False)
        has_point = review.can_confirm(org)
        # Only on the open tab: a map elsewhere costs time and its first answer reruns the
        # page, which closes any list open on the tab in use.
        if tab_review.open is not False:
            search = MapSearch(f"beheer_kaart_{chosen_id}")  # find the place, then click
            fmap = base_map(center=(org["lat"], org["lon"]) if has_point else None,
                            zoom=14 if has_point else 9, reference=get_reference())
            if has_point:
                add_point(fmap, org["lat"], org["lon"], name="Huidige locatie",
                          tooltip="huidige locatie", color="#d7301f", radius=8)
            finish_map(fmap, title="Locatie kiezen")
            search.focus().apply(fmap)
            clicked = show_map(fmap, height=380, returned_objects=("last_clicked",),
                               key=f"beheer_kaart_{chosen_id}")
            point = (clicked or {}).get("last_clicked")
            if point:
                st.write(f"Aangeklikt: {point['lat']:.5f}, {point['lng']:.5f}")
                if st.button("Op deze plek zetten", key="beheer_klik_ok"):
                    save_location(org, float(point["lat"]), float(point["lng"]), "op de kaart",
                                  next_id=next_id)

        st.divider()
        if (st.button("Locatie klopt (markeren als gecontroleerd)", key="beheer_akkoord",
                      disabled=not has_point)
                and permitted("beheren")):
            message = review.mark_checked(store, org, user=user)
            if message.kind == "error":
                show(message)
            else:
                flash(message)
                go_to_next(next_id)
                st.rerun()

# ------------------------------------------------------------------------------ edit


def form_widget(item: fields.Field, where, *, current: dict, form_key: str,
                subregions: list[str]):
    """The form widget of one registry field, filled with the stored value."""
    key = f"{form_key}_{item.widget_key or item.name}"
    label = item.form_label or item.label
    if item.widget == fields.KIND_CHOICE:
        codes = fields.kind_codes()
        stored = current.get(item.name) or fields.FALLBACK_KIND
        return where.selectbox(label, codes, index=codes.index(stored),
                               format_func=fields.kind_label, key=key)
    if item.widget == fields.CHECKBOX:
        return where.checkbox(label, bool(current.get(item.name, item.default)), key=key)
    if item.widget == fields.SUBREGION_CHOICE:
        options = view.ambassador_options(current, subregions)
        may_appoint = can("ambassadeurs_markeren")  # board only; the team sees it read-only
        value = where.selectbox(label, options,
                                index=options.index(current.get(item.name) or ""),
                                format_func=lambda s: s or "(geen)", key=key,
                                disabled=not may_appoint)
        if not may_appoint:
            where.caption("Alleen het bestuur kan ambassadeurs aanwijzen.")
        return value
    widget = where.text_area if item.widget == fields.TEXT_AREA else where.text_input
    return widget(label, view.form_text(current, item.name), key=key,
                  **({"placeholder": item.placeholder} if item.placeholder else {}))


with tab_edit:
    orgs = store.organisations()
    options, names = view.edit_choices(orgs)
    pending = st.session_state.pop(Keys.SELECT_NEXT, None)
    if pending in options:
        st.session_state[Keys.EDIT_CHOICE] = pending
    edit_id = st.selectbox("Organisatie", options,
                           format_func=lambda i: names.get(int(i), str(i)),
                           key=Keys.EDIT_CHOICE)
    versions = st.session_state.setdefault(Keys.VERSIONS, {})
    form_round = st.session_state.setdefault(Keys.FORM_ROUND, 0)
    current = view.current_values(store, edit_id)
    if edit_id != view.NEW_ORGANISATION:
        versions.setdefault(int(edit_id), int(current["versie"]))
        if versions[int(edit_id)] != int(current["versie"]):
            st.info(f"Let op: er is intussen een nieuwere versie ({current['versie']}) "
                    "opgeslagen. Klik 'Nieuwste versie laden' om die te bewerken.")
            if st.button("Nieuwste versie laden", key="beheer_herladen"):
                versions[int(edit_id)] = int(current["versie"])
                st.session_state[Keys.FORM_ROUND] = form_round + 1
                st.session_state.pop(Keys.CONFLICT, None)
                st.rerun()

    subregions = sorted(set(get_reference().default_division.subregion_of().values()))
    form_key = f"beheer_formulier_{edit_id}_{form_round}"
    values: dict = {}
    with st.form(key=form_key):
        for row in view.form_rows():
            if row[0].access == fields.PERSONAL:
                st.caption("Persoonsgegevens (alleen zichtbaar voor het team en het bestuur):")
            places = st.columns(len(row)) if len(row) > 1 else [st]
            for item, where in zip(row, places, strict=True):
                values[item.name] = form_widget(item, where, current=current,
                                                form_key=form_key, subregions=subregions)
        submitted = st.form_submit_button("Opslaan", type="primary", key=f"{form_key}_opslaan")

    if submitted and permitted("beheren"):
        outcome = view.save_organisation(
            store, values, edit_id=edit_id, current=current,
            expected_version=versions.get(int(edit_id)) if edit_id else None, user=user,
            role=role, geocoder_factory=new_geocoder, offline=settings.offline,
            reference=get_reference(), organisations=orgs)
        if outcome.saved_id is None:
            for message in outcome.messages:
                show(message)
            if outcome.conflict is not None:
                st.session_state[Keys.CONFLICT] = outcome.conflict
        else:
            versions[outcome.saved_id] = outcome.version
            st.session_state.pop(Keys.CONFLICT, None)
            flash(*outcome.messages)
            st.session_state[Keys.SELECT_NEXT] = outcome.saved_id
            st.rerun()
    conflict = st.session_state.get(Keys.CONFLICT)
    if conflict and edit_id and int(conflict.get("id", -1)) == int(edit_id):
        st.write("De nieuwere versie die iemand anders opsloeg:")
        st.dataframe(view.conflict_table(conflict), width="stretch")

    if edit_id != view.NEW_ORGANISATION:
        with st.expander("Organisatie verwijderen"):
            st.caption("Verwijderen wist ook de persoonsgegevens (contactpersoon, e-mail, "
                       "telefoon, notities) uit de historie van deze organisatie. Wie wat "
                       "wanneer veranderde blijft bewaard.")
            sure = st.checkbox("Ja, verwijder deze organisatie en haar persoonsgegevens",
                               key=f"beheer_weg_zeker_{edit_id}")
            if (st.button("Verwijderen", disabled=not sure, key="beheer_weg")
                    and permitted("beheren")):
                message = view.delete_organisation(store, current, user=user)
                if message.kind == "error":
                    show(message)
                else:
                    flash(message)
                    st.session_state[Keys.SELECT_NEXT] = view.NEW_ORGANISATION
                    st.rerun()

# ------------------------------------------------------------------------------ places
with tab_places:
    section = places_view.places_section(store, role=role)
    st.caption(places_view.INTRO)
    if section.notice:
        st.warning(section.notice)
    st.dataframe(section.table, hide_index=True, width="stretch")
    place_id = st.selectbox("Opleidingslocatie", section.choices, key="beheer_plaats_keuze",
                            format_func=lambda i: section.labels.get(i, str(i)))
    place = places_view.current_place(store, place_id)
    st.markdown(places_view.place_summary(place))
    place_key = f"beheer_plaats_{place_id}_{place['versie']}_{len(section.table)}"
    kinds = list(places_view.KINDS)
    with st.form(key=place_key):
        a, b = st.columns(2)
        typed = {
            "naam": a.text_input("Naam", value=place["naam"], key=f"{place_key}_naam"),
            "instelling": b.text_input("Instelling", value=place["instelling"],
                                       key=f"{place_key}_instelling"),
            "soort": a.selectbox(
                "Soort", kinds, key=f"{place_key}_soort",
                index=kinds.index(place["soort"]) if place["soort"] in kinds else 0,
                format_func=places_view.kind_label),
            "actief": b.checkbox("Actief (op de kaart; mbo infra telt mee in de reistijd)",
                                 value=bool(place["actief"]), key=f"{place_key}_actief"),
        }
        a, b, c = st.columns([2, 1, 1])
        typed["straat"] = a.text_input("Straat en huisnummer", value=place["straat"],
                                       key=f"{place_key}_straat")
        typed["postcode"] = b.text_input("Postcode", value=place["postcode"],
                                         key=f"{place_key}_postcode")
        typed["plaats"] = c.text_input("Plaats", value=place["plaats"],
                                       key=f"{place_key}_plaats")
        coordinates = st.text_input(
            "Of coördinaten (lat, lon), bijvoorbeeld 52.6318, 4.7480", value="",
            key=f"{place_key}_coordinaten",
            help="Gaat voor op het adres; de nauwkeurigheid wordt dan 'handmatig'.")
        place_offline = st.toggle(
            "Offline plaatsen (zonder PDOK)", value=settings.offline,
            key=f"{place_key}_offline",
            help="Zonder PDOK: plaatsen op de vier cijfers van de postcode of op plaatsnaam.")
        saved = st.form_submit_button("Opslaan en plaatsen", type="primary",
                                      disabled=not section.may_edit,
                                      key=f"{place_key}_opslaan")
    if not section.may_edit:
        st.caption(auth.NO_ACCESS_MESSAGE)
    if saved and permitted("opleidingslocaties_beheren"):
        message = places_view.save_place(
            store, typed, current=place, coordinates=coordinates,
            geocoder_factory=new_geocoder, offline=place_offline, user=user, role=role)
        if message.kind in ("error", "info"):  # nothing saved
            show(message)
        else:
            flash(message)
            st.rerun()
    if place_id != places_view.NEW_PLACE:
        with st.expander("Historie van deze locatie"):
            st.dataframe(places_view.place_history(store, place_id), hide_index=True,
                         width="stretch")

# ------------------------------------------------------------------------------ history
with tab_history:
    history = view.history_table(store, role=role)
    if history is None:
        st.info(auth.NO_ACCESS_MESSAGE)
    elif history.empty:
        st.info("Nog geen wijzigingen.")
    else:
        st.caption("Wie wat wanneer veranderde (nieuwste eerst). Persoonsgegevens staan "
                   "er niet in, alleen dát ze veranderden.")
        st.dataframe(history, hide_index=True, width="stretch")

# ------------------------------------------------------------------------------ export
with tab_export:
    a, b = st.columns(2)
    fmt = a.selectbox("Formaat", EXPORT_FORMATS, key="beheer_export_formaat",
                      format_func=lambda f: view.EXPORT_FORMAT_LABELS.get(f, f))
    personal = b.toggle("Met persoonsgegevens (alleen intern gebruik)", value=False,
                        key="beheer_export_persoonlijk",
                        disabled=not can("exporteren_met_contactgegevens"))
    if personal:
        st.warning("Deze export bevat contactpersonen, e-mailadressen en telefoonnummers. "
                   "Deel hem niet buiten het team.")
    if (st.button("Export maken", key="beheer_export_maken")
            and (not personal or permitted("exporteren_met_contactgegevens"))):
        try:
            st.session_state[Keys.EXPORT] = (
                fmt, personal, export_bytes(store, fmt=fmt, public=not personal))
        except InfrakaartError as err:  # e.g. no room for the temporary GeoPackage
            st.error(md(err))
    made = st.session_state.get(Keys.EXPORT)
    if made and made[0] == fmt and made[1] == personal:
        st.download_button("Download", made[2], key="beheer_export_download",
                           file_name=export_filename(fmt, public=not personal),
                           mime=MIME_TYPES[fmt])
