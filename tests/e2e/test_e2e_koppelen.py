"""School koppelen in the browser: a school's five nearest partners, nearest first."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import PARTNER_MARKER, count, save_screenshot, wait_for_map, wait_until

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
    active = partners[partners["actief"] & partners["lat"].notna()].copy()
    active["km"] = [_km(school["lat"], school["lon"], la, lo)
                    for la, lo in zip(active["lat"], active["lon"], strict=True)]
    nearest = active.sort_values("km").head(K)
    return school, nearest


def _table(page) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first data grid (its accessible table)."""
    grid = page.locator('[data-testid="stDataFrame"]').first.locator('table[role="grid"]')
    grid.wait_for(state="attached")
    header = [t.strip() for t in grid.locator("thead th").all_inner_texts()]
    rows = [[t.strip() for t in row.locator("td").all_inner_texts()]
            for row in grid.locator("tbody tr").all()]
    return header, rows


def test_school_search_lists_the_nearest_partners_in_order(app, page, school_and_nearest):
    school, nearest = school_and_nearest
    app.open(page, "school_koppelen")
    page.get_by_label("Zoek een school op naam of plaats").fill(school["naam"])
    page.keyboard.press("Enter")
    page.get_by_text("School (1 gevonden)").wait_for()
    chosen = page.get_by_role("combobox", name="School (1 gevonden)")
    expect(chosen).to_have_value(re.compile(re.escape(school["naam"])))

    wait_until(lambda: _table(page)[0] and len(_table(page)[1]) == K,
               what=f"een tabel met {K} partners")
    header, rows = _table(page)
    name_col = header.index("naam")
    km_col = next(i for i, h in enumerate(header) if h.startswith("afstand_km"))
    assert [row[header.index("rang")] for row in rows] == [str(i) for i in range(1, K + 1)]
    names = [row[name_col] for row in rows]
    distances = [float(row[km_col].replace(",", ".")) for row in rows]
    assert distances == sorted(distances)
    # The same partners as an independent great-circle computation (RD New vs haversine
    # differ by far less than the rounding to 10 m shown in the table).
    assert sorted(names) == sorted(nearest["naam"])
    for name, km in zip(names, distances, strict=True):
        expected_km = float(nearest.loc[nearest["naam"] == name, "km"].iloc[0])
        assert km == pytest.approx(expected_km, abs=0.05)

    # The map next to the list shows the school's partners.
    wait_for_map(page)
    wait_until(lambda: count(page, PARTNER_MARKER) == K, what=f"{K} partners op de kaart")
    save_screenshot(page, "school-koppelen")
