"""A link straight to a page, as the very first request a fresh server gets.

Streamlit keeps its old "pages/ directory" mode until some session has run
``st.navigation`` once. Until then a direct link such as ``/over`` runs
``pages/over.py`` on its own — without app.py's page config, login caption and
role-based navigation — and the sidebar lists every file in ``pages/`` (``app``,
``beheer``, ``shared``, …). Every page therefore calls ``pages._shared.through_router()``
first, which switches that mode off and reruns through app.py. This module starts its
own server so that it really is the first visitor.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import heading, nav_labels, wait_for_value
from tests.e2e.harness import running_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fresh_app(app):
    """A second server that no session has visited yet (sharing the first one's browser)."""
    with running_app(warm_up=False, browser=app.browser) as fresh:
        yield fresh


def test_first_request_for_a_page_link_goes_through_the_router(fresh_app):
    page = fresh_app.new_page()
    fresh_app.open(page, "over")
    expect(heading(page, "Over Infrakaart")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(
        "Je bekijkt de publieke kaart")
    labels = wait_for_value(lambda: nav_labels(page),
                            ["Kaart", "School koppelen", "Wat als", "Over", "Inloggen"],
                            what="de navigatie van het publiek")
    assert "Beheer" not in labels
