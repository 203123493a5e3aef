"""The column-mapping step of Beheer → Importeren (geo.views.import_columns), plain pytest."""

from __future__ import annotations

import re

import pytest

from geo.intake.reading import read_table
from geo.register.store import Store
from geo.settings import Settings
from geo.text import md
from geo.views import beheer
from geo.views import import_columns as view

CSV = (b"Firma;Adres;PC;Standplaats;Kleur\r\n"
       b"Dijk Grondwerken;Dorpsstraat 1;1703 AB;Heerhugowaard;rood\r\n")


def _step(data: bytes = CSV, picked: dict | None = None, remembered: dict | None = None,
          kind: str = "partners"):
    picked = picked or {}
    mapping = view.combined(remembered or {}, picked)
    table = read_table(data, "lijst.csv", mapping=mapping, require_name=False)
    return table, view.mapping_step(table, picked, kind=kind,
                                    round_id=view.run_id("f", kind, True, mapping))


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as opened:
        yield opened


def test_unknown_columns_get_a_choice_of_the_fields_not_taken():
    _, step = _step()
    assert [c.header for c in step.choices] == ["Firma", "Standplaats", "Kleur"]
    firma = step.choices[0]
    assert firma.label == "Kolom 'Firma' is:"
    assert firma.options[0] == view.NOT_USED and firma.chosen == view.NOT_USED
    assert firma.index == 0
    assert {"naam", "plaats", "soort", "donateur", "huisnummer"} <= set(firma.options)
    assert not {"straat", "postcode"} & set(firma.options)  # Adres and PC have them
    assert not {"vestigingscode", "lat", "id"} & set(firma.options)
    assert view.option_label("naam") == "Naam" and view.option_label("") == "(niet gebruiken)"
    assert "Firma, Standplaats, Kleur" in step.intro
    assert step.missing_name.startswith("Geen kolom met de naam van de organisatie")
    assert step.columns == "Herkende kolommen: Adres → Straat, PC → Postcode."


def test_school_files_offer_the_school_fields():
    _, step = _step(kind="scholen")
    options = set(step.choices[0].options)
    assert {"naam", "vestigingscode", "onderwijsstructuur"} <= options
    assert not {"soort", "donateur", "email"} & options


def test_a_choice_is_read_and_can_be_changed_back():
    table, step = _step(picked={"firma": "naam"})
    assert table.columns["naam"] == "Firma" and step.missing_name is None
    firma = step.choices[0]
    assert (firma.header, firma.chosen) == ("Firma", "naam")
    assert "naam" in firma.options  # its own choice stays an option
    assert "naam" not in step.choices[1].options  # but no other column can have it
    assert "Firma → Naam (gekozen)" in step.columns
    values = {"firma": "naam", "standplaats": "plaats", "kleur": view.NOT_USED}
    assert view.picked_from(step.choices, values) == {"firma": "naam", "standplaats": "plaats"}


def test_remembered_columns_are_not_asked_again():
    _, step = _step(remembered={"firma": "naam"})
    assert [c.header for c in step.choices] == ["Standplaats", "Kleur"]
    assert "Firma → Naam (onthouden)" in step.columns


def test_a_new_mapping_makes_a_new_check_and_new_select_boxes():
    one = view.run_id("bestand", "partners", False, {"firma": "naam"})
    two = view.run_id("bestand", "partners", False, {"firma": "naam", "kleur": "soort"})
    assert one != two and one == view.run_id("bestand", "partners", False,
                                             {"firma": "naam"})
    _, first = _step()
    _, second = _step(picked={"firma": "naam"})
    assert first.choices[0].widget_key != second.choices[0].widget_key


def test_choices_are_kept_per_upload():
    assert view.picked_for(("a", {"firma": "naam"}), "a") == {"firma": "naam"}
    assert view.picked_for(("a", {"firma": "naam"}), "b") == {}
    assert view.picked_for(None, "a") == {}
    assert view.combined({"firma": "naam", "x": "plaats"}, {"firma": "notities"}) == {
        "firma": "notities", "x": "plaats"}


