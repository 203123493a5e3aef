"""Kaart in the browser: markers and areas as the register says, filters change the map."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import expect

from geo.fields import kind_codes, kind_labels
from geo.reference.data import REGIONS
from tests.e2e.browser import (
    MBO_MARKER,
    SCHOOL_MARKER,
    count,
    in_map,
    map_frame,
    partner_total,
    save_screenshot,
    wait_for_idle,
    wait_for_maps,
    wait_for_value,
)

pytestmark = pytest.mark.e2e

#: Municipality outlines: drawn by geo.output.maps.add_boundaries with weight 0.8.
MUNICIPALITY_PATH = 'path.leaflet-interactive[stroke-width="0.8"]'
#: The land of the offline base (geo.output.maps.offline_base), below the tiles.
OFFLINE_LAND_PATH = ".leaflet-ikBasis-pane path.ik-basis"

#: Labour-market region outlines: weight 3 and the region colour (the two-variable map's
#: "ver én weinig partners" areas also have a weight-3 edge, in the ik-kleurkaart layer).
REGION_PATH = ('path.leaflet-interactive[stroke-width="3"]'
               ':not(.ik-partner):not(.ik-school):not(.ik-kleurkaart)')


@pytest.fixture(scope="module")
def expected(app, reference):
    """What the Kaart should draw with its default filters, from data, not from the page."""
    schools = reference.scholen
    schools = schools[schools["lat"].notna()
                      & schools["arbeidsmarktregio_code"].isin(list(REGIONS))]
    with app.store() as store:
        orgs = store.organisations()
        mbo = store.mbo_locations()
    placed_active = orgs[orgs["actief"] & orgs["lat"].notna()]
    return {
        "schools": len(schools),
        "vmbo_schools": int(schools["heeft_vmbo"].astype(bool).sum()),
        "municipalities": len(reference.gemeenten),
        "regions": len(REGIONS),
        "mbo": int(mbo["lat"].notna().sum()),
        "partners": len(placed_active),
        "partners_per_soort": placed_active["soort"].value_counts().to_dict(),
    }


def _wait_for_kaart(page, expected, *, schools: int, partners: int) -> None:
    """Wait until the Kaart's one map is built and shows exactly these markers."""
    wait_for_maps(page, 1)
    wait_for_value(lambda: count(page, SCHOOL_MARKER), schools,
                   what="het aantal schoolmarkers op de kaart")
    # Partners are clustered and added in chunks: wait for the last chunk.
    wait_for_value(lambda: partner_total(page), partners,
                   what="het aantal partners op de kaart (los en in clusters)")
    wait_for_value(lambda: count(page, MBO_MARKER), expected["mbo"],
                   what="het aantal mbo-locaties op de kaart")


def _open_kaart(app, page, expected) -> None:
    app.open(page, "")
    _wait_for_kaart(page, expected, schools=expected["schools"],
                    partners=expected["partners"])


def _query(page) -> dict[str, list[str]]:
    """The query parameters of the address bar, read in the browser (``page.url`` is only
    refreshed when Playwright handles its events)."""
    return parse_qs(urlsplit(page.evaluate("() => location.href")).query)


def test_map_shows_every_school_area_and_partner(app, page, expected):
    assert expected["schools"] > 200  # the bundled DUO list, sanity check of the data
    assert expected["mbo"] == 2 and expected["partners"] > 0
    _open_kaart(app, page, expected)
    # Areas are drawn by the same map script, complete once the map is built.
    assert count(page, MUNICIPALITY_PATH) >= expected["municipalities"] >= 46
    assert count(page, REGION_PATH) == expected["regions"]
    caption = page.get_by_text(re.compile(r"^\d+ organisaties op de kaart"))
    expect(caption).to_have_text(re.compile(
        rf"^{expected['partners']} organisaties op de kaart · {expected['schools']} scholen"))
    # The legend is real, readable text (built by the map script with textContent).
    expect(map_frame(page).locator(".ik-legend")).to_contain_text("Mbo-infra-opleiding")
    expect(map_frame(page).locator("details.ik-legend")).to_have_attribute("open", "")
    # No internet here, so no tiles: the land of the bundled boundaries is what shows,
    # in a pane below the tile pane, on the water colour.
    assert count(page, OFFLINE_LAND_PATH) == expected["municipalities"] + 1
    pane = map_frame(page).locator(".leaflet-ikBasis-pane")
    assert pane.evaluate("el => getComputedStyle(el).zIndex") == "150"
    assert map_frame(page).locator(".leaflet-tile-pane").evaluate(
        "el => getComputedStyle(el).zIndex") == "200"
    background = map_frame(page).locator(".leaflet-container").evaluate(
        "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(201, 220, 234)"
    save_screenshot(page, "kaart-publiek")


def test_on_a_phone_the_legend_starts_folded_and_clusters_are_neutral(app, page, expected):
    page.set_viewport_size({"width": 390, "height": 844})
    _open_kaart(app, page, expected)
    legend = map_frame(page).locator("details.ik-legend")
    expect(legend).to_have_count(1)
    assert legend.evaluate("box => box.open") is False
    expect(legend.locator("summary")).to_be_visible()
    # A cluster bubble is grey, unlike every kind's colour (e.g. green for Overheid).
    bubble = map_frame(page).locator(".marker-cluster div").first
    colour = bubble.evaluate("el => getComputedStyle(el).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", colour)[:3])
    assert red == green == blue, colour
    save_screenshot(page, "kaart-telefoon")


