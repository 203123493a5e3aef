"""The messy-file story of issue 12, offline: PDOK down, no toggle touched.

An office list as people keep it (title rows, the header on row 4, ``1703 ab``,
``17O3AB``, misspelled places, an empty row, a duplicate, a company in Lelystad, phone
numbers stored as numbers) is checked with a geocoder whose PDOK is unreachable. Sound
rows are ok at postcode precision, the real problems stand out, every misspelling gets
the right suggestion, and accepting them stores the official names.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geo.errors import GeocoderUnavailable
from geo.intake.geocoding import FallbackGeocoder, OfflineGeocoder
from geo.intake.records import preview_table
from geo.intake.verdicts import count_statuses
from geo.reference.gazetteer import Gazetteer
from geo.register.store import Store
from geo.settings import Settings
from geo.views import beheer as view
from geo.views import review

HEADER = ["Bedrijfsnaam", "Adres", "Postcode", "Plaats", "Branche", "Donateur", "Telefoon"]

#: (name, street, postcode, place, kind, donor, phone); None is the empty row.
ROWS = [
    ("Wegenbouw Noord BV", "Dorpsstraat 1", "1703 ab", "Heerhugowaard", "Aannemer", "ja",
     725551234),
    ("Grondwerk Kop", "Kanaalweg 5", "17O3AB", "Heerhugowaard", "GWW-aannemer", "nee", None),
    ("Havenbouw Helder", "Havenweg 3", "1781 AB", "Den Heldr", "Waterbouw", "ja", 223555111),
    ("Middenweg Infra", "Middenweg 10", "1704 BC", "Heerhugowaad", "Infra", "nee", None),
    ("Asfalt Alkmaar", "Kerkweg 7", "1811 AB", "Alkmar", "Wegenbouwer", "ja", None),
    ("Purmer Grond", "Wherevaart 2", "1441 AA", "Purmerent", "Grondverzet", "nee", None),
    ("Zaanse Kabels", "Westzijde 9", "1506 AB", "Zaandan", "Kabelbouw", "ja", 756555222),
    ("Meer Techniek", "Raadhuisplein 1", "2132 AB", "Hoofdorp", "Ingenieursbureau", "nee",
     None),
    ("Westfries Waterbouw", "Havenweg 4", "1601 AB", "Enkhuisen", "Waterbouw", "ja", None),
    ("Gooise Bestrating", "Brinklaan 3", "1405 AB", "Busum", "Bestrating", "nee", None),
    ("Flevo Infra", "Stationsplein 1", "8211 AB", "Lelystad", "Aannemer", "ja", None),
    None,
    ("Wegenbouw Noord BV", "Dorpsstraat 1", "1703 AB", "Heerhugowaard", "Aannemer", "ja",
     None),
    ("Riolering Alkmaar", "Kanaalkade 2", "1812 AB", "Alkmaar", "Riolering", "nee", None),
    ("Ingenieursbureau Hoorn", "Grote Oost 1", "1621 AB", "Hoorn", "Ingenieursbureau", "ja",
     229555333),
    ("Kustweg Aannemers", "Zeeweg 1", "1941 AB", "Beverwijk", "Aannemer", "nee", None),
    ("Spaarne Civiel", "Grote Markt 1", "2011 AB", "Haarlem", "Civiel", "ja", None),
    ("Amstel Leidingbouw", "Damrak 1", "1012 AB", "Amsterdam", "Leidingbouw", "nee", None),
    ("Schager Grondwerk", "Markt 1", "1741 AB", "Schagen", "Grondwerk", "ja", None),
    ("Medemblik Bagger", "Kaasmarkt 1", "1671 AB", "Medemblik", "Baggerwerk", "nee", None),
    ("Zaandam Infra", "Gedempte Gracht 1", "1501 AB", "Zaandam", "Infra", "ja", None),
    ("Purmerend Advies", "Koemarkt 1", "1441 AB", "Purmerend", "Adviesbureau", "nee", None),
    ("Heiloo Sloop", "Kennemerstraatweg 1", "1851 AB", "Heiloo", "Sloopbedrijf", "ja", None),
    ("Castricum Funderingen", "Dorpsstraat 2", "1901 AB", "Castricum", "Funderingen", "nee",
     None),
    ("IJmond Havenbouw", "Kennemerlaan 1", "1971 AB", "IJmuiden", "Waterbouw", "ja", None),
    ("Gooi Netbeheer", "Kerkstraat 1", "1211 AB", "Hilversum", "Netbeheerder", "nee", None),
    ("Amstelveen Civiel", "Stadsplein 1", "1181 AB", "Amstelveen", "Civiel", "ja", None),
    ("Bergen Groenbouw", "Dorpsstraat 3", "1861 AB", "Bergen", "Aannemer", "nee", None),
    ("Texel Infra", "Weverstraat 1", "1791 AB", "Den Burg", "Infra", "ja", None),
    ("Volendam Kabels", "Haven 1", "1131 AB", "Volendam", "Kabelbouw", "nee", None),
    ("Uitgeest Grondverzet", "Middelweg 1", "1911 AB", "Uitgeest", "Grondverzet", "ja",
     None),
]

#: Misspelled place → the official name the data suggest.
MISSPELLED = {"Den Heldr": "Den Helder", "Heerhugowaad": "Heerhugowaard",
              "Alkmar": "Alkmaar", "Purmerent": "Purmerend", "Zaandan": "Zaandam",
              "Hoofdorp": "Hoofddorp", "Enkhuisen": "Enkhuizen", "Busum": "Bussum"}


def messy_workbook() -> bytes:
    """The list as an .xlsx: two title rows, an empty row, the header on row 4."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(["Partnerlijst Infra Bindt"])
    sheet.append(["Stand: november, niet verspreiden"])
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(list(row) if row else [])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class DownPdok:
    """A PDOK geocoder that cannot be reached (as when there is no internet)."""

    def __init__(self) -> None:
        self.asked = 0

    def geocode(self, query):
        self.asked += 1
        raise GeocoderUnavailable("PDOK onbereikbaar (geen verbinding).")

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.fixture
def factory(gazetteer):
    """The page's geocoder factory with PDOK down: the default path (offline=False)."""
    made = []

    def make(*, offline: bool):
        offline_geocoder = OfflineGeocoder(gazetteer)
        geocoder = offline_geocoder if offline else FallbackGeocoder(DownPdok(),
                                                                     offline_geocoder)
        made.append(geocoder)
        return geocoder

    make.made = made
    return make


