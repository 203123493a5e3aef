"""The Beheer page's logic (geo.views.beheer) with plain pytest: no Streamlit involved."""

from __future__ import annotations

import pickle
import re

import pandas as pd
import pytest

from geo.intake.geocoding import OfflineGeocoder
from geo.output.history_table import HISTORY_HEADINGS
from geo.reference.gazetteer import Gazetteer
from geo.register.examples import load_example_data
from geo.register.history import CREATED_FIELD
from geo.register.store import Store
from geo.settings import Settings
from geo.views import beheer as view
from geo.views import review

ADDRESS = {"straat": "Dorpsstraat 1", "postcode": "1703 AB", "plaats": "Heerhugowaard",
           "land": ""}


class CountingGeocoders:
    """A geocoder factory that counts what is made, asked and closed (offline inside)."""

    def __init__(self, gazetteer: Gazetteer, *, went_offline: str = "") -> None:
        self.inner = OfflineGeocoder(gazetteer)
        self.made: list[bool] = []  # the offline flag of each geocoder made
        self.queries: list = []
        self.closed = 0
        self.went_offline = went_offline

    def __call__(self, *, offline: bool):
        factory = self
        factory.made.append(offline)

        class Geocoder:
            went_offline = bool(factory.went_offline)
            offline_reason = factory.went_offline

            def geocode(self, query):
                factory.queries.append(query)
                return factory.inner.geocode(query)

            def close(self):
                factory.closed += 1

        return Geocoder()


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.fixture
def geocoders(gazetteer):
    return CountingGeocoders(gazetteer)


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as s:
        yield s


def form_of(current: dict, **changes) -> dict:
    """The edit form as the page submits it: every widget's value, some changed."""
    names = [f.name for row in view.form_rows() for f in row]
    form = {name: current.get(name) if current.get(name) is not None else ""
            for name in names}
    form["ambassadeur_voor"] = current.get("ambassadeur_voor") or ""
    form.update(changes)
    return form


def save(store, geocoders, reference, edit_id, form, *, role="team"):
    current = view.current_values(store, edit_id)
    version = None if edit_id == view.NEW_ORGANISATION else int(current["versie"])
    return view.save_organisation(
        store, form, edit_id=edit_id, current=current, expected_version=version,
        user="tester", role=role, geocoder_factory=geocoders, offline=True,
        reference=reference, organisations=store.organisations())


# -- re-placing an edited organisation ------------------------------------------------------


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, False),
    ({"website": "https://nieuw.example", "notities": "belt", "donateur": True}, False),
    ({"straat": "  Dorpsstraat   1 "}, False),  # spaces only
    ({"plaats": "HEERHUGOWAARD"}, False),  # case only
    ({"straat": "Dorpsstraat 3"}, True),
    ({"postcode": "1704 AB"}, True),
    ({"plaats": "Alkmaar"}, True),
    ({"land": "België"}, True),
])
def test_needs_geocoding_only_when_the_address_changed(changes, expected):
    current = {"naam": "Dijk BV", **ADDRESS}
    assert view.needs_geocoding({**current, **changes}, current) is expected


def test_a_new_organisation_is_always_placed():
    assert view.needs_geocoding({"naam": "Nieuw BV"}, None) is True


def test_saving_a_new_organisation_places_it(store, geocoders, reference):
    form = form_of(view.current_values(store, view.NEW_ORGANISATION), naam="Nieuw BV",
                   **ADDRESS)
    outcome = save(store, geocoders, reference, view.NEW_ORGANISATION, form)
    assert outcome.saved_id is not None and outcome.geocoded
    assert len(geocoders.queries) == 1 and geocoders.closed == len(geocoders.made) == 1
    org = store.get_organisation(outcome.saved_id)
    assert org["nauwkeurigheid"] == "postcode4" and org["gemeentenaam"] == "Dijk en Waard"
    assert outcome.version == org["versie"] == 1
    assert outcome.messages[0].kind == "success"


def edit_placed_by_hand(store, geocoders, reference, **changes):
    """Save the form of an organisation placed by hand, with ``changes`` typed in."""
    org_id = store.save_organisation({"naam": "Hand BV", **ADDRESS, "lat": 52.70,
                                      "lon": 4.80, "nauwkeurigheid": "handmatig"},
                                     user="test")
    current = view.current_values(store, org_id)
    return org_id, save(store, geocoders, reference, org_id, form_of(current, **changes))


