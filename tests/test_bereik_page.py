"""The Bereik page (pages/bereik.py) through Streamlit's AppTest: import, then a subregion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from geo.activities import first_school_year, school_year, school_year_bounds
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.text import md
from tests.app_pages import TEACHER, run_page, shown_text
from tests.map_payloads import layer

NOTE = "Notitie Geheimpje"
SUBREGION = "Regio Alkmaar"
PARTNER = "Voorbeeld Grondverzet Koggenveld"


def _day(offset: int) -> str:
    """A day of the current school year, as a planning sheet writes it."""
    start, _ = school_year_bounds(school_year(date.today()))
    return (start + timedelta(days=offset)).strftime("%d-%m-%Y")


@pytest.fixture
def register(app_env, reference):
    """The example data; returns the var dir and three vmbo schools of Regio Alkmaar."""
    with Store(app_env / "infrakaart.sqlite", reference) as store:
        load_example_data(store)
        schools = store.schools()
        sub_of = reference.default_division.subregion_of()
        vmbo = schools[schools["heeft_vmbo"] & (schools["gemeentecode"].map(sub_of)
                                                == SUBREGION)]
        codes = list(vmbo.sort_values("vestigingscode")["vestigingscode"])
    return app_env, codes


def _sheet(codes: list[str]) -> bytes:
    """Two given activities (A, B), one planned (C), one at an unknown school."""
    a, b, c = codes[:3]
    rows = [
        "Soort activiteit;Datum;Vestigingscode;Partner;Aantal leerlingen;Status;Gastdocenten;"
        "Notities",
        f"Gastles VO;{_day(30)};{a};{PARTNER};25;gegeven;{TEACHER};{NOTE}",
        f"Tech Your Talent;{_day(40)};{b};{PARTNER};20;gegeven;;",
        f"Voorlichting;{_day(50)};{c};;;gepland;;",
        f"Gastles VO;{_day(60)};99XX99;;;gegeven;{TEACHER};",
    ]
    return "\n".join(rows).encode("utf-8")


def _frame(at: AppTest, first_column: str):
    for frame in at.dataframe:
        value = getattr(frame.value, "data", frame.value)
        if list(value.columns)[0] == first_column:
            return value
    raise AssertionError(f"no table starting with {first_column}")


def test_the_public_is_refused(register):
    at = run_page("bereik.py", None, timeout=120)
    assert any("alleen voor het operationele team" in e.value for e in at.error)
    assert len(at.selectbox) == 0 and len(at.dataframe) == 0 and len(at.file_uploader) == 0


def test_team_imports_the_planning_and_sees_who_was_not_reached(register, reference,
                                                                shown_maps):
    var, codes = register
    at = run_page("bereik.py", "team", timeout=120)
    year = school_year(date.today())
    with Store(var / "infrakaart.sqlite", reference) as store:
        first = first_school_year(store.activities.school_years(), date.today())
    assert at.selectbox(key="bereik_schooljaar").value == first
    at.file_uploader(key="bereik_upload").set_value(("planning.csv", _sheet(codes),
                                                     "text/csv")).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["ok"], metrics["waarschuwing"], metrics["fout"]) == ("3", "0", "1")
    verdicts = _frame(at, "Rij")
    assert list(verdicts["Oordeel"]) == ["ok", "ok", "ok", "fout"]
    assert "99XX99" in verdicts.iloc[3]["Melding"]
    assert TEACHER not in shown_text(at) and NOTE not in shown_text(at)
    with Store(var / "infrakaart.sqlite", reference) as store:
        assert store.activities.all(school_year=year).empty  # nothing before the click
    button = at.button(key="bereik_importeren")
    assert button.label == "Importeren (3 rijen)"
    button.click().run()
    assert not at.exception
    assert any("3 nieuw" in s.value and "1 rij met een fout overgeslagen" in s.value
               for s in at.success)
    assert len([b for b in at.button if b.key == "bereik_importeren"]) == 0
    # The page now shows the school year of the planning just imported.
    assert at.selectbox(key="bereik_schooljaar").value == year

    at.selectbox(key="bereik_subregio").set_value(SUBREGION).run()
    assert not at.exception
    missing = _frame(at, "School")
    with Store(var / "infrakaart.sqlite", reference) as store:
        stored = store.activities.all(school_year=year, include_staff=True)
        schools = store.schools().set_index("vestigingscode")
    assert set(stored["vestigingscode"]) == set(codes[:3])
    assert TEACHER in set(stored["gastdocenten"])  # stored for the team, shown nowhere
    expected = set(codes) - set(codes[:2])  # the planned one is not reached yet
    assert set(missing["Vestigingscode"]) == expected
    assert list(missing.columns) == ["School", "Plaats", "Gemeente", "Vestigingscode",
                                     "Partners dichtbij"]
    assert all(missing["Partners dichtbij"].str.count(r"\(") == 5)  # five partners each
    overview = _frame(at, "Subregio").set_index("Subregio")
    alkmaar = overview.loc[SUBREGION]
    assert (alkmaar["vmbo bereikt"], alkmaar["vmbo niet bereikt"]) == (2, len(expected))
    assert alkmaar["Gastlessen VO"] == 1
    # The map: exactly those schools highlighted, the partner that gave lessons ringed.
    html = shown_maps["bereik_map"]
    marked = layer(html, "points", "ik-school ik-niet-bereikt")
    assert sorted(marked["cols"]["naam"]) == sorted(schools.loc[sorted(expected), "naam"])
    partners = layer(html, "points", "ik-partner")
    assert "Gaf 2 activiteiten in " + year in partners["cols"]["activiteiten_tekst"]
    text = shown_text(at)
    assert TEACHER not in text and NOTE not in text and TEACHER not in html


def test_an_unreadable_sheet_gets_a_dutch_error(register):
    at = run_page("bereik.py", "bestuur", timeout=120)
    at.file_uploader(key="bereik_upload").set_value(
        ("planning.csv", b"Naam;Adres\nEen;Twee\n", "text/csv")).run()
    assert not at.exception
    assert any("geen kopregel van een planning" in e.value or "mist een kolom" in e.value
               for e in at.error)
    assert len([b for b in at.button if b.key == "bereik_importeren"]) == 0


def test_a_past_school_year_and_its_call_list(register):
    at = run_page("bereik.py", "team", timeout=120)
    at.selectbox(key="bereik_schooljaar").set_value("2024-2025").run()
    at.selectbox(key="bereik_subregio").set_value(SUBREGION).run()
    assert not at.exception
    assert any(md("Bereik per subregio in 2024-2025") == s.value for s in at.subheader)
    assert any("voorbeeldactiviteiten" in c.value for c in at.caption)
    names = [b.label for b in at.get("download_button")]
    assert "Bellijst als Excel" in names and "Overzicht als CSV" in names


def test_staff_add_one_activity_by_hand_and_the_reach_updates(register, reference):
    var, codes = register
    at = run_page("bereik.py", "team", timeout=120)
    at.selectbox(key="bereik_schooljaar").set_value("2024-2025").run()
    with Store(var / "infrakaart.sqlite", reference) as store:
        before = len(store.activities.all(school_year="2024-2025"))
    overview = _frame(at, "Subregio").set_index("Subregio")
    reached = overview.loc[SUBREGION, "Activiteiten"]
    form = next(f.key for f in at.get("form") if f.key.startswith("bereik_activiteit_0"))
    at.selectbox(key=f"{form}_soort").set_value("gastles_vmbo")
    at.date_input(key=f"{form}_datum").set_value(date(2024, 11, 5))
    at.selectbox(key=f"{form}_school").set_value(codes[0])
    at.selectbox(key=f"{form}_status").set_value("gegeven")
    at.number_input(key=f"{form}_leerlingen").set_value(22)
    at.text_area(key=f"{form}_gastdocenten").input(TEACHER)
    at.text_area(key=f"{form}_notities").input(NOTE)
    at.button(key=f"{form}_opslaan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Activiteit toegevoegd" in s.value for s in at.success), shown_text(at)
    with Store(var / "infrakaart.sqlite", reference) as store:
        stored = store.activities.all(school_year="2024-2025", include_staff=True)
    assert len(stored) == before + 1
    added = stored[stored["gastdocenten"] == TEACHER].iloc[0]
    assert (added["vestigingscode"], added["soort"], added["datum"]) == (
        codes[0], "gastles_vmbo", "2024-11-05")
    overview = _frame(at, "Subregio").set_index("Subregio")
    assert overview.loc[SUBREGION, "Activiteiten"] == reached + 1
    text = shown_text(at)
    assert TEACHER not in text and NOTE not in text
    # Chosen again, the form is filled with it; deleting needs the confirmation.
    at.selectbox(key="bereik_activiteit_keuze").set_value(int(added["id"])).run()
    form = f"bereik_activiteit_{int(added['id'])}_1"
    assert at.text_area(key=f"{form}_gastdocenten").value == TEACHER
    assert at.selectbox(key=f"{form}_school").value == codes[0]
    at.button(key=f"{form}_verwijderen").click().run()
    assert any("Vink eerst aan" in w.value for w in at.warning)
    at.checkbox(key=f"{form}_zeker").check().run()
    at.button(key=f"{form}_verwijderen").click().run()
    assert any("Activiteit verwijderd" in s.value for s in at.success)
    with Store(var / "infrakaart.sqlite", reference) as store:
        assert len(store.activities.all(school_year="2024-2025")) == before


@pytest.mark.parametrize("role", [None, "publiek"])
def test_without_beheren_there_is_no_form(register, role):
    at = run_page("bereik.py", role, timeout=120)
    assert not any("Eén activiteit" in e.label for e in at.expander)
    assert len(at.get("form")) == 0
