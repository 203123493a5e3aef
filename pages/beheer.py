"""Beheer (staff only): import, review, edit, history and export of the partner register."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import auth
from geo.errors import AddressError, ConflictError, ImportFileError, InfrakaartError
from geo.intake.geocoding import AddressQuery, make_geocoder
from geo.intake.importer import (
    ImportRun,
    check_rows,
    check_values,
    count_statuses,
    location_fields,
    parse_coordinates,
    preview_table,
    read_table,
    review_queue,
    to_records,
)
from geo.output.export import EXPORT_FORMATS, MIME_TYPES, export_bytes, export_filename
from geo.output.maps import add_point, base_map, finish_map
from geo.reference.gazetteer import PRECISION_LABELS
from geo.register.store import SOORT_LABELS, SOORTEN
from geo.text import md
from pages._shared import (
    can,
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


class BeheerKeys:
    """Session keys of this page (per session; may hold personal data from a file)."""

    RUN = "beheer_import_run"  # ImportRun of the uploaded file
    RUN_ID = "beheer_import_id"  # (file_id, kind, offline) the run belongs to
    GEOCODER = "beheer_import_geocoder"  # geocoder of the run (remembers went_offline)
    SUMMARY = "beheer_import_summary"  # Dutch summary of the last import
    PREVIEWED = "beheer_import_voorbeeld"  # (run_id, records) as the last preview showed
    IMPORT_CONFLICTS = "beheer_import_conflicten"  # Dutch lines: rows not written
    CANDIDATES = "beheer_kandidaten"  # org id → PDOK candidates
    VERSIONS = "beheer_versies"  # org id → version the edit form was opened at
    FORM_ROUND = "beheer_formulier_ronde"  # bumped to reload the edit form
    CONFLICT = "beheer_conflict"  # newer record after a ConflictError
    EXPORT = "beheer_export"  # (fmt, public, bytes)
    FLASH = "beheer_flash"  # messages to show after a rerun: [(kind, text)]
    SELECT_NEXT = "beheer_bewerk_volgende"  # org id to select in the edit tab after a rerun


STATUS_COLOURS = {"ok": "#e5f5e0", "waarschuwing": "#fff3cd", "fout": "#f8d7da"}
STATUS_LABELS = {"ok": "ok", "waarschuwing": "waarschuwing", "fout": "fout"}
NEW_ORGANISATION = 0


def colour_rows(table: pd.DataFrame):
    """A Styler colouring each row by its ``status`` (st.dataframe escapes the text)."""

    def style(row: pd.Series) -> list[str]:
        colour = STATUS_COLOURS.get(row.get("status"), "")
        return [f"background-color: {colour}" if colour else ""] * len(row)

    return table.style.apply(style, axis=1)


def organisation_label(row: pd.Series | dict) -> str:
    """``"Naam — Plaats (status)"`` for select boxes (plain text, not HTML)."""
    place = row.get("plaats") or ""
    status = row.get("status") or "ok"
    label = f"{row['naam']} — {place}" if place else str(row["naam"])
    return label if status == "ok" else f"{label} ({status})"


def plain(text: object) -> str:
    """``text`` shown as typed, never as Markdown or HTML (see :func:`geo.text.md`)."""
    return md(text)


def flash(kind: str, text: str) -> None:
    """Show ``text`` (``success``/``info``) after the rerun that refreshes the lists."""
    st.session_state.setdefault(BeheerKeys.FLASH, []).append((kind, text))


def show_flashes() -> None:
    for kind, text in st.session_state.pop(BeheerKeys.FLASH, []):
        getattr(st, kind)(text)


def geocoder_for(*, offline: bool):
    return make_geocoder(get_settings(), get_gazetteer(), offline=offline)


def save_location(org: dict, lat: float, lon: float, how: str) -> None:
    """Save a hand-picked location with precision ``handmatig``."""
    store = get_store()
    if not permitted("beheren"):
        return
    try:
        store.save_organisation(
            {"id": int(org["id"]), "lat": lat, "lon": lon, "nauwkeurigheid": "handmatig",
             "status": "ok", "melding": f"Handmatig geplaatst ({how}) door {current_user()}."},
            user=current_user(), expected_version=int(org["versie"]),
        )
    except ConflictError as err:
        st.error(plain(err))
        return
    except InfrakaartError as err:
        st.error(plain(err))
        return
    st.session_state.get(BeheerKeys.CANDIDATES, {}).pop(int(org["id"]), None)
    flash("success", plain(f"Locatie van '{org['naam']}' opgeslagen ({lat:.5f}, {lon:.5f})."))
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
show_flashes()

if store.has_example_data():
    count = store.organisation_count(voorbeeld=True)
    box = st.container(border=True)
    box.info(
        f"Het register bevat {count} **voorbeeldorganisaties** (verzonnen namen) zodat de "
        "kaart niet leeg is. Importeer de echte partnerlijst en verwijder de voorbeelden."
    )
    if (box.button("Voorbeeldgegevens verwijderen", key="beheer_voorbeeld_weg")
            and permitted("beheren")):
        try:
            removed = store.delete_example_data(user=user)
        except InfrakaartError as err:
            box.error(plain(f"Er is niets verwijderd: {err}"))
        else:
            flash("success", f"{removed} voorbeeldorganisaties verwijderd.")
            st.rerun()

tab_import, tab_review, tab_edit, tab_history, tab_export = st.tabs(
    ["Importeren", "Controleren", "Bewerken", "Historie", "Exporteren"]
)

# ------------------------------------------------------------------------------ import
with tab_import:
    st.caption(
        "Upload een Excel- (.xlsx) of CSV-bestand. Elke rij krijgt eerst een oordeel "
        "(ok, waarschuwing of fout); pas na 'Importeren' wordt er iets opgeslagen. Een "
        "organisatie die al in het register staat (zelfde naam en postcode) wordt bijgewerkt."
    )
    summary = st.session_state.get(BeheerKeys.SUMMARY)
    if summary:
        st.success(plain(summary))
    conflict_lines = st.session_state.get(BeheerKeys.IMPORT_CONFLICTS)
    if conflict_lines:
        st.warning(
            f"{len(conflict_lines)} rij(en) niet opgeslagen: de organisatie is na de controle "
            "door iemand anders gewijzigd, verwijderd of toegevoegd. Hun werk is niet "
            "overschreven. Upload het bestand opnieuw om deze rijen met de nieuwste gegevens "
            "te controleren.\n\n" + "\n".join(f"- {plain(line)}" for line in conflict_lines)
        )
    left, right = st.columns(2)
    kind = left.radio("Wat staat er in het bestand?", ["partners", "scholen"], horizontal=True,
                      format_func={"partners": "Partners / donateurs",
                                   "scholen": "Scholen (zelf toegevoegd)"}.get,
                      key="beheer_import_soort")
    offline = right.toggle(
        "Offline plaatsen (zonder PDOK)", value=get_settings().offline,
        key="beheer_import_offline",
        help="Zonder PDOK: plaatsen op de vier cijfers van de postcode of op plaatsnaam.",
    )
    may_import = can("importeren")
    if not may_import:
        st.info(auth.NO_ACCESS_MESSAGE)
    upload = st.file_uploader("Bestand", type=["xlsx", "xlsm", "xls", "csv", "txt", "tsv"],
                              key="beheer_upload", disabled=not may_import)
    if upload is None:
        for key in (BeheerKeys.RUN, BeheerKeys.RUN_ID, BeheerKeys.GEOCODER,
                    BeheerKeys.PREVIEWED):
            st.session_state.pop(key, None)
    else:
        run_id = (upload.file_id, kind, offline)
        if st.session_state.get(BeheerKeys.RUN_ID) != run_id:
            for key in (BeheerKeys.RUN, BeheerKeys.SUMMARY, BeheerKeys.IMPORT_CONFLICTS,
                        BeheerKeys.PREVIEWED):
                st.session_state.pop(key, None)
            try:
                table = read_table(upload.getvalue(), upload.name, settings=get_settings())
            except ImportFileError as err:
                st.error(plain(err))
                table = None
            if table is not None:
                st.session_state[BeheerKeys.RUN] = ImportRun(table, kind=kind)
                st.session_state[BeheerKeys.GEOCODER] = geocoder_for(offline=offline)
            st.session_state[BeheerKeys.RUN_ID] = run_id
        run: ImportRun | None = st.session_state.get(BeheerKeys.RUN)
        if run is not None:
            table = run.table
            how = (f"werkblad '{table.sheet}'" if table.sheet is not None
                   else f"scheidingsteken '{table.delimiter}', codering {table.encoding}")
            st.write(f"**{plain(table.filename)}**: {run.total} rijen met gegevens "
                     f"({plain(how)}; kopregel op rij {table.header_row}).")
            st.caption("Herkende kolommen: " + ", ".join(
                f"{plain(header)} → {name}" for name, header in table.columns.items()))
            if table.unknown_columns:
                st.warning("Niet herkende kolommen (worden genegeerd): "
                           + ", ".join(plain(c) for c in table.unknown_columns))
            geocoder = st.session_state[BeheerKeys.GEOCODER]
            existing = store.schools() if kind == "scholen" else store.organisations()
            if not run.complete:
                started = run.done > 0
                go = (st.button("Verder controleren", key="beheer_verder") if started
                      else True)
                st.button("Stoppen", key="beheer_stop",
                          help="Onderbreekt het controleren; wat klaar is blijft bewaard.")
                if started and not go:
                    st.info(f"{run.done} van {run.total} rijen gecontroleerd; klik 'Verder "
                            "controleren' om door te gaan.")
                if go:
                    bar = st.progress(0.0, text="Rijen controleren…")

                    def show_progress(done: int, total: int, bar=bar) -> None:
                        bar.progress(done / max(total, 1),
                                     text=f"Rij {done} van {total} gecontroleerd…")

                    check_rows(table, geocoder=geocoder, reference=get_reference(),
                               existing=existing, kind=kind, progress=show_progress, run=run)
                    bar.empty()
            verdicts = check_rows(table, geocoder=geocoder, reference=get_reference(),
                                  existing=existing, kind=kind, run=run,
                                  should_stop=lambda: True)
            if verdicts:
                counts = count_statuses(verdicts)
                a, b, c, d = st.columns(4)
                a.metric("ok", counts["ok"])
                b.metric("waarschuwing", counts["waarschuwing"])
                c.metric("fout", counts["fout"])
                if getattr(geocoder, "went_offline", False):
                    d.metric("plaatsing", "offline")
                    reason = (getattr(geocoder, "offline_reason", "")
                              or "PDOK was niet te gebruiken.")
                    st.warning(plain(f"{reason} Er is offline geplaatst (op postcode of "
                                     "plaatsnaam). Controleer de rijen later opnieuw."))
                else:
                    d.metric("plaatsing", "offline" if offline else "PDOK")
                st.dataframe(colour_rows(preview_table(verdicts)), hide_index=True,
                             width="stretch")
            if run.complete:
                fields = table.fields
                if "ambassadeur_voor" in fields and not can("ambassadeurs_markeren"):
                    # Board only: the column is left out, so no row changes an ambassador.
                    fields = fields - {"ambassadeur_voor"}
                    st.warning(
                        f"De kolom '{plain(table.columns['ambassadeur_voor'])}' wordt "
                        "genegeerd: alleen het bestuur kan ambassadeurs aanwijzen. Bij "
                        "bestaande organisaties blijft de huidige ambassadeur staan."
                    )
                records = to_records(verdicts, kind=kind, fields=fields,
                                     reference=get_reference())
                # Import what the user saw: the records of the previous run, with the
                # versions read then, not ones re-read on the click's own run (which
                # would silently take in a colleague's edit made in between).
                previewed = st.session_state.get(BeheerKeys.PREVIEWED)
                st.session_state[BeheerKeys.PREVIEWED] = (run_id, records)
                if previewed is not None and previewed[0] == run_id:
                    records = previewed[1]
                updates = sum(1 for r in records if "id" in r)
                st.write(f"Bij importeren: {len(records) - updates} nieuw, {updates} "
                         f"bijwerken, {len(verdicts) - len(records)} overslaan.")
                if (st.button("Importeren", type="primary", key="beheer_importeren",
                              disabled=not may_import) and permitted("importeren")):
                    try:
                        outcome = store.apply_import(records, user=user, kind=kind,
                                                     role=current_role())
                    except InfrakaartError as err:
                        st.error(plain(f"Er is niets opgeslagen: {err}"))
                    else:
                        conflicts = outcome["conflicten"]
                        st.session_state[BeheerKeys.SUMMARY] = (
                            f"Import van '{table.filename}' klaar: {outcome['nieuw']} nieuw, "
                            f"{outcome['bijgewerkt']} bijgewerkt, {outcome['ongewijzigd']} "
                            f"ongewijzigd, {len(conflicts)} niet opgeslagen (conflict). "
                            "Rijen met een waarschuwing of fout staan nu onder 'Controleren'."
                        )
                        st.session_state[BeheerKeys.IMPORT_CONFLICTS] = [
                            c.message for c in conflicts]
                        for key in (BeheerKeys.RUN, BeheerKeys.PREVIEWED):
                            st.session_state.pop(key, None)
                        st.rerun()

# ------------------------------------------------------------------------------ review
with tab_review:
    queue = review_queue(store.organisations())
    if queue.empty:
        st.success("Niets te controleren: elke organisatie is op adres of postcode geplaatst "
                   "zonder waarschuwing.")
    else:
        st.caption(
            f"{len(queue)} organisaties met een waarschuwing, een fout of een ruwe locatie "
            "(plaats of niet geplaatst). Kies een PDOK-kandidaat, typ coördinaten of klik op "
            "de kaart."
        )
        st.dataframe(colour_rows(queue.drop(columns=["id", "versie", "lat", "lon"])),
                     hide_index=True, width="stretch")
        ids = queue["id"].tolist()
        labels = {int(r["id"]): organisation_label(r) for r in queue.to_dict("records")}
        chosen_id = st.selectbox("Organisatie", ids, format_func=lambda i: labels[int(i)],
                                 key="beheer_controle_keuze")
        org = queue[queue["id"] == chosen_id].iloc[0].to_dict()
        precision = org.get("nauwkeurigheid") or "geen"
        st.write(f"Nu: {PRECISION_LABELS.get(precision, precision)}.")
        if org.get("melding"):
            st.caption(plain(org["melding"]))

        st.subheader("1 · Kies een kandidaat van PDOK", divider=False)
        candidates = st.session_state.setdefault(BeheerKeys.CANDIDATES, {})
        if st.button("Zoek kandidaten", key="beheer_kandidaten_zoek"):
            result = geocoder_for(offline=False).geocode(AddressQuery(
                straat=org.get("straat") or "", postcode=org.get("postcode") or "",
                plaats=org.get("plaats") or ""))
            found = list(result.candidates) or ([result.location] if result.location else [])
            candidates[int(chosen_id)] = found
            if not found:
                st.warning(plain(result.message or "Geen kandidaten gevonden."))
        found = candidates.get(int(chosen_id), [])
        if found:
            pick = st.radio(
                "Kandidaten", range(len(found)), key=f"beheer_kandidaat_{chosen_id}",
                format_func=lambda i: plain(f"{found[i].label} ({found[i].precision})"),
            )
            if st.button("Deze kandidaat gebruiken", key="beheer_kandidaat_ok"):
                save_location(org, found[pick].lat, found[pick].lon,
                              f"PDOK-kandidaat {found[pick].label}")

        st.subheader("2 · Typ coördinaten", divider=False)
        typed = st.text_input("Breedtegraad, lengtegraad", key=f"beheer_coord_{chosen_id}",
                              placeholder="52.6318, 4.7480")
        if st.button("Coördinaten opslaan", key="beheer_coord_ok"):
            try:
                lat, lon = parse_coordinates(typed)
            except AddressError as err:
                st.error(plain(err))
            else:
                save_location(org, lat, lon, "coördinaten getypt")

        st.subheader("3 · Klik op de kaart", divider=False)
        has_point = pd.notna(org.get("lat")) and pd.notna(org.get("lon"))
        fmap = base_map(center=(org["lat"], org["lon"]) if has_point else None,
                        zoom=14 if has_point else 9)
        if has_point:
            add_point(fmap, org["lat"], org["lon"], name="Huidige locatie",
                      tooltip="huidige locatie", color="#d7301f", radius=8)
        finish_map(fmap, title="Locatie kiezen")
        clicked = show_map(fmap, height=380, returned_objects=("last_clicked",),
                           key=f"beheer_kaart_{chosen_id}")
        point = (clicked or {}).get("last_clicked")
        if point:
            st.write(f"Aangeklikt: {point['lat']:.5f}, {point['lng']:.5f}")
            if st.button("Op deze plek zetten", key="beheer_klik_ok"):
                save_location(org, float(point["lat"]), float(point["lng"]), "op de kaart")

        st.divider()
        if (st.button("Locatie klopt (markeren als gecontroleerd)", key="beheer_akkoord")
                and permitted("beheren")):
            try:
                store.save_organisation({"id": int(org["id"]), "status": "ok",
                                         "melding": f"Gecontroleerd door {user}."},
                                        user=user, expected_version=int(org["versie"]))
            except InfrakaartError as err:
                st.error(plain(err))
            else:
                flash("success", plain(f"'{org['naam']}' gemarkeerd als gecontroleerd."))
                st.rerun()

# ------------------------------------------------------------------------------ edit
with tab_edit:
    orgs = store.organisations()
    options = [NEW_ORGANISATION, *orgs["id"].astype(int).tolist()]
    names = {int(r["id"]): organisation_label(r) for r in orgs.to_dict("records")}
    names[NEW_ORGANISATION] = "➕ Nieuwe organisatie"
    pending = st.session_state.pop(BeheerKeys.SELECT_NEXT, None)
    if pending in options:
        st.session_state["beheer_bewerk_keuze"] = pending
    edit_id = st.selectbox("Organisatie", options,
                           format_func=lambda i: names.get(int(i), str(i)),
                           key="beheer_bewerk_keuze")
    versions = st.session_state.setdefault(BeheerKeys.VERSIONS, {})
    form_round = st.session_state.setdefault(BeheerKeys.FORM_ROUND, 0)
    if edit_id == NEW_ORGANISATION:
        current: dict = {"naam": "", "soort": "overig", "donateur": False, "actief": True}
    else:
        # Personal fields are read per request for staff only and never cached.
        current = store.get_organisation(int(edit_id), include_personal=True)
        versions.setdefault(int(edit_id), int(current["versie"]))
        if versions[int(edit_id)] != int(current["versie"]):
            st.info(f"Let op: er is intussen een nieuwere versie ({current['versie']}) "
                    "opgeslagen. Klik 'Nieuwste versie laden' om die te bewerken.")
            if st.button("Nieuwste versie laden", key="beheer_herladen"):
                versions[int(edit_id)] = int(current["versie"])
                st.session_state[BeheerKeys.FORM_ROUND] = form_round + 1
                st.session_state.pop(BeheerKeys.CONFLICT, None)
                st.rerun()

    def text(name: str) -> str:
        value = current.get(name)
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(
            value)

    subregions = sorted(set(get_reference().default_division.subregion_of().values()))
    form_key = f"beheer_formulier_{edit_id}_{form_round}"
    with st.form(key=form_key):
        naam = st.text_input("Naam", text("naam"), key=f"{form_key}_naam")
        a, b, c = st.columns(3)
        soort = a.selectbox("Soort", SOORTEN, index=SOORTEN.index(current.get("soort")
                                                                   or "overig"),
                            format_func=SOORT_LABELS.get, key=f"{form_key}_soort")
        donateur = b.checkbox("Donateur", bool(current.get("donateur")), key=f"{form_key}_donateur")
        actief = c.checkbox("Actief", bool(current.get("actief", True)), key=f"{form_key}_actief")
        straat = st.text_input("Straat en huisnummer", text("straat"), key=f"{form_key}_straat")
        a, b, c = st.columns(3)
        postcode = a.text_input("Postcode", text("postcode"), key=f"{form_key}_postcode")
        plaats = b.text_input("Plaats", text("plaats"), key=f"{form_key}_plaats")
        land = c.text_input("Land", text("land"), placeholder="Nederland", key=f"{form_key}_land")
        website = st.text_input("Website", text("website"), key=f"{form_key}_website")
        st.caption("Persoonsgegevens (alleen zichtbaar voor het team en het bestuur):")
        a, b, c = st.columns(3)
        contactpersoon = a.text_input("Contactpersoon", text("contactpersoon"),
                                      key=f"{form_key}_contactpersoon")
        email = b.text_input("E-mail", text("email"), key=f"{form_key}_email")
        telefoon = c.text_input("Telefoon", text("telefoon"), key=f"{form_key}_telefoon")
        notities = st.text_area("Notities", text("notities"), key=f"{form_key}_notities")
        amb_now = current.get("ambassadeur_voor") or ""
        # An unknown stored value stays an option, so saving never clears it silently.
        amb_options = ["", *subregions] + (
            [amb_now] if amb_now and amb_now not in subregions else [])
        may_appoint = can("ambassadeurs_markeren")  # board only; the team sees it read-only
        ambassadeur = st.selectbox(
            "Ambassadeur voor subregio", amb_options, index=amb_options.index(amb_now),
            format_func=lambda s: s or "(geen)", key=f"{form_key}_ambassadeur",
            disabled=not may_appoint)
        if not may_appoint:
            st.caption("Alleen het bestuur kan ambassadeurs aanwijzen.")
        submitted = st.form_submit_button("Opslaan", type="primary", key=f"{form_key}_opslaan")

    if submitted and permitted("beheren"):
        record = {
            "naam": naam, "soort": soort, "donateur": donateur, "actief": actief,
            "straat": straat, "postcode": postcode, "plaats": plaats, "land": land,
            "website": website, "contactpersoon": contactpersoon, "email": email,
            "telefoon": telefoon, "notities": notities,
        }
        if can("ambassadeurs_markeren"):  # never submitted for the team, not even unchanged
            record["ambassadeur_voor"] = ambassadeur or None
        # Re-place only a new organisation or a changed address (a location placed by
        # hand stays as long as the address is the same).
        moved = edit_id == NEW_ORGANISATION or any(
            " ".join(str(record[k]).split()).casefold() != text(k).casefold()
            for k in ("straat", "postcode", "plaats", "land"))
        notice = ""
        if moved:
            others = orgs[orgs["id"] != int(edit_id)] if edit_id else orgs
            verdict = check_values(record, geocoder=geocoder_for(offline=get_settings().offline),
                                   reference=get_reference(), existing=others)
            record.update(location_fields(verdict))
            notice = verdict.melding
        if edit_id != NEW_ORGANISATION:
            record["id"] = int(edit_id)
        try:
            saved_id = store.save_organisation(
                record, user=user, role=current_role(),
                expected_version=versions.get(int(edit_id)) if edit_id else None)
        except ConflictError as err:
            st.error(plain(err))
            st.session_state[BeheerKeys.CONFLICT] = err.current
        except InfrakaartError as err:
            st.error(plain(err))
        else:
            saved = store.get_organisation(saved_id)
            versions[int(saved_id)] = int(saved["versie"])
            st.session_state.pop(BeheerKeys.CONFLICT, None)
            flash("success", plain(f"'{saved['naam']}' opgeslagen (versie {saved['versie']}, "
                                   f"{PRECISION_LABELS.get(saved['nauwkeurigheid'], '')})."))
            if notice:
                flash("info", plain(notice))
            st.session_state[BeheerKeys.SELECT_NEXT] = int(saved_id)
            st.rerun()
    conflict = st.session_state.get(BeheerKeys.CONFLICT)
    if conflict and edit_id and int(conflict.get("id", -1)) == int(edit_id):
        st.write("De nieuwere versie die iemand anders opsloeg:")
        shown = {k: v for k, v in conflict.items()
                 if k not in ("importsleutel", "aangemaakt")}
        st.dataframe(pd.DataFrame([shown]).T.rename(columns={0: "waarde"}).astype(str),
                     width="stretch")

    if edit_id != NEW_ORGANISATION:
        with st.expander("Organisatie verwijderen"):
            st.caption("Verwijderen wist ook de persoonsgegevens (contactpersoon, e-mail, "
                       "telefoon, notities) uit de historie van deze organisatie. Wie wat "
                       "wanneer veranderde blijft bewaard.")
            sure = st.checkbox("Ja, verwijder deze organisatie en haar persoonsgegevens",
                               key=f"beheer_weg_zeker_{edit_id}")
            if (st.button("Verwijderen", disabled=not sure, key="beheer_weg")
                    and permitted("beheren")):
                try:
                    store.delete_organisation(int(edit_id), user=user)
                except InfrakaartError as err:
                    st.error(plain(f"Er is niets verwijderd: {err}"))
                else:
                    flash("success", plain(f"'{current['naam']}' verwijderd; de "
                                           "persoonsgegevens zijn uit de historie gewist."))
                    st.session_state[BeheerKeys.SELECT_NEXT] = NEW_ORGANISATION
                    st.rerun()

# ------------------------------------------------------------------------------ history
with tab_history:
    history = store.history() if can("geschiedenis_zien") else None
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
                      format_func=lambda f: {"csv": "CSV", "xlsx": "Excel (.xlsx)",
                                             "geojson": "GeoJSON",
                                             "gpkg": "GeoPackage"}.get(f, f))
    personal = b.toggle("Met persoonsgegevens (alleen intern gebruik)", value=False,
                        key="beheer_export_persoonlijk",
                        disabled=not can("exporteren_met_contactgegevens"))
    if personal:
        st.warning("Deze export bevat contactpersonen, e-mailadressen en telefoonnummers. "
                   "Deel hem niet buiten het team.")
    if (st.button("Export maken", key="beheer_export_maken")
            and (not personal or permitted("exporteren_met_contactgegevens"))):
        try:
            st.session_state[BeheerKeys.EXPORT] = (
                fmt, personal, export_bytes(store, fmt=fmt, public=not personal))
        except InfrakaartError as err:  # e.g. no room for the temporary GeoPackage
            st.error(plain(err))
    made = st.session_state.get(BeheerKeys.EXPORT)
    if made and made[0] == fmt and made[1] == personal:
        st.download_button("Download", made[2], key="beheer_export_download",
                           file_name=export_filename(fmt, public=not personal),
                           mime=MIME_TYPES[fmt])