def test_an_unchanged_address_keeps_a_location_placed_by_hand(store, geocoders, reference):
    org_id, outcome = edit_placed_by_hand(store, geocoders, reference,
                                          website="https://hand.example")
    assert outcome.saved_id == org_id and not outcome.geocoded
    assert geocoders.made == [] and geocoders.queries == []  # no geocoder at all
    org = store.get_organisation(org_id)
    assert (org["lat"], org["lon"], org["nauwkeurigheid"]) == (52.70, 4.80, "handmatig")
    assert org["website"] == "https://hand.example"


def test_an_edited_address_is_placed_again(store, geocoders, reference):
    org_id, outcome = edit_placed_by_hand(store, geocoders, reference, straat="Kade 3",
                                          postcode="1621 AB", plaats="Hoorn")
    assert outcome.geocoded and len(geocoders.queries) == 1 and geocoders.closed == 1
    assert geocoders.queries[0].postcode == "1621 AB"
    org = store.get_organisation(org_id)
    assert org["nauwkeurigheid"] == "postcode4" and org["gemeentenaam"] == "Hoorn"


def test_a_colleagues_newer_version_refuses_the_save(store, geocoders, reference):
    org_id = store.save_organisation({"naam": "Druk BV"}, user="test")
    current = view.current_values(store, org_id)
    store.save_organisation({"id": org_id, "notities": "collega"}, user="collega")
    outcome = view.save_organisation(
        store, form_of(current, website="https://druk.example"), edit_id=org_id,
        current=current, expected_version=1, user="tester", role="team",
        geocoder_factory=geocoders, offline=True, reference=reference,
        organisations=store.organisations())
    assert outcome.saved_id is None and outcome.conflict["notities"] == "collega"
    assert "intussen door iemand anders gewijzigd" in outcome.messages[0].text


def test_only_the_board_writes_the_ambassador(store, geocoders, reference):
    org_id = store.save_organisation({"naam": "Ambassade BV", "plaats": "Hoorn"},
                                     user="test")
    current = view.current_values(store, org_id)
    form = form_of(current, ambassadeur_voor="West-Friesland")
    save(store, geocoders, reference, org_id, form, role="team")  # not even submitted
    assert store.get_organisation(org_id)["ambassadeur_voor"] is None
    save(store, geocoders, reference, org_id, form, role="bestuur")
    assert store.get_organisation(org_id)["ambassadeur_voor"] == "West-Friesland"


# -- the form -------------------------------------------------------------------------------


def test_the_form_is_laid_out_from_the_registry():
    rows = [[f.name for f in row] for row in view.form_rows()]
    assert rows == [["naam"], ["soort", "donateur", "actief"], ["straat"],
                    ["postcode", "plaats", "land"], ["website"],
                    ["contactpersoon", "email", "telefoon"], ["notities"], ["ambassadeur_voor"]]


def test_an_unknown_stored_ambassador_stays_a_choice():
    assert view.ambassador_options({"ambassadeur_voor": "Oud"}, ["A", "B"]) == ["", "A", "B",
                                                                                 "Oud"]
    assert view.ambassador_options({"ambassadeur_voor": "A"}, ["A", "B"]) == ["", "A", "B"]


# -- import ---------------------------------------------------------------------------------

CSV = (b"Bedrijfsnaam;Adres;PC;Plaats;Ambassadeur\r\n"
       b"Dijk Ambassade;Dorpsstraat 1;1703 AB;Heerhugowaard;ja\r\n"
       b"Kade BV;Kade 3;1621 AB;Hoorn;\r\n")


def started(kind: str = "partners") -> view.ImportState:
    state, problem = view.start_import(("id", kind, True), CSV, "partners.csv", kind=kind,
                                       settings=Settings())
    assert problem is None
    return state


def test_an_unreadable_upload_gives_a_dutch_error():
    state, problem = view.start_import(("id", "partners", True), b"\xd0\xcf\x11\xe0" + b"0" * 50,
                                       "oud.xls", kind="partners", settings=Settings())
    assert state.run is None and problem.kind == "error" and "xlsx" in problem.text


def test_checking_geocodes_only_when_asked_and_keeps_plain_data(geocoders, reference):
    state = started()
    none_yet = view.check_import(state, geocoder_factory=geocoders, offline=True,
                                 reference=reference, existing=pd.DataFrame(), proceed=False)
    assert none_yet == [] and geocoders.made == []
    steps = []
    verdicts = view.check_import(state, geocoder_factory=geocoders, offline=True,
                                 reference=reference, existing=pd.DataFrame(), proceed=True,
                                 progress=lambda done, total: steps.append((done, total)))
    assert [v.name for v in verdicts] == ["Dijk Ambassade", "Kade BV"]
    assert steps == [(1, 2), (2, 2)] and geocoders.made == [True] and geocoders.closed == 1
    again = view.check_import(state, geocoder_factory=geocoders, offline=True,
                              reference=reference, existing=pd.DataFrame(), proceed=True)
    assert again == verdicts and len(geocoders.queries) == 2  # not geocoded twice
    assert view.placement(state, offline=True) == ("offline", None)
    pickle.dumps(state)  # plain data: safe to keep in a session


