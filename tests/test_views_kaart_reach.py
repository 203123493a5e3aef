"""The Kaart's reach: schools by reach, partners that gave activities, the score's school part."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest

from geo.activities import school_year, school_year_bounds
from geo.output import maps
from geo.register.store import Store
from geo.views.kaart import RANKING_COLUMNS, REACH_NOTE, MapChoices, map_view, school_years
from tests.map_payloads import layer
from tests.small_register import small_register

YEAR = "2024-2025"
TEACHER, NOTE = "Gijs Geheimdocent", "Notitie alleen voor het team"


@pytest.fixture(scope="module")
def store(tmp_path_factory, reference):
    path = small_register(tmp_path_factory.mktemp("kaart_bereik") / "register.sqlite",
                          reference)
    with Store(path, reference) as opened:
        schools = opened.schools()
        alkmaar = schools[(schools["gemeentecode"] == "GM0361") & schools["heeft_vmbo"]]
        partners = opened.organisations().set_index("naam")
        helper = int(partners.loc["Ingenieurs Heerhugowaard", "id"])
        opened.activities.save(
            {"soort": "gastles_vo", "datum": "2024-10-01", "status": "gegeven",
             "vestigingscode": alkmaar.iloc[0]["vestigingscode"], "partners": [helper],
             "gastdocenten": TEACHER, "notities": NOTE}, user="test", role="team")
        opened.activities.save(
            {"soort": "voorlichting", "datum": "2024-11-01", "status": "gepland",
             "vestigingscode": alkmaar.iloc[1]["vestigingscode"]}, user="test", role="team")
        yield opened


@pytest.fixture(scope="module")
def boundaries(reference):
    return maps.boundary_layers(reference, reference.default_division)


def _view(store, reference, boundaries, **choices):
    return map_view(store, reference=reference, division=reference.default_division,
                    choices=MapChoices(**choices), show_personal=False,
                    boundaries=boundaries)


def _school_marks(view) -> dict[str, int]:
    """School name → its style index (0/1: not reached, 2/3: reached)."""
    points = layer(view.fmap.get_root().render(), "points", "ik-school")
    return dict(zip(points["cols"]["naam"], points["style"], strict=True))


def test_the_sidebar_offers_the_years_with_activities_and_the_current_one(store):
    # A new school year without activities yet opens on the latest one that has them.
    years, first = school_years(store, today=date(2026, 12, 1))
    assert years == ["2026-2027", YEAR] and first == YEAR
    # Within a school year that has activities, that year.
    today = school_year_bounds(YEAR)[0] + timedelta(days=60)
    assert school_years(store, today=today)[1] == YEAR == school_year(today)


def test_a_year_without_given_activities_reaches_nobody(store, reference, boundaries):
    view = _view(store, reference, boundaries, school_year="2030-2031")
    assert set(_school_marks(view).values()) <= {0, 1}
    assert view.reach_note == REACH_NOTE.format(year="2030-2031")
    assert view.school_part == "vmbo-scholen zonder partner"
    assert list(view.ranking.columns) == RANKING_COLUMNS
    assert "(0 bereikt in 2030-2031)" in view.map_caption


def test_the_year_colours_the_reached_school_and_rings_its_partner(store, reference,
                                                                   boundaries):
    view = _view(store, reference, boundaries, school_year="2024/2025")
    assert view.school_year == YEAR and view.reach_note is None
    schools = store.schools().set_index("vestigingscode")
    done = store.activities.all(school_year=YEAR).set_index("status")
    reached_name = schools.loc[done.loc["gegeven", "vestigingscode"], "naam"]
    planned_name = schools.loc[done.loc["gepland", "vestigingscode"], "naam"]
    marks = _school_marks(view)
    assert marks[reached_name] == 3  # reached, vmbo
    assert marks[planned_name] == 1  # a planned activity reaches nobody
    assert sum(m >= 2 for m in marks.values()) == 1
    assert "(1 bereikt in 2024-2025)" in view.map_caption
    html = view.fmap.get_root().render()
    texts = layer(html, "points", "ik-school")["cols"]["bereik_tekst"]
    assert "Bereikt in 2024-2025: gastles VO (1)" in texts
    assert texts.count("Niet bereikt in 2024-2025") == len(texts) - 1
    partners = layer(html, "points", "ik-partner")
    ring = dict(zip(partners["cols"]["naam"],
                    (partners["styles"][i]["color"] for i in partners["style"]), strict=True))
    assert ring["Ingenieurs Heerhugowaard"] == maps.ACTIVE_RING_COLOR
    assert ring["Wegenbouw Gooi"] != maps.ACTIVE_RING_COLOR
    assert "Gaf 1 activiteit in 2024-2025" in partners["cols"]["activiteiten_tekst"]
    labels = [item["label"] for item in layer(html, "legend")["items"]]
    assert "vmbo-school niet bereikt in 2024-2025" in labels
    assert "Groene rand: gaf activiteiten in 2024-2025" in labels
    # Reach per school, never who taught.
    assert TEACHER not in html and NOTE not in html


def test_the_score_counts_vmbo_schools_not_reached_in_that_year(store, reference,
                                                                 boundaries):
    view = _view(store, reference, boundaries, school_year=YEAR, level="gemeente")
    assert view.school_part == "vmbo-scholen niet bereikt in 2024-2025"
    assert view.school_part_header == "Vmbo niet bereikt"
    assert list(view.ranking.columns) == [*RANKING_COLUMNS, "scholen_vmbo_niet_bereikt"]
    alkmaar = view.ranking.set_index("naam").loc["Alkmaar"]
    assert alkmaar["scholen_vmbo_niet_bereikt"] == alkmaar["scholen_vmbo"] - 1
    assert "vmbo-scholen niet bereikt in 2024-2025" in view.score_caption
    notes = pd.read_excel(io.BytesIO(view.xlsx), sheet_name="Uitleg").set_index("Kolom")
    assert "Vmbo-scholen niet bereikt in 2024-2025" in notes.loc["Witte-vlekscore",
                                                                 "Betekenis"]


def test_reach_by_kind(store, reference, boundaries):
    view = _view(store, reference, boundaries, school_year=YEAR, reach_kinds=["voorlichting"])
    assert set(_school_marks(view).values()) <= {0, 1}
    html = view.fmap.get_root().render()
    partners = layer(html, "points", "ik-partner")
    assert maps.ACTIVE_RING_COLOR not in {partners["styles"][i]["color"]
                                          for i in partners["style"]}


def test_the_choropleth_of_vmbo_reach(store, reference, boundaries):
    view = _view(store, reference, boundaries, school_year=YEAR, level="gemeente",
                 indicator="aandeel_vmbo_bereikt")
    html = view.fmap.get_root().render()
    assert "Kleurkaart: Bereik vmbo-scholen (aandeel bereikt in 2024-2025)" in html
    areas = layer(html, "areas", "ik-kleurkaart")["geojson"]["features"]
    assert len(areas) == 46
