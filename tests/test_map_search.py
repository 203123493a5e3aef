"""geo.views.map_search and geo.output.focus: a map's search box and what the map looks at."""

from __future__ import annotations

import dataclasses

import pytest

from geo.intake.geocoding import AddressQuery, OfflineGeocoder, make_geocoder
from geo.output.focus import CHOSEN, SEARCHED, Focus, zoom_for
from geo.output.maps import base_map, finish_map
from geo.reference.gazetteer import Gazetteer, precision_label
from geo.reference.regions import assign_areas
from geo.settings import Settings
from geo.text import md
from geo.views.map_search import (
    FocusState,
    PlaceSearch,
    address_query,
    next_state,
    search_place,
)
from tests.fake_pdok import fake_pdok_fixture  # noqa: F401  (fixture "fake_pdok")
from tests.map_payloads import layer, payloads


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


class NoGeocoder:
    """A geocoder factory that fails the test when a geocoder is asked for."""

    def __call__(self, *, offline: bool):
        raise AssertionError("postcodes and places are found offline, without a geocoder")


def offline_factory(gazetteer):
    opened = []

    def factory(*, offline: bool):
        opened.append(offline)
        return OfflineGeocoder(gazetteer)

    factory.opened = opened
    return factory


def _municipality(reference, location) -> str:
    return assign_areas([location.lon], [location.lat], reference).iloc[0]["gemeentecode"]


# --------------------------------------------------------------------------- offline


