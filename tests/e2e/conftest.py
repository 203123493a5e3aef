"""Fixtures for the browser tests: one running app per test session, a page per test.

Without Chromium at /usr/bin/chromium the tests are skipped, except on CI (``CI=true``),
where a missing browser is a failure: ``make test`` must prove the flows in a browser.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.harness import (
    BOARD_PASSWORD,
    BOARD_USER,
    CHROMIUM,
    TEAM_PASSWORD,
    TEAM_USER,
    chromium_available,
    running_app,
)


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

