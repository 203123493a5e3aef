"""Logins that survive a refresh, and links to staff pages, in a real browser.

The session cookie is set by ``serve.py``'s route when the page shows its hand-over image;
it must be HttpOnly and SameSite=Strict, and bring the login back after F5.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from geo.auth import COOKIE_NAME
from tests.e2e.browser import after_run, go_to, heading, wait_for_idle, wait_for_value
from tests.e2e.harness import TEAM_PASSWORD, TEAM_USER

pytestmark = pytest.mark.e2e


def _session_cookie(page) -> dict | None:
    found = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    return found[0] if found else None


def _signed_in_caption(page):
    return page.locator('[data-testid="stSidebar"]').get_by_text(
        f"Ingelogd als {TEAM_USER} · Operationeel team", exact=True)


def test_a_refresh_on_beheer_keeps_the_login(app, page):
    app.open(page, "")
    app.login(page, TEAM_USER, TEAM_PASSWORD)
    # the hand-over image has fetched the cookie: exactly these flags, over plain http
    flags = wait_for_value(
        lambda: (c := _session_cookie(page)) and (c["httpOnly"], c["sameSite"], c["secure"],
                                                  c["path"]),
        (True, "Strict", False, "/"), what="het sessiecookie")
    assert flags == (True, "Strict", False, "/")
    assert page.evaluate("document.cookie").find(COOKIE_NAME) == -1  # no script reads it
    go_to(page, "Beheer")

    page.reload(wait_until="domcontentloaded")  # F5: a new Streamlit session
    after_run(page, heading(page, "Beheer"))
    expect(_signed_in_caption(page)).to_be_visible()
    assert page.url.endswith("/beheer")


def test_a_link_to_beheer_asks_to_log_in_and_returns_there(app, page):
    page.goto(f"{app.url}/beheer", wait_until="domcontentloaded")
    after_run(page, page.get_by_text("Log in om Beheer te openen", exact=False))
    expect(heading(page, "Inloggen")).to_be_visible()
    assert _session_cookie(page) is None

    page.get_by_label("Gebruikersnaam").fill(TEAM_USER)
    page.get_by_label("Wachtwoord").fill(TEAM_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    after_run(page, heading(page, "Beheer"))
    wait_for_idle(page)
    expect(_signed_in_caption(page)).to_be_visible()
    wait_for_value(lambda: page.url.split("?")[0].endswith("/beheer"), True,
                   what="het adres van Beheer")
