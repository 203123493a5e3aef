"""AppTest of pages/beheer.py: refusal for the public, tabs, upload → preview → import,
review, edit with optimistic locking, example data."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.reference.data import load_reference
from geo.register.store import Store
from geo.settings import Settings

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "beheer.py")
TIMEOUT = 60

CSV = (
    "Partnerlijst\r\n\r\nBedrijfsnaam;Adres;PC;Plaats;Donor;Contactpersoon;Kleur\r\n"
    "Wegenbouw Ærø & Zn;Dorpsstraat 1;1703 AB;Heerhugowaard;ja;Jan Geheim;rood\r\n"
    "<b>Vet</b> Infra;Kade 3;12345;Hoorn;nee;;\r\n"
    "Alleen Plaats BV;;;Purmerend;;;\r\n"
).encode("cp1252")


@pytest.fixture()
def register(app_env):
    """A fresh register in tmp_path, offline, with the page caches cleared."""
    return app_env / "infrakaart.sqlite"


@pytest.fixture(scope="module")
def reference():
    return load_reference(Settings().data_dir)


def page(role: str = "team") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["rol"] = role
    at.session_state["gebruiker"] = "tester"
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success",
                                  "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_public_role_is_refused(register):
    at = page("publiek")
    assert not at.exception
    assert len(at.tabs) == 0
    assert any("alleen voor het operationele team" in w.value for w in at.warning)
    assert not register.exists()  # the register is not even opened


def _ambassador_org(register, reference, ambassadeur_voor: str | None) -> int:
    with Store(register, reference) as store:
        org_id = store.save_organisation({"naam": "Ambassade BV", "plaats": "Hoorn"},
                                         user="test")
        if ambassadeur_voor:
            store.set_ambassador(org_id, ambassadeur_voor, user="test", role="bestuur")
    return org_id


def _edit(role: str, org_id: int) -> AppTest:
    at = page(role)
    at.selectbox(key="beheer_bewerk_keuze").set_value(org_id).run()
    assert not at.exception
    return at


def test_board_appoints_an_ambassador_in_the_edit_form(register, reference):
    sub = reference.default_division.subregions[0]
    org_id = _ambassador_org(register, reference, None)
    at = _edit("bestuur", org_id)
    form = f"beheer_formulier_{org_id}_0"
    assert not at.selectbox(key=f"{form}_ambassadeur").disabled
    assert not any("Alleen het bestuur" in c.value for c in at.caption)
    at.selectbox(key=f"{form}_ambassadeur").set_value(sub)
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        assert store.get_organisation(org_id)["ambassadeur_voor"] == sub
        history = store.history(org_id)
    assert set(history.loc[history["veld"] == "ambassadeur_voor", "gebruiker"]) == {"tester"}


def test_team_sees_the_ambassador_read_only_and_keeps_it_when_saving(register, reference):
    org_id = _ambassador_org(register, reference, "West-Friesland")
    at = _edit("team", org_id)
    form = f"beheer_formulier_{org_id}_0"
    field = at.selectbox(key=f"{form}_ambassadeur")
    assert field.disabled and field.value == "West-Friesland"
    assert any("Alleen het bestuur kan ambassadeurs aanwijzen" in c.value for c in at.caption)
    at.text_input(key=f"{form}_website").input("https://ambassade.example")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        org = store.get_organisation(org_id)
    assert org["website"] == "https://ambassade.example"
    assert org["ambassadeur_voor"] == "West-Friesland"


def test_board_saving_keeps_an_ambassador_value_outside_the_division(register, reference):
    org_id = _ambassador_org(register, reference, "Oude subregio")
    at = _edit("bestuur", org_id)
    form = f"beheer_formulier_{org_id}_0"
    assert at.selectbox(key=f"{form}_ambassadeur").value == "Oude subregio"
    at.text_input(key=f"{form}_website").input("https://ambassade.example")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        assert store.get_organisation(org_id)["ambassadeur_voor"] == "Oude subregio"


def test_board_import_sets_ambassadors_from_the_file(register, reference):
    csv = (b"Bedrijfsnaam;Adres;PC;Plaats;Ambassadeur\r\n"
           b"Dijk Ambassade;Dorpsstraat 1;1703 AB;Heerhugowaard;ja\r\n")
    at = page("bestuur")
    at.file_uploader(key="beheer_upload").set_value(("partners.csv", csv, "text/csv")).run()
    assert not any("wordt genegeerd" in w.value for w in at.warning)
    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        org = store.organisations().iloc[0]
    assert org["ambassadeur_voor"] == org["subregio"] and org["subregio"]


def test_team_sees_the_tabs(register):
    at = page("team")
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Importeren", "Controleren", "Bewerken", "Opleidingslocaties", "Historie", "Exporteren",
    ]
    assert len(at.file_uploader) == 1


def test_upload_preview_then_import(register, reference):
    at = page()
    at.file_uploader(key="beheer_upload").set_value(("partners.csv", CSV, "text/csv"))
    at.run()
    assert not at.exception
    assert "Kleur" in texts(at)  # unknown column reported
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ok"] == "1" and metrics["fout"] == "1" and metrics["waarschuwing"] == "1"
    preview = at.dataframe[0].value
    if hasattr(preview, "data"):  # a Styler
        preview = preview.data
    assert list(preview["rij"]) == [4, 5, 6]
    assert "contactpersoon" not in preview.columns
    assert "<b>Vet</b> Infra" in list(preview["naam"])
    with Store(register, reference) as store:
        assert store.organisations().empty  # nothing written before "Importeren"

    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    assert any("3 nieuw" in s.value for s in at.success)
    with Store(register, reference) as store:
        orgs = store.organisations(include_personal=True).set_index("naam")
    assert set(orgs.index) == {"Wegenbouw Ærø & Zn", "<b>Vet</b> Infra", "Alleen Plaats BV"}
    assert orgs.loc["Wegenbouw Ærø & Zn", "contactpersoon"] == "Jan Geheim"
    assert orgs.loc["<b>Vet</b> Infra", "status"] == "fout"

    # The next file starts afresh: the last import's outcome is not shown above it.
    at.file_uploader(key="beheer_upload").set_value(("volgende.csv", CSV, "text/csv"))
    at.run()
    assert not at.exception
    assert not any("3 nieuw" in s.value for s in at.success)


def test_user_text_is_escaped_in_markdown(register):
    at = page()
    at.file_uploader(key="beheer_upload").set_value(
        ("<img src=x onerror=alert(1)>.csv", CSV, "text/csv"))
    at.run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "rijen met gegevens" in m.value]
    assert shown and "\\<img" in shown[0]
    assert re.search(r"(?<!\\)[<>]", shown[0]) is None  # every angle bracket escaped


def test_unreadable_upload_shows_dutch_error(register):
    at = page()
    at.file_uploader(key="beheer_upload").set_value(("oud.xls", b"\xd0\xcf\x11\xe0" + b"0" * 50,
                                                     "application/vnd.ms-excel"))
    at.run()
    assert not at.exception
    assert any("xlsx" in e.value and "xls" in e.value for e in at.error)


def test_review_typed_coordinates_place_by_hand(register, reference):
    with Store(register, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Ruw Geplaatst", "plaats": "Purmerend", "lat": 52.5, "lon": 4.95,
             "nauwkeurigheid": "plaats", "status": "waarschuwing",
             "melding": "Alleen op plaatsnaam."}, user="test")
    at = page()
    assert not at.exception
    review = at.dataframe[0].value
    if hasattr(review, "data"):
        review = review.data
    assert list(review["naam"]) == ["Ruw Geplaatst"]
    at.text_input(key=f"beheer_coord_{org_id}").input("52,5021 4,9601").run()
    at.button(key="beheer_coord_ok").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        org = store.get_organisation(org_id)
    assert org["nauwkeurigheid"] == "handmatig"
    assert org["status"] == "ok"
    assert (round(org["lat"], 4), round(org["lon"], 4)) == (52.5021, 4.9601)

    # Placed by hand: the organisation left the review list.
    assert any("Niets te controleren" in s.value for s in at.success)


def test_review_goes_on_with_the_next_organisation_after_each_save(register, reference):
    """Five organisations reviewed in a row, each by a different action, without going back
    to the list: after every save the next one of the queue is chosen."""
    rows = [("A Ruw", "plaats", "waarschuwing", 52.50, 4.95),
            ("B Ruw", "plaats", "waarschuwing", 52.63, 4.75),
            ("C Ruw", "plaats", "waarschuwing", 52.37, 4.90),
            ("D Ruw", "plaats", "waarschuwing", 52.96, 4.76),
            ("E Ruw", "plaats", "waarschuwing", 52.70, 5.00)]
    with Store(register, reference) as store:
        ids = [store.save_organisation(
            {"naam": name, "plaats": "Purmerend", "lat": lat, "lon": lon,
             "nauwkeurigheid": precision, "status": status}, user="test")
            for name, precision, status, lat, lon in rows]
    at = page()
    keys = "beheer_controle_keuze"
    assert at.selectbox(key=keys).value == ids[0]
    assert "Organisatie 1 van 5" in texts(at)
    # Skip the first, then handle the second by typed coordinates.
    at.button(key="beheer_controle_volgende_knop").click().run()
    assert at.selectbox(key=keys).value == ids[1]
    at.text_input(key=f"beheer_coord_{ids[1]}").input("52,6318 4,7480").run()
    at.button(key="beheer_coord_ok").click().run()
    assert not at.exception
    assert at.selectbox(key=keys).value == ids[2]
    assert "Organisatie 2 van 4" in texts(at)
    # Confirm the next three as they are.
    for expected_next in (ids[3], ids[4], ids[0]):
        at.button(key="beheer_akkoord").click().run()
        assert not at.exception
        assert at.selectbox(key=keys).value == expected_next
    at.button(key="beheer_akkoord").click().run()
    assert any("Niets te controleren" in s.value for s in at.success)
    with Store(register, reference) as store:
        saved = store.organisations()
    assert set(saved["nauwkeurigheid"]) == {"handmatig"}
    assert set(saved["status"]) == {"ok"}


def test_review_rejects_coordinates_outside_the_netherlands(register, reference):
    with Store(register, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Niet Geplaatst", "plaats": "Nergens", "status": "fout",
             "melding": "Plaats 'Nergens' is onbekend."}, user="test")
    at = page()
    at.text_input(key=f"beheer_coord_{org_id}").input("48.85, 2.35").run()
    at.button(key="beheer_coord_ok").click().run()
    assert not at.exception
    assert any("niet in Nederland" in e.value for e in at.error)
    with Store(register, reference) as store:
        org = store.get_organisation(org_id)
    assert org["lat"] is None and org["nauwkeurigheid"] == "geen"


def test_edit_new_organisation_and_conflict(register, reference):
    at = page()
    form = "beheer_formulier_0_0"
    at.text_input(key=f"{form}_naam").input("Nieuw & Co")
    at.text_input(key=f"{form}_postcode").input("1811 AB")
    at.text_input(key=f"{form}_email").input("info@nieuw.example")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    assert any("opgeslagen" in s.value for s in at.success)
    with Store(register, reference) as store:
        org = store.organisations(include_personal=True).iloc[0]
    assert org["naam"] == "Nieuw & Co" and org["email"] == "info@nieuw.example"
    assert org["gemeentenaam"] == "Alkmaar"
    org_id = int(org["id"])

    # After saving, the new organisation is selected for further editing.
    assert at.selectbox(key="beheer_bewerk_keuze").value == org_id
    form = f"beheer_formulier_{org_id}_0"
    assert at.text_input(key=f"{form}_naam").value == "Nieuw & Co"
    # Someone else saves first.
    with Store(register, reference) as store:
        store.save_organisation({"id": org_id, "notities": "door collega"}, user="collega")
    at.text_input(key=f"{form}_telefoon").input("0721234567")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    assert any("intussen door iemand anders gewijzigd" in e.value for e in at.error)
    with Store(register, reference) as store:
        after = store.get_organisation(org_id, include_personal=True)
    assert after["telefoon"] == "" and after["notities"] == "door collega"
    # Load the newest version and save again: now it works.
    at.button(key="beheer_herladen").click().run()
    form = f"beheer_formulier_{org_id}_1"
    assert at.text_area(key=f"{form}_notities").value == "door collega"
    at.text_input(key=f"{form}_telefoon").input("0721234567")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        assert store.get_organisation(org_id, include_personal=True)["telefoon"] == "0721234567"
        history = store.history(org_id)
    assert "telefoon" in set(history["veld"])


def test_example_data_box_and_removal(register, reference):
    from geo.register.examples import load_example_data

    with Store(register, reference) as store:
        load_example_data(store)
        assert store.organisation_count(examples=True) > 0
    at = page()
    assert any("voorbeeldorganisaties" in i.value for i in at.info)
    at.button(key="beheer_voorbeeld_weg").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        assert not store.organisation_count(examples=True) > 0
    assert not any("voorbeeldorganisaties" in i.value for i in at.info)


def test_history_and_export_tabs(register, reference):
    with Store(register, reference) as store:
        store.save_organisation({"naam": "Historisch BV", "plaats": "Hoorn"}, user="tester")
    at = page()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    frames = [f.data if hasattr(f, "data") else f for f in frames]
    history = next(f for f in frames if "Veld" in f.columns)
    assert isinstance(history, pd.DataFrame) and "tester" in set(history["Wie"])
    assert "Historisch BV" in set(history["Naam"])
    at.button(key="beheer_export_maken").click().run()
    assert not at.exception


def test_import_after_a_colleagues_edit_reports_the_conflict(register, reference):
    with Store(register, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Wegenbouw Ærø & Zn", "straat": "Dorpsstraat 1", "postcode": "1703 AB",
             "plaats": "Heerhugowaard"}, user="tester")
    at = page()
    at.file_uploader(key="beheer_upload").set_value(("partners.csv", CSV, "text/csv"))
    at.run()
    preview = at.dataframe[0].value
    preview = preview.data if hasattr(preview, "data") else preview
    assert list(preview["actie"]) == ["bijwerken", "nieuw", "nieuw"]
    # A colleague changes the contact person after the preview, before 'Importeren'.
    with Store(register, reference) as store:
        store.save_organisation({"id": org_id, "contactpersoon": "Collega Contact"},
                                user="collega")
    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    assert any("2 nieuw" in s.value and "1 niet opgeslagen" in s.value for s in at.success)
    (warning,) = [w.value for w in at.warning if "niet opgeslagen" in w.value]
    assert "Rij 4" in warning and "Contactpersoon" in warning and "collega" in warning
    assert "Collega Contact" not in warning and "Jan Geheim" not in warning
    with Store(register, reference) as store:
        kept = store.get_organisation(org_id, include_personal=True)
        assert kept["contactpersoon"] == "Collega Contact"
        assert store.organisation_count() == 3


def test_delete_erases_the_personal_data_from_the_history(register, reference):
    with Store(register, reference) as store:
        org_id = store.save_organisation({"naam": "Weg B.V.", "notities": "Jan belt"},
                                         user="tester")
        store.save_organisation({"id": org_id, "notities": "Jan belde terug",
                                 "email": "jan@weg.invalid"}, user="tester")
    at = page()
    at.selectbox(key="beheer_bewerk_keuze").set_value(org_id).run()
    assert any("persoonsgegevens" in c.value for c in at.caption)
    at.checkbox(key=f"beheer_weg_zeker_{org_id}").check().run()
    at.button(key="beheer_weg").click().run()
    assert not at.exception
    assert any("verwijderd" in s.value and "gewist" in s.value for s in at.success)
    with Store(register, reference) as store:
        history = store.history(org_id)
    assert "(persoonsgegevens gewist)" in set(history["veld"])
    assert "Jan" not in history.to_csv()


def test_a_register_that_cannot_be_opened_gives_a_dutch_error(app_env, monkeypatch):
    blocker = app_env / "var-is-een-bestand"
    blocker.write_text("geen map")
    monkeypatch.setenv("INFRAKAART_VAR_DIR", str(blocker))
    at = page()
    assert not at.exception
    assert any("kan niet worden geopend" in e.value and "bestand" in e.value
               for e in at.error)


def test_suggestions_accepted_for_all_then_imported(register, reference):
    csv = (b"Bedrijfsnaam;Adres;Postcode;Plaats;Branche;Donateur;Contactpersoon\r\n"
           b"Havenbouw Helder;Havenweg 3;1781 AB;Den Heldr;Waterbouw;ja;Jan Geheim\r\n"
           b"Riolering Alkmaar;Kanaalkade 2;1812 AB;Alkmaar;Riolering;nee;\r\n"
           b"Grondwerk Kop;Kanaalweg 5;17O3AB;Heerhugowaard;Aannemer;nee;\r\n")
    at = page()
    at.file_uploader(key="beheer_upload").set_value(("partners.csv", csv, "text/csv")).run()
    assert not at.exception
    preview = at.dataframe[0].value
    preview = getattr(preview, "data", preview)
    assert list(preview["Soort"]) == ["Aannemer", "Overig", "Aannemer"]
    assert list(preview["Donateur"]) == ["ja", "nee", "nee"]
    assert "Contactpersoon" not in preview.columns
    assert list(preview["voorstel"]) == ["Plaats: Den Heldr → Den Helder",
                                         "Soort: Riolering → Aannemer",
                                         "Postcode: 17O3AB → 1703 AB"]
    at.button(key="beheer_voorstellen_alle").click().run()
    assert not at.exception
    assert any("3 voorstellen aangenomen" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["ok"] == "3"
    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        orgs = store.organisations(include_personal=True).set_index("naam")
    assert orgs.loc["Havenbouw Helder", "plaats"] == "Den Helder"
    assert "'Den Heldr'" in orgs.loc["Havenbouw Helder", "melding"]
    assert orgs.loc["Riolering Alkmaar", "soort"] == "aannemer"
    assert orgs.loc["Grondwerk Kop", "postcode"] == "1703 AB"


def test_team_sets_the_address_of_an_education_place(register, reference):
    at = page("team")
    assert any("Nog alleen op plaatsniveau" in w.value for w in at.warning)
    at.selectbox(key="beheer_plaats_keuze").set_value(1).run()
    form = "beheer_plaats_1_1_2"
    at.text_input(key=f"{form}_straat").input("Bouwkade 12")
    at.text_input(key=f"{form}_postcode").input("1703AB")
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception
    assert any("postcodegebied" in w.value for w in at.warning)  # offline: not exact yet
    with Store(register, reference) as store:
        place = store.places.get(1)
        history = store.history(1, table="opleidingslocaties")
    assert (place["straat"], place["nauwkeurigheid"]) == ("Bouwkade 12", "postcode4")
    assert "tester" in set(history["gebruiker"])


# ------------------------------------------------------------------------- column mapping

#: The name under "Firma" and the place under "Standplaats": no synonym of either.
FIRMA_CSV = (b"Firma;Adres;PC;Standplaats;Soort;Donateur\r\n"
             b"Firma Grondwerk;Dorpsstraat 1;1703 AB;Heerhugowaard;aannemer;ja\r\n"
             b"Firma Advies;Kade 3;1621 AR;Hoorn;adviesbureau;nee\r\n")


def _column_box(at: AppTest, header: str):
    boxes = [s for s in at.selectbox if s.label == f"Kolom '{header}' is:"]
    assert len(boxes) <= 1
    return boxes[0] if boxes else None


def _previews(at: AppTest) -> list[pd.DataFrame]:
    """The import previews on the page (other tabs hold tables too)."""
    tables = [getattr(d.value, "data", d.value) for d in at.dataframe]
    return [t for t in tables if "rij" in t.columns and "actie" in t.columns]


def _preview(at: AppTest) -> pd.DataFrame:
    [preview] = _previews(at)
    return preview


def test_unknown_columns_are_chosen_remembered_and_recognised_in_the_next_file(register,
                                                                               reference):
    at = page()
    at.file_uploader(key="beheer_upload").set_value(("firma.csv", FIRMA_CSV, "text/csv")).run()
    assert not at.exception
    # No name column: said in Dutch, with the mapping step instead of a check.
    assert any("Geen kolom met de naam van de organisatie" in e.value for e in at.error)
    assert len(at.metric) == 0 and _previews(at) == []
    firma = _column_box(at, "Firma")
    assert firma.value == "" and firma.options[0] == "(niet gebruiken)"
    assert {"Naam", "Plaats", "Contactpersoon"} <= set(firma.options)
    assert not {"Straat", "Postcode", "Soort", "Donateur"} & set(firma.options)  # taken
    assert "Vestigingscode" not in firma.options  # a school's field, not a partner's
    assert "Firma, Standplaats" in texts(at)

    firma.set_value("naam").run()
    assert not at.exception
    assert not at.error
    assert "Firma → Naam (gekozen)" in texts(at)
    assert _column_box(at, "Firma").value == "naam"  # the choice can be changed back
    place = _column_box(at, "Standplaats")
    assert "Naam" not in place.options  # taken by Firma now
    preview = _preview(at)
    assert list(preview["naam"]) == ["Firma Grondwerk", "Firma Advies"]
    assert list(preview["plaats"]) == ["", ""]
    assert list(preview["Soort"]) == ["Aannemer", "Ingenieursbureau"]

    place.set_value("plaats").run()
    assert not at.exception
    preview = _preview(at)
    assert list(preview["plaats"]) == ["Heerhugowaard", "Hoorn"]  # re-read and re-checked
    assert {m.label: m.value for m in at.metric}["ok"] == "2"
    assert at.checkbox(key="beheer_kolommen_onthouden").value is True
    with Store(register, reference) as store:
        assert store.column_mappings.mapping() == {}  # nothing remembered before importing

    at.button(key="beheer_importeren").click().run()
    assert not at.exception
    assert any("2 nieuw" in s.value for s in at.success)
    assert any("2 kolomkeuzes onthouden" in s.value for s in at.success)
    with Store(register, reference) as store:
        orgs = store.organisations().set_index("naam")
        assert store.column_mappings.mapping() == {"firma": "naam", "standplaats": "plaats"}
        assert {m.user for m in store.column_mappings.all()} == {"tester"}
    assert orgs.loc["Firma Grondwerk", "plaats"] == "Heerhugowaard"
    assert bool(orgs.loc["Firma Grondwerk", "donateur"]) is True

    # The next file with the same headers is read the same way without asking.
    second = (b"Firma;Adres;PC;Standplaats\r\n"
              b"Tweede Firma BV;Zeestraat 5;1941 AB;Beverwijk\r\n")
    at.file_uploader(key="beheer_upload").set_value(("tweede.csv", second, "text/csv")).run()
    assert not at.exception
    assert _column_box(at, "Firma") is None and _column_box(at, "Standplaats") is None
    assert not at.error
    assert "Firma → Naam (onthouden)" in texts(at)
    assert list(_preview(at)["plaats"]) == ["Beverwijk"]
    assert "beheer_kolommen_onthouden" not in [c.key for c in at.checkbox]

    # Forgetting a pair: the current file asks for its column again.
    assert any(e.label == "Onthouden kolomkoppelingen (2)" for e in at.expander)
    at.button(key="beheer_kolom_vergeten_firma").click().run()
    assert not at.exception
    with Store(register, reference) as store:
        assert store.column_mappings.mapping() == {"standplaats": "plaats"}
    assert any("Kolomkoppeling vergeten" in s.value for s in at.success)
    assert _column_box(at, "Firma").value == ""
    assert any("Geen kolom met de naam" in e.value for e in at.error)
