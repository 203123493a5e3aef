"""Fixtures for the browser tests: one running app per test session, a page per test.

Without Chromium at /usr/bin/chromium the tests are skipped, except on CI (``CI=true``),
where a missing browser is a failure: ``make test`` must prove the flows in a browser.

CI runs on a loaded machine: Playwright's ``expect`` waits up to
:data:`~tests.e2e.browser.EXPECT_TIMEOUT_MS` instead of its default 5 s, and a browser test
may take :data:`E2E_TEST_TIMEOUT_S` (the first one also starts the app). Every wait is for
an exact state, so a generous limit only matters when something is really wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import EXPECT_TIMEOUT_MS
from tests.e2e.harness import (
    BOARD_PASSWORD,
    BOARD_USER,
    CHROMIUM,
    TEAM_PASSWORD,
    TEAM_USER,
    chromium_available,
    running_app,
)

#: pytest-timeout limit of one browser test (setup included), seconds.
E2E_TEST_TIMEOUT_S = 600

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(config, items) -> None:
    """Give the browser tests (this folder only) the longer pytest-timeout limit."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(E2E_TEST_TIMEOUT_S))


def _require_chromium() -> None:
    if chromium_available():
        return
    message = (f"Chromium ontbreekt op {CHROMIUM}: de browsertests kunnen niet draaien. "
               "Installeer het met 'make browser' (apt-get install chromium).")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def app():
    """The app with example data, a hostile partner and two accounts, plus a browser."""
    _require_chromium()
    with running_app() as running:
        yield running


@pytest.fixture
def page(app):
    """A fresh browser context and page: a new Streamlit session, public role."""
    page = app.new_page()
    yield page
    page.context.close()


def _signed_in(app, user: str, password: str):
    page = app.new_page()
    app.open(page, "")
    app.login(page, user, password)
    return page


@pytest.fixture
def team_page(app):
    """A page whose session is signed in as the operational team."""
    page = _signed_in(app, TEAM_USER, TEAM_PASSWORD)
    yield page
    page.context.close()


@pytest.fixture
def board_page(app):
    """A page whose session is signed in as a board member."""
    page = _signed_in(app, BOARD_USER, BOARD_PASSWORD)
    yield page
    page.context.close()