@pytest.fixture
def checked(factory, reference):
    state, problem = view.start_import(("messy", "partners", False), messy_workbook(),
                                       "partners.xlsx", kind="partners", settings=Settings())
    assert problem is None
    verdicts = view.check_import(state, geocoder_factory=factory, offline=False,
                                 reference=reference, existing=pd.DataFrame(), proceed=True)
    return state, verdicts


def by_name(verdicts, name, *, first=True):
    found = [v for v in verdicts if v.name == name]
    return found[0] if first else found


def test_header_on_row_four_and_every_row_read(checked):
    state, verdicts = checked
    assert state.run.table.header_row == 4
    assert len(verdicts) == len([r for r in ROWS if r])


def test_pdok_down_is_said_once_and_sound_rows_are_ok(checked, factory):
    state, verdicts = checked
    assert factory.made and factory.made[0].went_offline  # the default path, not the toggle
    how, warning = view.placement(state, offline=False)
    assert how == "offline" and "PDOK" in warning.text
    counts = count_statuses(verdicts)
    assert counts["ok"] >= 25, [(v.row, v.name, v.message) for v in verdicts
                                if v.status != "ok"]
    for v in verdicts:
        assert "PDOK" not in v.message  # said once for the check, not per row
    ok = [v for v in verdicts if v.status == "ok"]
    assert {v.precision for v in ok} == {"postcode4"}
    assert by_name(verdicts, "Wegenbouw Noord BV").values["postcode"] == "1703 AB"


def test_the_real_problems_stand_out(checked):
    _, verdicts = checked
    lelystad = by_name(verdicts, "Flevo Infra")
    assert lelystad.status == "waarschuwing" and "buiten de vijf" in lelystad.message
    first, second = by_name(verdicts, "Wegenbouw Noord BV", first=False)
    assert second.duplicate_of == first.row and second.skip
    bad_postcode = by_name(verdicts, "Grondwerk Kop")
    assert bad_postcode.status == "fout"
    assert [(s.field, s.original, s.suggestion) for s in bad_postcode.suggestions] == [
        ("postcode", "17O3AB", "1703 AB")]


