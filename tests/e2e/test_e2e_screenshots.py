"""Screenshots of the main pages as a board member, saved to tests/artefacts/.

The board sees every page, so one session visits them all; each page must render its
title (and its map where it has one) without an exception box.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    PAGE_HEADINGS,
    go_to,
    heading,
    nav_labels,
    save_screenshot,
    wait_for_maps,
)

pytestmark = pytest.mark.e2e

#: Navigation title → the number of maps on the page (School koppelen: one per tab).
PAGES = {"Kaart": 1, "School koppelen": 2, "Wat als": 1, "Over": 0, "Beheer": 0,
         "Ambassadeurs": 1}


def test_board_sees_every_page_and_screenshots_are_saved(board_page):
    page = board_page
    assert set(PAGES) <= set(nav_labels(page))
    for title, maps in PAGES.items():
        go_to(page, title)  # waits for the page's own heading and the end of its run
        expect(heading(page, PAGE_HEADINGS[title])).to_be_visible()
        wait_for_maps(page, maps)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        path = save_screenshot(page, f"pagina-{title}")
        assert path.stat().st_size > 10_000
