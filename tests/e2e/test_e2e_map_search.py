"""The map's search box and the chosen table row, in the browser: the map goes there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo.reference.gazetteer import Gazetteer
from geo.reference.regions import assign_areas
from tests.e2e.browser import (
    _in_map,
    after_run,
    map_frame,
    save_screenshot,
    tab_panel,
    wait_for_maps,
    wait_for_markers,
    wait_for_value,
)

pytestmark = pytest.mark.e2e

#: The map's centre, read in its iframe once streamlit-folium has built it.
_CENTRE = """() => {
    const map = window.map;
    if (!(window.L && map instanceof L.Map && map._loaded)) return null;
    const c = map.getCenter();
    return [c.lat, c.lng, map.getZoom()];
}"""

#: Two centres closer than this (degrees, about 10 m) are the same.
CLOSE = 1e-4


def _centre(page, index: int = 0) -> tuple[float, float, int] | None:
    found = _in_map(page, index, _CENTRE)
    return None if found is None else (found[0], found[1], int(found[2]))


def _wait_for_centre(page, lat: float, lon: float, zoom: int, *, what: str,
                     index: int = 0) -> tuple[float, float, int]:
    """Wait until the map looks at (lat, lon) at ``zoom``; return the centre it has."""
    last: list = []

    def there() -> bool:
        last[:] = [_centre(page, index)]
        found = last[0]
        return (found is not None and abs(found[0] - lat) <= CLOSE
                and abs(found[1] - lon) <= CLOSE and found[2] == zoom)

    try:
        wait_for_value(there, True, what=what)
    except AssertionError as err:
        raise AssertionError(f"{err}; verwacht {(lat, lon, zoom)}, laatst {last}") from None
    return last[0]


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.mark.parametrize(("text", "gemeente", "label"), [
    ("Julianadorp", "GM0400", "Julianadorp (Den Helder)"),  # a place, offline
    ("Bouwkade 12, Heerhugowaard", "GM1980", "Bouwkade 12, 1703AB Heerhugowaard"),  # PDOK
])
def test_searching_a_place_moves_the_map_there(app, page, reference, gazetteer, text,
                                               gemeente, label):
    app.open(page, "")
    wait_for_maps(page, 1)
    before = _centre(page)
    box = page.get_by_role("textbox", name="Zoek een plaats, postcode of adres")
    box.fill(text)
    box.press("Enter")
    # The evidence of the search's run: its message, naming what was found.
    after_run(page, page.get_by_text(re.compile(rf"^Gevonden .*{re.escape(label)}")))
    if "," in text:  # the fake PDOK's address, at the building
        lat, lon, zoom = 52.659650, 4.825010, 17
        expect(page.get_by_text(re.compile(r"^Gevonden bij PDOK"))).to_have_count(1)
    else:
        place = gazetteer.place(text)
        lat, lon, zoom = place.lat, place.lon, 13
    found = _wait_for_centre(page, lat, lon, zoom, what=f"de kaart bij {text}")
    assert (before[0], before[1]) != pytest.approx((found[0], found[1]), abs=0.01)
    # The centre lies in the place's municipality (the bundled CBS boundaries).
    areas = assign_areas([found[1]], [found[0]], reference).iloc[0]
    assert areas["gemeentecode"] == gemeente
    # The searched place is marked and labelled, as text.
    wait_for_markers(page, "ik-gezocht", [(lat, lon)], what="de gezochte plek op de kaart")
    expect(map_frame(page).locator(".ik-etiket")).to_have_text(f"Gezocht: {label}")
    save_screenshot(page, f"kaart-zoeken-{text.split(',')[0].replace(' ', '-')}")


def test_unknown_text_leaves_the_map_and_says_so(app, page):
    app.open(page, "")
    wait_for_maps(page, 1)
    before = _centre(page)
    box = page.get_by_role("textbox", name="Zoek een plaats, postcode of adres")
    box.fill("<b>Nergenshuizen</b>")
    box.press("Enter")
    after_run(page, page.get_by_text("Niets gevonden voor '<b>Nergenshuizen</b>'.",
                                     exact=False))
    wait_for_maps(page, 1)
    assert _centre(page) == before
    expect(map_frame(page).locator(".ik-etiket")).to_have_count(0)


def test_choosing_a_partner_row_moves_the_map_to_it(app, page):
    app.open(page, "school_koppelen")
    panel = tab_panel(page, "School → partners")
    frame = panel.locator('[data-testid="stDataFrame"]')
    expect(frame).to_have_count(1)
    wait_for_maps(page, 2)
    grid = frame.locator('table[role="grid"]')
    expect(grid).to_have_attribute("aria-rowcount", "6")  # five partners and the header
    # The third row (aria-rowindex 1 is the header); its cells after the selection box.
    name = grid.locator('tbody tr[aria-rowindex="4"] td').nth(1).inner_text().strip()
    assert name
    with app.store() as store:
        partners = store.organisations()
    partner = partners[partners["naam"] == name].iloc[0]
    # Click the third row's selection box (the first column of the grid's canvas; the
    # header and each row are Streamlit's default 35 px high).
    header_px = row_px = 35
    frame.click(position={"x": 18, "y": header_px + 2 * row_px + row_px / 2})
    _wait_for_centre(page, float(partner["lat"]), float(partner["lon"]), 14,
                     what=f"de kaart bij partner {name}")
    wait_for_markers(page, "ik-gekozen", [(partner["lat"], partner["lon"])],
                     what="de ring om de gekozen partner")
    expect(map_frame(page).locator(".ik-etiket")).to_have_text(
        re.compile(rf"^Gekozen: 3\. {re.escape(name)} — "))
    save_screenshot(page, "school-koppelen-rij-gekozen")
