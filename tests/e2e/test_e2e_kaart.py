"""Kaart in the browser: markers and areas as the register says, filters change the map."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo.reference.data import REGIONS
from tests.e2e.harness import (
    MBO_MARKER,
    SCHOOL_MARKER,
    count,
    map_frame,
    partner_total,
    save_screenshot,
    wait_for_map,
    wait_until,
)

pytestmark = pytest.mark.e2e

#: Municipality outlines: drawn by geo.output.maps.add_boundaries with weight 0.8.
MUNICIPALITY_PATH = 'path.leaflet-interactive[stroke-width="0.8"]'
#: Labour-market region outlines: weight 3 and the region colour.
REGION_PATH = 'path.leaflet-interactive[stroke-width="3"]:not(.ik-partner):not(.ik-school)'


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


def _open_kaart(app, page) -> None:
    app.open(page, "")
    wait_for_map(page)
    # All schools are added in one go; wait until the marker layer is complete.
    wait_until(lambda: count(page, SCHOOL_MARKER) > 0, what="schoolmarkers op de kaart")


def test_map_shows_every_school_area_and_partner(app, page, expected):
    _open_kaart(app, page)
    assert expected["schools"] > 200  # the bundled DUO list, sanity check of the data
    wait_until(lambda: count(page, SCHOOL_MARKER) == expected["schools"],
               what=f"{expected['schools']} schoolmarkers")
    assert count(page, MUNICIPALITY_PATH) >= expected["municipalities"] >= 46
    assert count(page, REGION_PATH) == expected["regions"]
    assert count(page, MBO_MARKER) == expected["mbo"] == 2
    # Partners are clustered at the opening zoom: singles + the numbers on the clusters.
    assert partner_total(page) == expected["partners"] > 0
    caption = page.get_by_text(re.compile(r"\d+ organisaties op de kaart")).inner_text()
    assert caption.startswith(f"{expected['partners']} organisaties op de kaart")
    assert f"{expected['schools']} scholen" in caption
    # The legend and the municipality tooltips are real, readable text.
    legend = map_frame(page).locator(".ik-legend").inner_text()
    assert "Mbo-infra-opleiding" in legend
    save_screenshot(page, "kaart-publiek")


def test_vmbo_filter_shows_only_vmbo_schools_and_is_kept_in_the_link(app, page, expected):
    assert 0 < expected["vmbo_schools"] < expected["schools"]
    _open_kaart(app, page)
    wait_until(lambda: count(page, SCHOOL_MARKER) == expected["schools"],
               what="alle scholen voor het filter")
    page.locator('[data-testid="stSidebar"]').get_by_text("Alleen scholen met vmbo").click()
    wait_until(lambda: count(page, SCHOOL_MARKER) == expected["vmbo_schools"],
               what=f"{expected['vmbo_schools']} vmbo-scholen na het filter")
    # Partners and areas are untouched by the school filter.
    assert partner_total(page) == expected["partners"]
    assert count(page, MUNICIPALITY_PATH) >= expected["municipalities"]
    wait_until(lambda: "vmbo=ja" in page.url, what="vmbo=ja in de link")

    # A shared link opens the same view in a new session.
    shared = app.new_page()
    try:
        shared.goto(page.url)
        wait_for_map(shared)
        wait_until(lambda: count(shared, SCHOOL_MARKER) == expected["vmbo_schools"],
                   what="vmbo-filter uit de gedeelde link")
    finally:
        shared.context.close()


def test_removing_a_kind_removes_its_partners(app, page, expected):
    per_kind = pd.Series(expected["partners_per_soort"])
    kind = str(per_kind.idxmax())  # the kind with the most placed, active partners
    label = {"aannemer": "Aannemer", "ingenieursbureau": "Ingenieursbureau",
             "netbeheerder": "Netbeheerder", "overheid": "Overheid", "onderwijs": "Onderwijs",
             "overig": "Overig"}[kind]
    _open_kaart(app, page)
    wait_until(lambda: partner_total(page) == expected["partners"], what="alle partners")
    select = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Soort organisatie")
    select.get_by_role("button", name=f"Remove {label}", exact=True).click()
    remaining = expected["partners"] - int(per_kind[kind])
    wait_until(lambda: partner_total(page) == remaining,
               what=f"{remaining} partners zonder soort {kind}")
    assert count(page, SCHOOL_MARKER) == expected["schools"]
    assert f"soort={kind}" not in page.url
