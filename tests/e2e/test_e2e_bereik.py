"""Bereik in the browser: the team imports a planning sheet and sees, for one subregion,
exactly the vmbo schools not reached this school year, listed and marked on the map."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from geo.activities import school_year, school_year_bounds
from tests.e2e.browser import (
    after_run,
    go_to,
    grid_rows,
    save_screenshot,
    wait_for_idle,
    wait_for_markers,
)

pytestmark = pytest.mark.e2e

SUBREGION = "Zaanstreek"
PARTNER = "Voorbeeld Infra Zaanoever"
TEACHER = "Elze Endtoendocent"


def _day(offset: int) -> str:
    start, _ = school_year_bounds(school_year(date.today()))
    return (start + timedelta(days=offset)).strftime("%d-%m-%Y")


@pytest.fixture(scope="module")
def vmbo(app):
    """The vmbo schools of the subregion (by code), with their places."""
    from geo.reference.data import load_reference
    from geo.settings import Settings

    sub_of = load_reference(Settings().data_dir).default_division.subregion_of()
    with app.store() as store:
        schools = store.schools()
        year = school_year(date.today())
        assert store.activities.all(school_year=year).empty, "the year starts empty"
    inside = schools[(schools["gemeentecode"].map(sub_of) == SUBREGION)
                     & schools["heeft_vmbo"] & (schools["vestigingscode"] != "")]
    assert len(inside) >= 4
    return inside.sort_values("vestigingscode").set_index("vestigingscode")


def test_import_a_planning_and_see_the_vmbo_schools_not_reached(app, team_page, tmp_path,
                                                                 vmbo):
    a, b, c = list(vmbo.index[:3])
    sheet = tmp_path / "planning_e2e.csv"
    sheet.write_text(
        "Soort activiteit;Datum;Vestigingscode;Partner;Aantal leerlingen;Status;Gastdocenten\n"
        f"Gastles VO;{_day(20)};{a};{PARTNER};24;gegeven;{TEACHER}\n"
        f"Tech Your Talent;{_day(35)};{b};{PARTNER};16;gegeven;\n"
        f"Voorlichting;{_day(45)};{c};;;gepland;\n", encoding="utf-8")
    page = team_page
    go_to(page, "Bereik")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sheet))
    after_run(page, page.locator('[data-testid="stMarkdownContainer"] p').filter(
        has_text="planning_e2e.csv: 3 rijen met gegevens"))
    verdicts = grid_rows(page.locator('[data-testid="stDataFrame"]').first, rows=3)
    assert [row["Oordeel"] for row in verdicts] == ["ok", "ok", "ok"]
    page.get_by_role("button", name="Importeren (3 rijen)").click()
    after_run(page, page.locator('[data-testid="stAlertContentSuccess"]').filter(
        has_text="Planning geïmporteerd: 3 nieuw"))

    missing = sorted(set(vmbo.index) - {a, b})  # the planned one is still to be reached
    wanted = page.get_by_role("option").filter(has_text=re.compile(f"^{SUBREGION}$"))
    for _attempt in range(3):  # a late rerun may close the list again: open it once more
        wait_for_idle(page)
        page.get_by_role("combobox", name="Subregio").click()
        try:
            wanted.click(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    else:
        raise AssertionError(f"de subregio {SUBREGION} kon niet worden gekozen")
    after_run(page, page.get_by_text(re.compile(
        rf"^{len(missing)} van de {len(vmbo)} vmbo-scholen in {SUBREGION} niet bereikt in ")))
    rows = grid_rows(page.locator('[data-testid="stDataFrame"]').last, rows=len(missing))
    assert sorted(row["Vestigingscode"] for row in rows) == missing
    assert all(row["Partners dichtbij"].count(" km)") == 5 for row in rows)
    wait_for_markers(page, "ik-niet-bereikt",
                     list(zip(vmbo.loc[missing, "lat"], vmbo.loc[missing, "lon"], strict=True)),
                     what=f"de {len(missing)} niet bereikte vmbo-scholen op de kaart")
    expect(page.get_by_text(TEACHER)).to_have_count(0)
    save_screenshot(page, "bereik-subregio")
    with app.store() as store:  # the register holds what was imported, for the team only
        stored = store.activities.all(school_year=school_year(date.today()),
                                      include_staff=True)
        assert sorted(stored["vestigingscode"]) == sorted([a, b, c])
        for activity_id in stored["id"]:  # leave the shared register as the others expect it
            store.activities.delete(int(activity_id), user="e2e", role="team")
