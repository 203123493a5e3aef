"""geo.views.activity_form: one activity entered, edited or deleted on Bereik, no Streamlit."""

from __future__ import annotations

from datetime import date

import pytest

from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.views.activity_form import (
    NEW_ACTIVITY,
    activity_form,
    current_activity,
    delete_activity,
    save_activity,
)

YEAR = "2026-2027"
TEACHER, NOTE = "Gerda Geheimgast", "Notitie Strikt Intern"


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as opened:
        load_example_data(opened)
        yield opened


def _values(store, **changes) -> dict:
    school = store.schools().dropna(subset=["vestigingscode"]).iloc[0]
    orgs = store.organisations()
    values = {"soort": "gastles_vo", "datum": date(2026, 10, 3),
              "vestigingscode": school["vestigingscode"], "gemeentecode": "", "plaats": "",
              "partners": [int(orgs["id"].iloc[0])], "aantal_leerlingen": 24,
              "status": "gegeven", "notities": NOTE, "gastdocenten": TEACHER}
    values.update(changes)
    return values


def _plain(message) -> str:
    """The message as people read it (Markdown escapes removed)."""
    return message.text.replace("\\", "")


def test_a_new_activity_is_saved_with_its_school_partners_and_staff_fields(store):
    values = _values(store)
    message, saved_id = save_activity(store, values, user="piet", role="team")
    assert message.kind == "success", message.text
    assert "toegevoegd" in _plain(message) and "03-10-2026" in _plain(message)
    assert TEACHER not in _plain(message) and NOTE not in _plain(message)
    stored = store.activities.get(saved_id, include_staff=True)
    assert stored["schooljaar"] == YEAR and stored["vestigingscode"] == values["vestigingscode"]
    assert stored["gemeentecode"].startswith("GM")  # follows from the school
    assert stored["aantal_leerlingen"] == 24 and stored["gastdocenten"] == TEACHER
    assert list(stored["partner_ids"]) == values["partners"]
    form = activity_form(store, school_year=YEAR, reference=store.reference)
    assert saved_id in form.activities and NEW_ACTIVITY in form.activities
    assert TEACHER not in " ".join(form.activities.values())
    assert form.kinds["gastles_vmbo"] == "gastles vmbo (Tech Your Talent)"
    assert form.schools[values["vestigingscode"]].endswith(f"({values['vestigingscode']})")


def test_an_activity_without_a_school_keeps_its_place(store):
    values = _values(store, vestigingscode="", gemeentecode="GM0361", plaats="Alkmaar",
                     soort="beurs")
    message, saved_id = save_activity(store, values, user="piet", role="team")
    assert message.kind == "success", message.text
    stored = store.activities.get(saved_id)
    assert (stored["gemeentecode"], stored["plaats"], stored["vestigingscode"] or "") == (
        "GM0361", "Alkmaar", "")


def test_no_school_and_no_place_is_refused_in_dutch(store):
    message, saved_id = save_activity(store, _values(store, vestigingscode=""), user="piet",
                                      role="team")
    assert saved_id is None and message.kind == "error"
    assert "Kies een school" in _plain(message)


def test_edit_with_the_version_then_a_conflict(store):
    _, saved_id = save_activity(store, _values(store), user="piet", role="team")
    current = current_activity(store, saved_id)
    assert (current["gastdocenten"], current["notities"]) == (TEACHER, NOTE)
    assert current["datum"] == date(2026, 10, 3) and current["versie"] == 1
    changed = {**current, "status": "geannuleerd", "aantal_leerlingen": 30}
    message, same = save_activity(store, changed, activity_id=saved_id, version=1,
                                  user="piet", role="team")
    assert message.kind == "success" and "gewijzigd" in _plain(message) and same == saved_id
    stored = store.activities.get(saved_id)
    assert (stored["status"], stored["aantal_leerlingen"], stored["versie"]) == (
        "geannuleerd", 30, 2)
    # Someone edited version 1 too: refused, explained in Dutch, nothing changed.
    late = {**current, "status": "gepland"}
    message, none = save_activity(store, late, activity_id=saved_id, version=1,
                                  user="klaas", role="team")
    assert none is None and message.kind == "error"
    assert "intussen door iemand anders gewijzigd" in _plain(message)
    assert "versie 2" in _plain(message) and "opnieuw in" in _plain(message)
    assert TEACHER not in _plain(message) and NOTE not in _plain(message)
    assert store.activities.get(saved_id)["status"] == "geannuleerd"


def test_refused_values_are_dutch_and_never_quote_staff_fields(store):
    cases = [_values(store, vestigingscode="99XX99"),
             _values(store, soort="excursie"),
             _values(store, status="misschien"),
             _values(store, vestigingscode="", gemeentecode="GM9999", plaats="Nergens"),
             _values(store, aantal_leerlingen=-5)]
    for values in cases:
        message, saved_id = save_activity(store, values, user="piet", role="team")
        assert saved_id is None and message.kind == "error", values
        assert _plain(message).startswith("Niet opgeslagen")
        assert TEACHER not in _plain(message) and NOTE not in _plain(message)
    assert "99XX99" in _plain(save_activity(store, cases[0], user="p", role="team")[0])
    assert store.activities.all(school_year=YEAR).empty


def test_the_public_may_not_save_or_delete(store):
    message, saved_id = save_activity(store, _values(store), user="x", role="publiek")
    assert saved_id is None and message.kind == "error"
    assert store.activities.all(school_year=YEAR).empty
    _, saved_id = save_activity(store, _values(store), user="piet", role="team")
    refused = delete_activity(store, saved_id, confirmed=True, user="x", role="publiek")
    assert refused.kind == "error" and store.activities.get(saved_id)


def test_delete_needs_the_confirmation(store):
    _, saved_id = save_activity(store, _values(store), user="piet", role="team")
    waiting = delete_activity(store, saved_id, confirmed=False, user="piet", role="team")
    assert waiting.kind == "warning" and store.activities.get(saved_id)
    done = delete_activity(store, saved_id, confirmed=True, user="piet", role="team")
    assert done.kind == "success" and "verwijderd" in _plain(done)
    assert TEACHER not in _plain(done) and NOTE not in _plain(done)
    assert saved_id not in set(store.activities.all()["id"])
    again = delete_activity(store, saved_id, confirmed=True, user="piet", role="team")
    assert again.kind == "error" and "bestaat niet" in _plain(again)


def test_a_new_form_starts_empty():
    values = current_activity(None, NEW_ACTIVITY, today=date(2026, 10, 3))
    assert values["datum"] == date(2026, 10, 3) and values["partners"] == []
    assert values["gastdocenten"] == "" and "id" not in values