def test_every_misspelled_place_gets_its_official_name(checked):
    _, verdicts = checked
    suggested = {s.original: s.suggestion for v in verdicts for s in v.suggestions
                 if s.field == "plaats"}
    assert suggested == MISSPELLED
    for v in verdicts:
        if v.values.get("plaats") in MISSPELLED:
            assert v.status == "ok"  # the postcode is right: a spelling matter, no alarm
            assert "onbekend" in v.message  # but the stored note says so


def test_kinds_are_read_and_suggested(checked):
    _, verdicts = checked
    riool = by_name(verdicts, "Riolering Alkmaar")
    assert [(s.field, s.suggestion) for s in riool.suggestions] == [("soort", "aannemer")]
    exact = by_name(verdicts, "Ingenieursbureau Hoorn")
    assert not exact.suggestions  # read as it is: nothing to correct


def test_preview_shows_how_each_row_is_read(checked):
    state, verdicts = checked
    preview = preview_table(verdicts, fields=state.run.table.fields)
    assert {"Soort", "Donateur", "voorstel"} <= set(preview.columns)
    assert "Telefoon" not in preview.columns  # personal data stay out of the preview
    row = preview[preview["naam"] == "Riolering Alkmaar"].iloc[0]
    assert (row["Soort"], row["Donateur"]) == ("Overig", "nee")
    assert row["voorstel"] == "Soort: Riolering → Aannemer"
    assert preview[preview["naam"] == "Ingenieursbureau Hoorn"].iloc[0]["Soort"] == (
        "Ingenieursbureau")
    helder = preview[preview["naam"] == "Havenbouw Helder"].iloc[0]
    assert helder["voorstel"] == "Plaats: Den Heldr → Den Helder"


def test_accepting_all_stores_official_names_and_keeps_originals(checked, factory,
                                                                  reference, tmp_path):
    state, _ = checked
    verdicts, message = view.accept_suggestions(
        state, None, geocoder_factory=factory, offline=False, reference=reference,
        existing=pd.DataFrame())
    assert message.kind == "success" and "10" in message.text
    assert not any(v.suggestions for v in verdicts)
    counts = count_statuses(verdicts)
    assert counts == {"ok": len(verdicts) - 2, "waarschuwing": 2, "fout": 0}
    plan = view.plan_import(state, verdicts, role="team", reference=reference)
    with Store(tmp_path / "register.sqlite", reference) as store:
        view.apply_import(store, state, plan.records, user="anna", role="team")
        stored = store.organisations(include_personal=True).set_index("naam")
        history = store.history()
        # Reviewing the organisation later replaces its note; the history keeps it.
        org = store.get_organisation(int(stored.loc["Havenbouw Helder", "id"]))
        review.mark_checked(store, org, user="piet")
        later = store.history(int(org["id"]))
    for official in MISSPELLED.values():
        row = stored.loc[[n for n in stored.index
                          if stored.loc[n, "plaats"] == official][0]]
        assert row["status"] == "ok"
    helder = stored.loc["Havenbouw Helder"]
    assert helder["plaats"] == "Den Helder"
    assert "'Den Heldr' verbeterd tot 'Den Helder'" in helder["melding"]
    assert stored.loc["Grondwerk Kop", "postcode"] == "1703 AB"
    assert "'17O3AB'" in stored.loc["Grondwerk Kop", "melding"]
    riool = stored.loc["Riolering Alkmaar"]
    assert (riool["soort"], riool["soort_origineel"]) == ("aannemer", "Riolering")
    made = history[(history["tabel"] == "organisaties") & (history["veld"] == "(aangemaakt)")]
    assert len(made) == len(stored)
    note = later[later["veld"] == "melding"].iloc[0]
    assert "'Den Heldr'" in note["oud"] and note["gebruiker"] == "piet"
    assert stored.loc["Wegenbouw Noord BV", "telefoon"] == "0725551234"  # number restored


def test_accepting_one_row_leaves_the_others(checked, factory, reference):
    state, verdicts = checked
    helder = by_name(verdicts, "Havenbouw Helder")
    after, message = view.accept_suggestions(
        state, [helder.row], geocoder_factory=factory, offline=False, reference=reference,
        existing=pd.DataFrame())
    assert message.kind == "success"
    assert by_name(after, "Havenbouw Helder").values["plaats"] == "Den Helder"
    assert by_name(after, "Asfalt Alkmaar").suggestions  # not accepted: still offered
