"""The Kaart page (AppTest), the app's role-based navigation and `infrakaart kaart`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.activities import first_school_year
from geo.analysis.score import score_caption_nl
from geo.cli import main
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.settings import DEFAULTS
from tests.map_payloads import layer

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "kaart.py")
APP = str(ROOT / "app.py")


@pytest.fixture
def register(app_env, reference):
    """A register with the example data (with contact persons) in tmp_path."""
    path = app_env / "infrakaart.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
        personal = store.organisations(include_personal=True)
    return path, personal


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest):
    return at.dataframe[0].value


def test_kaart_shows_ranking_per_subregion_and_example_notice(register, reference):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    table = _table(at)
    assert len(table) == 10
    assert list(table["rang"]) == sorted(table["rang"])
    assert any("voorbeeldgegevens" in i.value for i in at.info)
    _, personal = register
    active = personal[personal["actief"] & personal["lat"].notna()]
    assert any(f"{len(active)} organisaties op de kaart" in c.value for c in at.caption)
    # The weights it used; the page opens on the latest school year with activities (the
    # example ones), so the school part counts vmbo schools not reached in that year.
    with Store(register[0], reference) as store:
        year = first_school_year(store.activities.school_years(), date.today())
        given = store.activities.all(school_year=year)
    assert (given["status"] == "gegeven").any()
    assert score_caption_nl(school_year=year) in [c.value for c in at.caption]
    assert at.slider(key="kaart_straal").value == DEFAULTS.radius_km


def test_level_and_filters_are_mirrored_in_the_url(register):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.selectbox(key="kaart_niveau").set_value("gemeente")
    at.radio(key="kaart_donateur").set_value("ja")
    _run(at)
    assert len(_table(at)) == 46
    assert at.query_params["niveau"] == "gemeente"
    assert at.query_params["donateur"] == "ja"
    _, personal = register
    donors = personal[personal["actief"] & personal["donateur"] & personal["lat"].notna()]
    assert any(f"{len(donors)} organisaties op de kaart" in c.value for c in at.caption)


def test_a_shared_link_reopens_the_view(register):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["niveau"] = "arbeidsmarktregio"
    at.query_params["vmbo"] = "ja"
    _run(at)
    assert len(_table(at)) == 5
    assert at.checkbox(key="kaart_vmbo").value is True


def test_a_link_to_a_staff_page_asks_the_public_to_log_in(register):
    staff_pages = {"pages/beheer.py": "beheer", "pages/ambassadeurs.py": "ambassadeurs"}
    for page, url_path in staff_pages.items():
        at = _run(_run(AppTest.from_file(APP, default_timeout=60)).switch_page(page))
        assert [t.value for t in at.title] == ["Inloggen"]
        assert at.query_params["naar"] == url_path
    # For the board the same links open the pages: the check above can fail.
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["rol"] = "bestuur"
    at.session_state["gebruiker"] = "test"
    _run(at)
    for page in staff_pages:
        assert [t.value for t in _run(at.switch_page(page)).title] != ["Inloggen"]


@pytest.mark.parametrize("page", ["pages/over.py", "pages/school_koppelen.py",
                                  "pages/wat_als.py", "pages/inloggen.py"])
def test_every_public_page_runs(register, page):
    at = _run(AppTest.from_file(APP, default_timeout=90))
    _run(at.switch_page(page))


def test_over_page_explains_method_and_privacy(register):
    at = _run(AppTest.from_file(str(ROOT / "pages" / "over.py"), default_timeout=60))
    text = "\n".join(m.value for m in at.markdown)
    for phrase in ("EUPL-1.2", "© ESRI Nederland", "omwegfactor", "witte-vlekscore",
                   "persoonsgegevens", "OpenStreetMap", "De Ronde Venen", "Weinig partners",
                   "**Voorbeeld: "):
        assert phrase in text


def _personal_values(personal) -> list[str]:
    return [v for col in ("contactpersoon", "email", "telefoon") for v in personal[col] if v]


def test_cli_kaart_public_has_no_personal_data(register, tmp_path, settings):
    path, personal = register
    out = tmp_path / "publiek.html"
    assert main(["kaart", "--uitvoer", str(out), "--publiek", "--database", str(path)],
                settings=settings) == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="http', html)  # opens offline
    # The default map: few partners × long trip.
    assert layer(html, "legend")["title"].startswith("Weinig partners × lange reis")
    assert len(layer(html, "points", "ik-school")["lat"]) == 270  # every school drawn
    for value in _personal_values(personal):
        assert value not in html

    staff = tmp_path / "team.html"
    assert main(["kaart", "--uitvoer", str(staff), "--database", str(path)],
                settings=settings) == 0
    staff_html = staff.read_text(encoding="utf-8")
    assert any(value in staff_html for value in _personal_values(personal))


def test_own_division_can_be_loaded_and_undone(register, reference):
    table = reference.default_division.table.copy()
    merged = table["subregio"].isin(["Zaanstreek", "Waterland"])
    table.loc[merged, "subregio"] = "Zaanstreek-Waterland"
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.file_uploader(key="indeling_upload_0").set_value(
        ("eigen.csv", table.to_csv(index=False, sep=";").encode("utf-8"), "text/csv"))
    _run(at)
    ranking = _table(at)
    assert len(ranking) == 9
    assert "Zaanstreek-Waterland" in set(ranking["naam"])
    at.button[0].click()  # "Terug naar het voorstel"
    _run(at)
    assert len(_table(at)) == 10


def test_invalid_division_gives_dutch_error_and_keeps_the_proposal(register, reference):
    table = reference.default_division.table.iloc[:-1]
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    at.file_uploader(key="indeling_upload_0").set_value(
        ("kapot.csv", table.to_csv(index=False).encode("utf-8"), "text/csv"))
    _run(at)
    assert any("gemeente ontbreekt" in e.value for e in at.error)
    assert len(_table(at)) == 10


def test_cli_kaart_with_own_division(register, tmp_path, settings, reference):
    path, _ = register
    table = reference.default_division.table.copy()
    table.loc[table["subregio"].isin(["Zaanstreek", "Waterland"]), "subregio"] = (
        "Zaanstreek-Waterland")
    division = tmp_path / "eigen.csv"
    division.write_text(table.to_csv(index=False, sep=";"), encoding="utf-8")
    out = tmp_path / "eigen.html"
    assert main(["kaart", "--uitvoer", str(out), "--publiek", "--database", str(path),
                 "--indeling", str(division)], settings=settings) == 0
    html = out.read_text(encoding="utf-8")
    assert "Zaanstreek-Waterland" in html
    default = tmp_path / "voorstel.html"
    assert main(["kaart", "--uitvoer", str(default), "--publiek", "--database", str(path)],
                settings=settings) == 0
    assert "Zaanstreek-Waterland" not in default.read_text(encoding="utf-8")
