"""Logins that survive a refresh, and links to staff pages, through app.py in AppTest.

The browser's part (the cookie set by ``serve.py`` and sent again after F5) is in
``tests/e2e/test_e2e_sessions.py``; here the cookie is handed to ``st.context.cookies``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from streamlit.testing.v1 import AppTest

from geo import auth
from geo.register.store import Store
from geo.settings import Settings

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "correct paard batterij"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture
def accounts(app_env):
    """A team and a board account in the test's var dir."""
    path = app_env / "gebruikers.toml"
    auth.add_user(path, "jan", "team", PASSWORD, hasher=CHEAP)
    auth.add_user(path, "bea", "bestuur", PASSWORD, hasher=CHEAP)
    return path


@pytest.fixture
def router(monkeypatch):
    """Every AppTest run goes through app.py's ``st.navigation``, as on a real server.

    AppTest forgets before each run that ``st.navigation`` was used, so a page would first
    run on its own and ``through_router`` would rerun it (losing a button click).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def navigation_mode(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    monkeypatch.setattr(PagesManager, "__init__", navigation_mode)


@pytest.fixture
def browser_cookies(monkeypatch):
    """The cookies the browser sends (AppTest cannot set ``st.context.cookies``)."""
    from streamlit.runtime.context import ContextProxy, StreamlitCookies

    jar: dict[str, str] = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: StreamlitCookies(jar)))
    return jar


@pytest.fixture
def sessions(app_env, accounts, reference):
    """The register's session table, as the app sees it."""
    with Store(app_env / "infrakaart.sqlite", reference) as store:
        yield store.sessions(auth.SessionPolicy.from_settings(Settings.from_env()))


def _run(runnable) -> AppTest:
    """Run an AppTest (or a clicked widget's AppTest); no exception may show."""
    at = runnable.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _app() -> AppTest:
    return _run(AppTest.from_file(APP, default_timeout=90))


def _role(at: AppTest) -> str:
    return at.session_state["rol"] if "rol" in at.session_state else "publiek"


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _cookie_for(sessions, name: str, role: str) -> str:
    """What the browser holds after signing in: the token of a handed-over session."""
    started = sessions.start(auth.User(name, role))
    token, _ = sessions.redeem(started.handover)
    return token


def test_a_link_to_beheer_asks_to_log_in_and_returns_there(accounts, router, sessions):
    at = _run(_app().switch_page("pages/beheer.py"))
    assert _titles(at) == ["Inloggen"]
    assert "Log in om Beheer te openen" in " ".join(w.value for w in at.warning)
    assert at.query_params["naar"] == "beheer"
    assert not any(str(w.key or "").startswith("beheer_") for w in at.text_input)

    at.switch_page("pages/inloggen.py")  # the browser's address is now /inloggen?naar=beheer
    _run(at)
    at.text_input[0].input("jan")
    at.text_input[1].input(PASSWORD)
    _run(at.button[0].click())
    assert _titles(at) == ["Beheer"] and _role(at) == "team"
    # the page hands the cookie over: an image whose URL exchanges a one-time code
    pixels = [h.proto.body for h in at.get("html") if "/sessie/start?code=" in h.proto.body]
    assert len(pixels) == 1
    assert [s.account for s in sessions.sessions_of("jan")] == ["jan"]


def test_a_refresh_finds_the_login_again_by_its_cookie(router, sessions, browser_cookies):
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    at = _app()  # a new page load: a new Streamlit session, nothing in session state
    assert _role(at) == "team" and at.session_state["gebruiker"] == "jan"
    assert _titles(_run(at.switch_page("pages/beheer.py"))) == ["Beheer"]


def test_a_link_with_a_live_cookie_opens_the_staff_page(router, sessions, browser_cookies):
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "bea", "bestuur")
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("pages/ambassadeurs.py")  # before the first run: by its file name
    assert _titles(_run(at)) == ["Ambassadeurs"]


@pytest.mark.parametrize("cookie", ["A" * 43, "niet-een-token", ""])
def test_an_unknown_cookie_signs_nobody_in(router, sessions, browser_cookies, cookie):
    _cookie_for(sessions, "jan", "team")
    browser_cookies[auth.COOKIE_NAME] = cookie
    assert _role(_app()) == "publiek"


def test_a_removed_account_loses_its_sessions(router, sessions, browser_cookies, accounts):
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    auth.remove_user(accounts, "jan")
    assert _role(_app()) == "publiek"
    assert sessions.sessions_of("jan") == []


def test_logout_everywhere_ends_the_other_tabs(router, sessions, browser_cookies):
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    first, second = _app(), _app()  # two tabs of one browser
    assert _role(first) == _role(second) == "team"

    _run(first.switch_page("pages/inloggen.py"))
    labels = [b.label for b in first.button]
    _run(first.button[labels.index("Overal afmelden")].click())
    assert _role(first) == "publiek"
    assert sessions.sessions_of("jan") == []
    # the other tab notices on its next run, and says why
    _run(second.switch_page("pages/inloggen.py"))
    assert _role(second) == "publiek"
    assert "Uw sessie is beëindigd" in " ".join(i.value for i in second.info)


def test_logout_ends_only_this_tabs_session(router, sessions, browser_cookies):
    other = _cookie_for(sessions, "jan", "team")
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    at = _run(_app().switch_page("pages/inloggen.py"))
    labels = [b.label for b in at.button]
    assert {"Uitloggen", "Overal afmelden"} <= set(labels)
    _run(at.button[labels.index("Uitloggen")].click())
    assert _role(at) == "publiek"
    assert [s.id for s in sessions.sessions_of("jan")] == [sessions.resume(other).id]
    # the browser is told to drop its cookie
    assert any("/sessie/einde" in h.proto.body for h in at.get("html"))


def _change_password(at: AppTest, current: str, new: str) -> AppTest:
    """Fill in and send the Account page's password form."""
    fields = {t.label: t for t in at.text_input}
    fields["Huidig wachtwoord"].input(current)
    fields["Nieuw wachtwoord"].input(new)
    fields["Herhaal het nieuwe wachtwoord"].input(new)
    labels = [b.label for b in at.button]
    return _run(at.button[labels.index("Wachtwoord wijzigen")].click())


def test_a_new_password_ends_the_other_sessions(router, sessions, browser_cookies, accounts):
    other = _cookie_for(sessions, "jan", "team")  # another device
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    at = _run(_app().switch_page("pages/inloggen.py"))
    mine = at.session_state["sessie"]
    _change_password(at, PASSWORD, "een heel nieuw wachtwoord")
    assert "1 andere sessie is beëindigd." in " ".join(s.value for s in at.success)
    assert sessions.resume(other) is None
    assert [s.id for s in sessions.sessions_of("jan")] == [mine] and _role(at) == "team"
    assert auth.verify(accounts, "jan", "een heel nieuw wachtwoord", throttle=None,
                       hasher=CHEAP).role == "team"


def test_a_wrong_current_password_changes_nothing(router, sessions, browser_cookies, accounts):
    other = _cookie_for(sessions, "jan", "team")
    browser_cookies[auth.COOKIE_NAME] = _cookie_for(sessions, "jan", "team")
    at = _run(_app().switch_page("pages/inloggen.py"))
    _change_password(at, "niet het wachtwoord", "een heel nieuw wachtwoord")
    assert auth.LOGIN_FAILED_MESSAGE.rstrip(".") in " ".join(e.value for e in at.error)
    assert sessions.resume(other) is not None
    assert auth.verify(accounts, "jan", PASSWORD, throttle=None, hasher=CHEAP).name == "jan"
