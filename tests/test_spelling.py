"""Spelling help from the data (geo.intake.spelling): places, postcodes, kinds."""

from __future__ import annotations

import pytest

from geo import fields
from geo.intake.spelling import (
    place_index,
    repaired_postcode,
    row_suggestions,
    suggest_kind,
    suggest_place,
    suggest_postcode,
)


@pytest.fixture(scope="module")
def index(reference):
    return place_index(reference)


@pytest.mark.parametrize(("typed", "postcode", "official"), [
    ("Den Heldr", "1781 AB", "Den Helder"),
    ("Heerhugowaad", "1704 BC", "Heerhugowaard"),
    ("Alkmar", "1811 AB", "Alkmaar"),
    ("Purmerent", "1441 AA", "Purmerend"),
    ("Zaandan", "1506 AB", "Zaandam"),
    ("Hoofdorp", "2132 AB", "Hoofddorp"),
    ("Enkhuisen", "1601 AB", "Enkhuizen"),
    ("Busum", "1405 AB", "Bussum"),
    ("Sint Pankras", "1834", "Sint Pancras"),
])
def test_misspelled_places_get_the_official_name(index, typed, postcode, official):
    suggestion = suggest_place(index, typed, postcode)
    assert (suggestion.field, suggestion.original, suggestion.suggestion) == (
        "plaats", typed, official)
    assert "onbekend" in suggestion.reason and postcode[:4] in suggestion.reason


@pytest.mark.parametrize(("place", "postcode"), [
    ("Den Helder", "1781 AB"), ("Julianadorp", "1787"), ("heerhugowaard", "1703AB"),
    ("BERGEN (NH.)", "1861"), ("Wervershoof", ""), ("'t Zand", "1756"), ("Amsterdam", ""),
    ("Oudorp", "1829"), ("Broek", ""),
])
def test_no_suggestion_for_a_correct_name(index, place, postcode):
    assert suggest_place(index, place, postcode) is None
    assert index.mismatch(place, postcode) == ""


@pytest.mark.parametrize(("place", "postcode"), [
    ("Xyzdorp", ""), ("Qwerty", "1703 AB"), ("Nergenshuizen", "1811"), ("", "1811"),
])
def test_no_suggestion_when_nothing_is_close(index, place, postcode):
    assert suggest_place(index, place, postcode) is None


def test_places_of_the_postcode_are_preferred(index):
    # Ouddorp exists (Zuid-Holland); with a postcode of Oudorp (Alkmaar) that is meant.
    assert suggest_place(index, "Ouddorp", "") is None
    near = suggest_place(index, "Ouddorp", "1829 AB")
    assert near.suggestion == "Oudorp" and "ligt niet bij postcode 1829" in near.reason
    assert "niet in Ouddorp" in index.mismatch("Ouddorp", "1829 AB", near)  # still checked
    # Without a postcode only a very close name is suggested.
    assert suggest_place(index, "Alkmar", "").suggestion == "Alkmaar"
    assert "lijkt op Alkmaar" in suggest_place(index, "Alkmar", "").reason


def test_postcode_and_place_agree_or_not(index):
    assert index.agrees("Heerhugowaard", "1703 AB") is True
    assert index.agrees("Julianadorp", "1781") is True  # a village of the municipality
    assert index.agrees("Amsterdam", "1703 AB") is False
    assert index.agrees("Xyzdorp", "1703 AB") is None
    assert "niet in Amsterdam" in index.mismatch("Amsterdam", "1703 AB")
    assert "'Xyzdorp' is onbekend" in index.mismatch("Xyzdorp", "1703 AB")
    assert index.mismatch("", "1703 AB") == ""


@pytest.mark.parametrize(("typed", "repaired"), [
    ("17O3AB", "1703 AB"), ("17o3 ab", "1703 AB"), ("I7O3AB", "1703 AB"),
    ("l8l1 AA", "1811 AA"), ("18I1", "1811"), ("17O3-AB", "1703 AB"),
])
def test_letters_typed_for_digits_are_repaired(index, typed, repaired):
    assert repaired_postcode(typed) == repaired
    suggestion = suggest_postcode(index, typed)
    assert (suggestion.field, suggestion.original, suggestion.suggestion) == (
        "postcode", typed, repaired)


@pytest.mark.parametrize("typed", ["1703 AB", "1703ab", "12345", "abc", "17O3ABC", "O123 AB",
                                   ""])
def test_no_postcode_suggestion_for_valid_or_hopeless_postcodes(index, typed):
    assert suggest_postcode(index, typed) is None


def test_kinds_from_the_registry_synonyms():
    riool = suggest_kind("Riolering")
    assert (riool.field, riool.original, riool.suggestion) == ("soort", "Riolering",
                                                               "aannemer")
    assert "Overig" in riool.reason and "Aannemer" in riool.reason
    assert suggest_kind("Aanemer").suggestion == "aannemer"  # a typo of a kind's name
    assert suggest_kind("Landmeetkunde").suggestion == "ingenieursbureau"
    # Recognised kinds need no suggestion; unrelated words get none.
    for text in ("Ingenieursbureau", "ingenieursbureau", "GWW-aannemer", "Overig", "",
                 "Bakkerij", "Kapper", "Horeca", "Zorg"):
        assert suggest_kind(text) is None, text
    assert fields.normalise_kind("Riolering") == fields.FALLBACK_KIND  # a suggestion only


def test_a_repaired_postcode_chooses_the_place(index):
    found = row_suggestions(index, postcode="17O3AB", place="Heerhugowaad", kind="Riolering")
    assert [(s.field, s.suggestion) for s in found] == [
        ("postcode", "1703 AB"), ("plaats", "Heerhugowaard"), ("soort", "aannemer")]
    assert row_suggestions(index, postcode="17O3AB", place="Heerhugowaad", kind="",
                           skip={"postcode", "plaats"}) == ()


def test_shown_and_accepted_texts():
    from geo.intake.spelling import Suggestion

    kind = Suggestion("soort", "Riolering", "aannemer", "")
    assert kind.shown == "Soort: Riolering → Aannemer"
    assert kind.accepted_note == ("Soort: 'Riolering' verbeterd tot 'Aannemer' "
                                  "(voorstel aangenomen).")
