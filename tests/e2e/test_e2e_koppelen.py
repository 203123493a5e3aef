"""School koppelen in the browser: a school's five nearest partners, nearest first."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from geo.output.call_lists import heading
from geo.views.school_koppelen import school_label
from tests.e2e.browser import (
    after_run,
    count,
    grid_rows,
    save_screenshot,
    tab_panel,
    wait_for_markers,
)

pytestmark = pytest.mark.e2e

K = 5


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), independent of the app's RD New maths."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def school_and_nearest(app):
    """A school findable by its own name, and its K nearest active partners."""
    with app.store() as store:
        schools = store.schools()
        partners = store.organisations()
    schools = schools[schools["lat"].notna()]
    haystack = (schools["naam"].fillna("") + " " + schools["plaats"].fillna("")).str.casefold()
    school = None
    for _, row in schools[schools["plaats"] == "Heerhugowaard"].sort_values("naam").iterrows():
        if haystack.str.contains(row["naam"].casefold(), regex=False).sum() == 1:
            school = row
            break
    assert school is not None, "geen school in Heerhugowaard met een unieke naam"
    assert school["vestigingscode"], "de school heeft geen vestigingscode"
    active = partners[partners["actief"] & partners["lat"].notna()].copy()
    active["km"] = [_km(school["lat"], school["lon"], la, lo)
                    for la, lo in zip(active["lat"], active["lon"], strict=True)]
    nearest = active.sort_values("km").head(K)
    return school, nearest


def test_school_search_lists_the_nearest_partners_in_order(app, page, school_and_nearest):
    school, nearest = school_and_nearest
    app.open(page, "school_koppelen")
    panel = tab_panel(page, "School → partners")
    # The page opens with another school chosen, with its own caption, table and map.
    shown = f"Partners bij {school_label(school)}"
    expect(panel.get_by_text(re.compile(r"^Partners bij "))).to_have_count(1)
    expect(panel.get_by_text(shown, exact=True)).to_have_count(0)

    panel.get_by_label(re.compile(r"^Zoek een school op naam")).fill(school["naam"])
    page.keyboard.press("Enter")
    # The evidence of the search's run: the caption that names this school by its code.
    after_run(page, panel.get_by_text(shown, exact=True))
    chosen = panel.get_by_role("combobox", name="School (1 gevonden)")
    expect(chosen).to_have_value(re.compile(re.escape(school["naam"])))

    rows = grid_rows(panel.locator('[data-testid="stDataFrame"]'), rows=K)
    km_col = heading("afstand_km")
    assert [row[heading("rang")] for row in rows] == [str(i) for i in range(1, K + 1)]
    names = [row[heading("naam")] for row in rows]
    distances = [float(row[km_col].replace(",", ".")) for row in rows]
    assert distances == sorted(distances)
    # The same partners as an independent great-circle computation (RD New vs haversine
    # differ by far less than the rounding to 10 m shown in the table).
    assert sorted(names) == sorted(nearest["naam"])
    for name, km in zip(names, distances, strict=True):
        expected_km = float(nearest.loc[nearest["naam"] == name, "km"].iloc[0])
        assert km == pytest.approx(expected_km, abs=0.05)

    # The map next to the list shows this school and exactly these partners.
    wait_for_markers(page, "ik-school", [(school["lat"], school["lon"])],
                     what="de gekozen school op de kaart")
    wait_for_markers(page, "ik-partner", list(zip(nearest["lat"], nearest["lon"], strict=True)),
                     what=f"de {K} dichtstbijzijnde partners op de kaart")
    # Offline the school's map still shows land and municipality borders (no tiles here).
    assert count(page, ".leaflet-ikBasis-pane path.ik-basis") > 46
    save_screenshot(page, "school-koppelen")