def test_pdok_given_up_is_remembered_and_said(gazetteer, reference):
    geocoders = CountingGeocoders(gazetteer, went_offline="PDOK onbereikbaar (time-out).")
    state = started()
    view.check_import(state, geocoder_factory=geocoders, offline=False, reference=reference,
                      existing=pd.DataFrame(), proceed=True)
    how, warning = view.placement(state, offline=False)
    assert how == "offline" and "time\\-out" in warning.text


def test_the_team_imports_without_the_ambassador_column(geocoders, reference):
    state = started()
    verdicts = view.check_import(state, geocoder_factory=geocoders, offline=True,
                                 reference=reference, existing=pd.DataFrame(), proceed=True)
    team = view.plan_import(state, verdicts, role="team", reference=reference)
    assert "wordt genegeerd" in team.warning.text
    assert all("ambassadeur_voor" not in r for r in team.records)
    state.previewed = None
    board = view.plan_import(state, verdicts, role="bestuur", reference=reference)
    assert board.warning is None and board.records[0]["ambassadeur_voor"]
    assert board.summary == "Bij importeren: 2 nieuw, 0 bijwerken, 0 overslaan."


def test_importing_writes_the_records_of_the_preview(store, geocoders, reference):
    state = started()
    verdicts = view.check_import(state, geocoder_factory=geocoders, offline=True,
                                 reference=reference, existing=store.organisations(),
                                 proceed=True)
    shown = view.plan_import(state, verdicts, role="team", reference=reference)
    # The click's own run plans again; what is written is what the user saw.
    store.save_organisation({"naam": "Kade BV", "straat": "Kade 3", "postcode": "1621 AB",
                             "plaats": "Hoorn"}, user="collega")
    verdicts = view.check_import(state, geocoder_factory=geocoders, offline=True,
                                 reference=reference, existing=store.organisations(),
                                 proceed=True)
    clicked = view.plan_import(state, verdicts, role="team", reference=reference)
    assert clicked.records == shown.records
    outcome = view.apply_import(store, state, clicked.records, user="tester", role="team")
    assert "1 nieuw" in outcome.summary and "1 niet opgeslagen" in outcome.summary
    assert len(outcome.conflicts) == 1 and "Kade BV" in outcome.conflicts[0]
    assert state.run is None and state.previewed is None
    assert view.conflicts_warning(outcome.conflicts).startswith("1 rij niet opgeslagen")


# -- examples, review, history --------------------------------------------------------------


def test_example_notice_and_removal(store):
    assert view.example_notice(store) is None
    load_example_data(store)
    assert "voorbeeldorganisaties" in view.example_notice(store)
    message = view.remove_examples(store, user="tester")
    assert message.kind == "success" and view.example_notice(store) is None


def test_hand_placement_and_review(store):
    org_id = store.save_organisation({"naam": "Ruw [BV]", "plaats": "Purmerend",
                                      "status": "waarschuwing"}, user="test")
    org = store.get_organisation(org_id)
    point, problem = review.typed_location("48.85, 2.35")
    assert point is None and "niet in Nederland" in problem.text
    point, problem = review.typed_location("52,5021 4,9601")
    message = review.save_location(store, org, *point, "coördinaten getypt", user="tester")
    assert message.kind == "success" and "Ruw \\[BV\\]" in message.text
    saved = store.get_organisation(org_id)
    assert saved["nauwkeurigheid"] == "handmatig" and saved["status"] == "ok"
    stale = review.mark_checked(store, org, user="tester")  # the version moved on
    assert stale.kind == "error"


def test_history_only_for_roles_that_may_see_it(store):
    store.save_organisation({"naam": "Historisch BV"}, user="tester")
    assert view.history_table(store, role="publiek") is None
    table = view.history_table(store, role="team")
    assert list(table.columns) == list(HISTORY_HEADINGS)
    assert "tester" in set(table["Wie"])
    made = table[table["Naam"] == "Historisch BV"].iloc[0]
    assert made["Wat"] == "organisatie" and made["Veld"] == CREATED_FIELD
    assert re.fullmatch(r"\d{1,2} [a-z]{3} \d{4} \d{2}:\d{2}", made["Wanneer"])
    seeded = table[table["Wat"] == "opleidingslocatie"]  # the bundled mbo places
    assert set(seeded["Naam"]) == set(store.places.all()["naam"])