def test_vmbo_filter_shows_only_vmbo_schools_and_is_kept_in_the_link(app, page, expected):
    assert 0 < expected["vmbo_schools"] < expected["schools"]
    _open_kaart(app, page, expected)
    wait_for_value(lambda: _query(page).get("vmbo"), ["nee"], what="vmbo=nee in de link")
    # Mark the map, move it: a filter must update its layers, not rebuild it.
    in_map(page, "() => { window.ikZelfdeKaart = true; window.map.setView([52.7, 4.8], 10); }")
    # Mark every data layer on the map: an update that sends one unchanged keeps it.
    in_map(page, "() => Object.values(window.map._layers).filter(l => l.ikClass)"
                 ".forEach(l => { l.ikVoorFilter = true; })")
    page.locator('[data-testid="stSidebar"]').get_by_text("Alleen scholen met vmbo").click()
    # The school markers changing is the evidence of the filter's run; then let it end.
    wait_for_value(lambda: count(page, SCHOOL_MARKER), expected["vmbo_schools"],
                   what="het aantal vmbo-scholen na het filter")
    wait_for_idle(page)
    assert in_map(page, "() => [window.ikZelfdeKaart === true, window.map.getZoom(),"
                        " Math.round(window.map.getCenter().lat * 10)]") == [True, 10, 527]
    assert count(page, ".ik-legend") == 1
    assert count(page, ".leaflet-control-layers") == 1
    # Partners and areas are untouched by the school filter.
    _wait_for_kaart(page, expected, schools=expected["vmbo_schools"],
                    partners=expected["partners"])
    assert count(page, MUNICIPALITY_PATH) >= expected["municipalities"]
    # The partners were sent unchanged: the browser kept their layer instead of building
    # it again; the schools changed, so theirs is new.
    kept = in_map(page, "() => Object.values(window.map._layers).filter(l => l.ikClass)"
                        ".map(l => [l.ikClass, l.ikVoorFilter === true])")
    assert ["ik-partner", True] in kept and ["ik-partner", False] not in kept, kept
    assert ["ik-school", False] in kept and ["ik-school", True] not in kept, kept
    wait_for_value(lambda: _query(page).get("vmbo"), ["ja"], what="vmbo=ja in de link")

    # A shared link opens the same view in a new session.
    shared = app.new_page()
    try:
        shared.goto(page.evaluate("() => location.href"))
        wait_for_idle(shared)
        _wait_for_kaart(shared, expected, schools=expected["vmbo_schools"],
                        partners=expected["partners"])
    finally:
        shared.context.close()


def test_removing_a_kind_removes_its_partners(app, page, expected):
    per_kind = pd.Series(expected["partners_per_soort"])
    kind = str(per_kind.idxmax())  # the kind with the most placed, active partners
    label = kind_labels()[kind]
    _open_kaart(app, page, expected)
    wait_for_value(lambda: _query(page).get("soort"), list(kind_codes()),
                   what="alle soorten in de link")
    select = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Soort organisatie")
    select.get_by_role("button", name=f"Remove {label}", exact=True).click()
    remaining = expected["partners"] - int(per_kind[kind])
    wait_for_value(lambda: partner_total(page), remaining,
                   what=f"{remaining} partners zonder soort {kind}")
    wait_for_idle(page)
    _wait_for_kaart(page, expected, schools=expected["schools"], partners=remaining)
    wait_for_value(lambda: _query(page).get("soort"), [s for s in kind_codes() if s != kind],
                   what=f"de soorten zonder {kind} in de link")
