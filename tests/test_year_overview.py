"""The Jaaroverzicht: figures per school year (analysis), the view, and the command."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from geo import activities
from geo.analysis.year_overview import CHANGE, TOPIC, year_figures, year_overview
from geo.cli import main
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.views.jaaroverzicht import year_overview_view

SCHOOLS = pd.DataFrame({
    "vestigingscode": ["A1", "B1", "C1", "D1", ""],
    "heeft_vmbo": [True, True, False, True, True],
})


def activity(kind, year, status="gegeven", school="", pupils=None, partners=()):
    return {"soort": kind, "schooljaar": year, "status": status, "vestigingscode": school,
            "aantal_leerlingen": pupils, "partner_ids": tuple(partners)}


FRAME = pd.DataFrame([
    activity("gastles_vo", "2024-2025", school="A1", pupils=25, partners=(1,)),
    activity("gastles_vo", "2024-2025", school="A1", pupils=20, partners=(1, 2)),
    activity("gastles_vo", "2024-2025", school="C1", pupils=None, partners=(3,)),
    activity("gastles_vo", "2024-2025", status="gepland", school="B1", partners=(4,)),
    activity("gastles_vo", "2024-2025", status="geannuleerd", school="D1", pupils=30),
    activity("gastles_vmbo", "2024-2025", school="B1", pupils=15, partners=(2,)),
    activity("pet_event", "2024-2025", pupils=60),
    activity("open_dag", "2024-2025", pupils=40, partners=(5,)),
    activity("gastles_vo", "2023-2024", school="D1", pupils=10, partners=(1,)),
    activity("beurs", "2022-2023", pupils=100),
])


def test_figures_count_only_given_activities_of_the_year():
    f = year_figures(FRAME, SCHOOLS, school_year="2024/2025")
    assert f.school_year == "2024-2025"
    assert f.given["gastles_vo"] == f.guest_lessons_vo == 3
    assert (f.given["gastles_vmbo"], f.given["pet_event"], f.given["open_dag"],
            f.given["beurs"], f.given["anders"]) == (1, 1, 1, 0, 0)
    assert (f.planned, f.cancelled) == (1, 1)
    assert f.schools_reached == 3  # A1, C1, B1 (B1 by the vmbo lesson; D1 was cancelled)
    assert f.partners_active == 4  # 1, 2, 3, 5: not 4 (planned only)
    assert (f.pupils, f.pupils_unknown) == (25 + 20 + 15 + 60 + 40, 1)
    assert f.vmbo_schools == 3  # A1, B1, D1; a school without a code is none
    assert f.vmbo_not_reached == ("D1",)
    assert f.share_of_maximum(180) == pytest.approx(100 * 3 / 180)
    assert f.share_of_maximum(0) == 0.0


def test_an_empty_year_has_zeros_and_every_vmbo_school_unreached():
    f = year_figures(FRAME.iloc[0:0], SCHOOLS, school_year="2030-2031")
    assert set(f.given.values()) == {0}
    assert (f.schools_reached, f.partners_active, f.pupils) == (0, 0, 0)
    assert f.vmbo_not_reached == ("A1", "B1", "D1")


def test_the_overview_puts_the_year_before_beside_it():
    overview = year_overview(FRAME, SCHOOLS, school_year="2024-2025", maximum=180)
    assert overview.previous.school_year == "2023-2024"
    table = overview.table().set_index(TOPIC)
    assert list(overview.table().columns) == [TOPIC, "2024-2025", "2023-2024", CHANGE]
    assert table.loc["Gastlessen VO gegeven"].tolist() == [3, 1, 2]
    share = table.loc["Gastlessen VO: % van het maximum (180)"]
    assert share.tolist() == [pytest.approx(1.7), pytest.approx(0.6), pytest.approx(1.1)]
    assert table.loc["Gastlessen vmbo (Tech Your Talent)"].tolist() == [1, 0, 1]
    assert table.loc["Scholen bereikt"].tolist() == [3, 1, 2]
    assert table.loc["vmbo-scholen niet bereikt (van 3)"].tolist() == [1, 2, -1]
    assert table.loc["Leerlingen bereikt"].tolist() == [160, 10, 150]
    assert {"Voorlichtingen", "PET-events (primair onderwijs)", "Open dagen", "Beurzen",
            "Netwerkbijeenkomsten", "Snuffelstages", "Partners die activiteiten gaven",
            "Activiteiten nog gepland", "Activiteiten geannuleerd"} <= set(table.index)
    with pytest.raises(ValueError, match="geen schooljaar"):
        year_overview(FRAME, SCHOOLS, school_year="2024")


def test_the_maximum_comes_from_the_defaults():
    assert DEFAULTS.max_guest_lessons_vo == 180
    overview = year_overview(FRAME, SCHOOLS, school_year="2024-2025")
    assert overview.maximum == 180


@pytest.mark.parametrize(("years", "today", "chosen"), [
    ([], date(2025, 3, 1), "2024-2025"),
    (["2024-2025"], date(2025, 3, 1), "2024-2025"),
    (["2023-2024"], date(2025, 8, 1), "2023-2024"),  # the latest year with activities
    (["2030-2031"], date(2025, 3, 1), "2030-2031"),  # only a later one
    (["2023-2024", "2025-2026"], date(2025, 3, 1), "2023-2024"),
])
def test_which_school_year_comes_first(years, today, chosen):
    assert activities.first_school_year(years, today) == chosen


# -- the view and the command, on the example data ------------------------------------------


@pytest.fixture(scope="module")
def example_register(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("jaar") / "infrakaart.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
    return path


def test_the_view_on_the_example_data(example_register, reference):
    with Store(example_register, reference) as store:
        view = year_overview_view(store, today=date(2025, 5, 1))
        later = year_overview_view(store, school_year="2025-2026")
        frame = store.activities.all()
    assert (view.school_year, view.previous_year) == ("2024-2025", "2023-2024")
    assert view.school_years[:2] == ("2025-2026", "2024-2025")
    given = frame[(frame["schooljaar"] == "2024-2025") & (frame["status"] == "gegeven")]
    table = view.table.set_index(TOPIC)
    assert table.loc["Gastlessen VO gegeven", "2024-2025"] == (
        given["soort"] == "gastles_vo").sum() > 0
    assert table.loc["Gastlessen VO gegeven", "2023-2024"] == 0
    shown = view.shown.set_index(TOPIC)
    assert shown.loc["Gastlessen VO: % van het maximum (180)", "2024-2025"].endswith(" %")
    assert "," in shown.loc["Gastlessen VO: % van het maximum (180)", "2024-2025"]
    assert shown.loc["Gastlessen VO gegeven", CHANGE].startswith("+")
    assert view.examples and any("voorbeeldactiviteiten" in n for n in view.notes)
    reached = set(given["vestigingscode"]) - {""}
    assert not reached & set(view.not_reached["Vestigingscode"])
    assert len(view.not_reached) == table.loc[
        next(i for i in table.index if i.startswith("vmbo-scholen niet bereikt")), "2024-2025"]
    assert list(view.not_reached.columns) == ["Subregio", "Gemeente", "Plaats", "School",
                                              "Vestigingscode"]
    assert later.previous_year == "2024-2025"
    assert later.table.set_index(TOPIC).loc["Gastlessen VO gegeven", "2024-2025"] == (
        table.loc["Gastlessen VO gegeven", "2024-2025"])


def test_an_empty_year_says_how_to_fill_it(tmp_path, reference):
    with Store(tmp_path / "leeg.sqlite", reference) as store:
        view = year_overview_view(store, school_year="2024-2025")
    assert view.table["2024-2025"].iloc[0] == 0
    assert any("infrakaart activiteiten import" in n for n in view.notes)
    assert not view.examples
    vmbo = view.overview.current.vmbo_schools
    assert len(view.not_reached) == vmbo > 100


def test_cli_jaaroverzicht_prints_and_writes(example_register, settings, tmp_path, capsys):
    db = ["--database", str(example_register)]
    xlsx, csv = tmp_path / "jaar.xlsx", tmp_path / "jaar.csv"
    assert main(["jaaroverzicht", "--schooljaar", "2025-2026", *db, "--uitvoer", str(xlsx)],
                settings=settings) == 0
    out = capsys.readouterr().out
    assert "Jaaroverzicht 2025-2026 (met 2024-2025 ernaast)" in out
    assert "Gastlessen VO: % van het maximum (180)" in out
    assert "vmbo-scholen niet bereikt in 2025-2026:" in out
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Jaaroverzicht", "vmbo niet bereikt"]
    header = [c.value for c in next(book["Jaaroverzicht"].iter_rows())]
    assert header == ["Onderwerp", "2025-2026", "2024-2025", "Verschil"]
    assert main(["jaaroverzicht", "--schooljaar", "2025-2026", *db, "--uitvoer", str(csv)],
                settings=settings) == 0
    text = csv.read_text(encoding="utf-8-sig")
    assert text.startswith("Onderwerp;2025-2026;2024-2025;Verschil")
    assert "Gastlessen VO: % van het maximum (180);" in text
    assert main(["jaaroverzicht", "--schooljaar", "2025", *db], settings=settings) == 1
    assert "geen schooljaar" in capsys.readouterr().err