@pytest.mark.parametrize("text", ["1703 AB", "1703ab", " 1703 "])
def test_a_postcode_is_found_offline_at_its_four_digits(gazetteer, reference, text):
    found = search_place(text, gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    assert found.found and found.source == "offline"
    assert found.location.precision == "postcode4"
    assert found.location.label == "1703 · Heerhugowaard"
    assert _municipality(reference, found.location) == "GM1980"  # Dijk en Waard
    assert md(precision_label("postcode4")) in found.message
    assert found.message.startswith("Gevonden offline")
    assert ("vier cijfers" in found.message) == ("ab" in text.lower())
    assert found.focus == Focus(found.location.lat, found.location.lon,
                                label="Gezocht: 1703 · Heerhugowaard", zoom=14, kind=SEARCHED)


def test_a_place_is_found_offline_in_its_municipality(gazetteer, reference):
    found = search_place("alkmaar", gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    assert found.location.precision == "plaats"
    assert found.location.label == "Alkmaar (Alkmaar)"
    assert _municipality(reference, found.location) == "GM0361"
    assert md(precision_label("plaats")) in found.message
    assert found.focus.zoom == zoom_for("plaats") == 13


def test_julianadorp_lies_in_den_helder(gazetteer, reference):
    found = search_place("Julianadorp", gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    assert found.location.label == "Julianadorp (Den Helder)"
    assert _municipality(reference, found.location) == "GM0400"  # Den Helder
    den_helder = search_place("Den Helder", gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    assert _municipality(reference, den_helder.location) == "GM0400"
    assert den_helder.location != found.location  # the village, not the town


@pytest.mark.parametrize("text", ["qqq-bestaat-niet", "Bouwkade 12", "Atlantis 3"])
def test_unknown_text_says_so_in_dutch(gazetteer, text):
    factory = offline_factory(gazetteer)
    found = search_place(text, gazetteer=gazetteer, geocoder_factory=factory)
    assert not found.found and found.focus is None
    assert found.message.startswith(f"Niets gevonden voor '{md(text)}'.")
    assert "Typ een plaatsnaam" in found.message
    assert factory.opened == []  # without a place or postcode nobody is asked


def test_a_postcode_that_does_not_exist(gazetteer):
    found = search_place("1000", gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    assert not found.found
    assert "bestaat niet in de postcodetabel" in found.message


def test_empty_search_is_no_search(gazetteer):
    assert search_place("   ", gazetteer=gazetteer, geocoder_factory=NoGeocoder()) == PlaceSearch()
    assert PlaceSearch().message == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("Bouwkade 12, Heerhugowaard", AddressQuery("Bouwkade 12", "", "Heerhugowaard")),
    ("Bouwkade 12 Heerhugowaard", AddressQuery("Bouwkade 12", "", "Heerhugowaard")),
    ("Bouwkade 12 1703 AB Heerhugowaard", AddressQuery("Bouwkade 12", "1703 AB", "Heerhugowaard")),
    ("Bouwkade 12, 1703AB", AddressQuery("Bouwkade 12", "1703AB", "")),
    ("Marinehaven 1 Den Helder", AddressQuery("Marinehaven 1", "", "Den Helder")),
    ("1703AB Heerhugowaard", AddressQuery("", "1703AB", "Heerhugowaard")),
    ("Bouwkade 12", None),
])
def test_an_address_is_read_into_its_parts(gazetteer, text, expected):
    assert address_query(text, gazetteer) == expected


def test_an_address_offline_is_placed_on_its_place_and_says_so(gazetteer):
    factory = offline_factory(gazetteer)
    found = search_place("Bouwkade 12, Heerhugowaard", gazetteer=gazetteer,
                         geocoder_factory=factory)
    assert factory.opened == [False]  # the page's geocoder decides whether PDOK is asked
    assert found.location.precision == "plaats"
    assert "Alleen op plaatsnaam geplaatst" in found.message
    assert md(precision_label("plaats")) in found.message


# --------------------------------------------------------------------------- online


def _pdok(tmp_path, url, gazetteer):
    settings = Settings(pdok_url=url, geocode_cache_path=tmp_path / "cache.sqlite",
                        pdok_timeout_s=2.0, pdok_retries=0, pdok_rate_per_s=0, offline=False)
    return lambda *, offline: make_geocoder(settings, gazetteer, offline=offline)


@pytest.mark.parametrize("text", ["Bouwkade 12, 1703 AB Heerhugowaard",
                                  "Bouwkade 12 Heerhugowaard"])
def test_an_address_is_found_at_pdok(tmp_path, fake_pdok, gazetteer, reference, text):
    found = search_place(text, gazetteer=gazetteer,
                         geocoder_factory=_pdok(tmp_path, fake_pdok.url, gazetteer))
    assert found.source == "pdok" and found.location.precision == "adres"
    assert found.location.label == "Bouwkade 12, 1703AB Heerhugowaard"
    assert found.message.startswith(f"Gevonden bij PDOK: **{md(found.location.label)}**")
    assert md(precision_label("adres")) in found.message
    assert found.focus.zoom == 17
    assert _municipality(reference, found.location) == "GM1980"
    assert fake_pdok.request_count >= 1


def test_places_and_postcodes_never_ask_pdok(tmp_path, fake_pdok, gazetteer):
    factory = _pdok(tmp_path, fake_pdok.url, gazetteer)
    for text in ("Hoorn", "1621 AR", "Julianadorp"):
        assert search_place(text, gazetteer=gazetteer, geocoder_factory=factory).found
    assert fake_pdok.request_count == 0


def test_pdok_down_falls_back_offline_and_says_how_precise(tmp_path, fake_pdok, gazetteer):
    fake_pdok.fail("500")
    found = search_place("Bouwkade 12, 1703 AB Heerhugowaard", gazetteer=gazetteer,
                         geocoder_factory=_pdok(tmp_path, fake_pdok.url, gazetteer))
    assert found.source == "offline" and found.location.precision == "postcode4"
    assert "PDOK onbereikbaar" in found.message
    assert md(precision_label("postcode4")) in found.message
    assert fake_pdok.request_count >= 1  # PDOK was asked, and failed


# --------------------------------------------------------------------------- the focus


def _fake_search(results: dict[str, PlaceSearch], calls: list[str]):
    def search(query: str) -> PlaceSearch:
        calls.append(query)
        return results.get(query, PlaceSearch(query))
    return search


@pytest.fixture
def alkmaar(gazetteer):
    return search_place("Alkmaar", gazetteer=gazetteer, geocoder_factory=NoGeocoder())


ROW = Focus(52.5, 4.7, label="Gekozen: 1. Bouwer", zoom=14, kind=CHOSEN)
OTHER_ROW = dataclasses.replace(ROW, lat=52.6, label="Gekozen: 2. Bouwer")


def test_the_map_looks_at_what_was_done_last(alkmaar):
    calls: list[str] = []
    search = _fake_search({"Alkmaar": alkmaar}, calls)
    state = next_state(None, text="", row=None, search=search)
    assert state.look_at is None and calls == []  # a fresh map opens as always

    state = next_state(state, text=" Alkmaar ", row=None, search=search)
    assert state.look_at == alkmaar.focus and state.message_kind == "success"
    state = next_state(state, text="Alkmaar", row=None, search=search)
    assert calls == ["Alkmaar"]  # a rerun (a filter) asks nobody again

    state = next_state(state, text="Alkmaar", row=ROW, search=search)
    assert state.look_at == ROW  # a chosen row after the search
    state = next_state(state, text="Alkmaar", row=OTHER_ROW, search=search)
    assert state.look_at == OTHER_ROW
    state = next_state(state, text="Alkmaar", row=None, search=search)
    assert state.look_at == alkmaar.focus  # no row: back to the search
    state = next_state(state, text="", row=None, search=search)
    assert state.look_at is None and state.found is None and state.message == ""


def test_unknown_text_leaves_the_map_where_it_was(alkmaar):
    search = _fake_search({"Alkmaar": alkmaar}, [])
    state = next_state(None, text="Alkmaar", row=None, search=search)
    state = next_state(state, text="qqq", row=None, search=search)
    assert state.look_at == alkmaar.focus and state.found == alkmaar
    assert state.message_kind == "warning"
    assert state.message.startswith("Niets gevonden voor 'qqq'")
    assert state.message.endswith("De kaart blijft bij de vorige gevonden plek.")
    fresh = next_state(None, text="qqq", row=None, search=search)
    assert fresh.look_at is None and "vorige" not in fresh.message


def test_a_new_search_wins_over_a_chosen_row(alkmaar, gazetteer):
    hoorn = search_place("Hoorn", gazetteer=gazetteer, geocoder_factory=NoGeocoder())
    search = _fake_search({"Alkmaar": alkmaar, "Hoorn": hoorn}, [])
    state = next_state(None, text="Alkmaar", row=ROW, search=search)
    assert state.look_at == ROW  # both at once: the row (a choice is the later act)
    state = next_state(state, text="Hoorn", row=ROW, search=search)
    assert state.look_at == hoorn.focus
    state = next_state(state, text="", row=ROW, search=search)
    assert state.look_at == ROW  # clearing the search hands the view to the row


def test_the_focus_is_drawn_as_data_and_the_map_looks_there(alkmaar):
    state = FocusState(search=alkmaar, found=alkmaar, row=ROW, last=SEARCHED)
    fmap = state.apply(finish_map(base_map()))
    html = fmap.get_root().render()
    searched = layer(html, "points", "ik-gezocht")
    assert searched["cols"]["label"] == ["Gezocht: Alkmaar (Alkmaar)"]
    assert searched["tooltipOptions"]["permanent"] is True
    assert layer(html, "points", "ik-gekozen")["cols"]["label"] == [ROW.label]
    view = layer(html, "view")
    assert (view["lat"], view["lon"], view["zoom"]) == pytest.approx(
        (alkmaar.location.lat, alkmaar.location.lon, 13))
    assert [kind for kind, _ in payloads(html)][-1] == "view"  # after every layer: it wins