def test_duplicate_and_unnamed_columns_are_listed_not_asked():
    data = b"Bedrijfsnaam;Naam;Plaats;Plaats;***;Firma;FIRMA\r\nDijk;Jan;Hoorn;Alkmaar;x;a;b\r\n"
    _, step = _step(data)
    assert [c.header for c in step.choices] == ["Firma"]
    assert step.ignored.endswith("Naam, Plaats, \\*\\*\\*, FIRMA.")
    assert step.missing_name is None


def test_hostile_headers_are_escaped_everywhere():
    hostile = ["{{7*7}}", "[x](http://e.invalid)", "=1+1", "<img src=x>", ":red[rood]"]
    data = ";".join(["Organisatie", *hostile]).encode() + b"\r\nDijk;a;b;c;d;e\r\n"
    _, step = _step(data)
    assert [c.header for c in step.choices] == hostile
    for choice, header in zip(step.choices, hostile, strict=True):
        assert choice.label == f"Kolom '{md(header)}' is:"
        assert md(header) in step.intro
    quoted = [step.intro.split("kent: ")[1].split(". Kies")[0],
              *(c.label.removeprefix("Kolom '").removesuffix("' is:") for c in step.choices)]
    for text in quoted:  # every Markdown character of a header is escaped
        assert re.search(r"(?<!\\)[<>\[\]{}():=+*]", text) is None, text


def test_long_headers_are_shortened_in_labels():
    data = ("Organisatie;" + "Lang" * 100).encode() + b"\r\nDijk;a\r\n"
    _, step = _step(data)
    assert len(step.choices[0].label) < 100


def test_start_import_reads_with_the_mapping():
    run_id = view.run_id("f", "partners", True, {"firma": "naam"})
    state, problem = beheer.start_import(run_id, CSV, "lijst.csv", kind="partners",
                                         settings=Settings(), mapping={"firma": "naam"})
    assert problem is None and state.run_id == run_id
    assert state.run.table.rows[0].values["naam"] == "Dijk Grondwerken"
    state, problem = beheer.start_import(run_id, CSV, "lijst.csv", kind="partners",
                                         settings=Settings())
    assert problem is None and "naam" not in state.run.table.columns  # asked on the page


def test_choices_are_remembered_after_an_import(store):
    table, _ = _step(picked={"firma": "naam", "standplaats": "plaats"})
    message = view.remember_choices(store, table, {"firma": "naam", "standplaats": "plaats"},
                                    user="jan", role="team")
    assert message.kind == "success"
    assert message.text.startswith("2 kolomkeuzes onthouden")
    assert "Firma → Naam" in message.text
    assert store.column_mappings.mapping() == {"firma": "naam", "standplaats": "plaats"}
    lines = view.remembered_lines(store)
    assert [line.key for line in lines] == ["firma", "standplaats"]
    assert lines[0].text.startswith("'Firma' → Naam (jan, ")


def test_only_the_choices_of_this_upload_are_remembered(store):
    table, _ = _step(picked={"standplaats": "plaats"}, remembered={"firma": "naam"})
    view.remember_choices(store, table, {"standplaats": "plaats"}, user="jan", role="team")
    assert store.column_mappings.mapping() == {"standplaats": "plaats"}
    assert view.remember_choices(store, table, {}, user="jan", role="team") is None


def test_a_refusal_to_remember_is_a_warning_and_writes_nothing(store):
    table, _ = _step(picked={"firma": "naam"})
    message = view.remember_choices(store, table, {"firma": "naam"}, user="x",
                                    role="publiek")
    assert message.kind == "warning" and "niet onthouden" in message.text
    assert store.column_mappings.mapping() == {}


def test_forgetting(store):
    store.column_mappings.remember([("[x](http://e.invalid)", "notities")], user="<b>jan</b>",
                                   role="team")
    [line] = view.remembered_lines(store)
    assert md("[x](http://e.invalid)") in line.text and "\\<b\\>jan" in line.text
    assert view.forget(store, line.key, role="publiek").kind == "error"
    assert view.forget(store, line.key, role="team").kind == "success"
    assert view.forget(store, line.key, role="team").kind == "info"
    assert view.remembered_lines(store) == []
