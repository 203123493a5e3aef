"""Screenshots of the main pages as a board member, saved to tests/artefacts/.

The board sees every page, so one session visits them all; each page must render its
title (and its map where it has one) without an exception box.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import go_to, nav_labels, save_screenshot, wait_for_map

pytestmark = pytest.mark.e2e

#: Navigation title → (page heading, has a map).
PAGES = {
    "Kaart": ("Infrakaart", True),
    "School koppelen": ("School koppelen", True),
    "Wat als": ("Wat als", True),
    "Over": ("Over Infrakaart", False),
    "Beheer": ("Beheer", False),
    "Ambassadeurs": ("Ambassadeurs", True),
}


def test_board_sees_every_page_and_screenshots_are_saved(board_page):
    page = board_page
    assert set(PAGES) <= set(nav_labels(page))
    for title, (heading, has_map) in PAGES.items():
        go_to(page, title)
        expect(page.locator("h1").first).to_contain_text(heading)
        if has_map:
            wait_for_map(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        path = save_screenshot(page, f"pagina-{title}")
        assert path.stat().st_size > 10_000
