"""The login page (pages/inloggen.py) through Streamlit's AppTest."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import streamlit as st
from argon2 import PasswordHasher, Type
from streamlit.testing.v1 import AppTest

from geo import auth
from geo.text import md

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "inloggen.py")
PASSWORD = "correct paard batterij"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)

OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "een-lang-willekeurig-geheim-voor-tests",
        "client_id": "infrakaart",
        "client_secret": "geheim",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
        "rollen": {"voorzitter@infrabindt.nl": "bestuur"},
    }
}


@pytest.fixture
def users_path(tmp_path, monkeypatch):
    """An accounts file and the register (its login sessions) in tmp_path, for the page."""
    path = tmp_path / "gebruikers.toml"
    monkeypatch.setenv("INFRAKAART_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("INFRAKAART_OFFLINE", "1")
    st.cache_resource.clear()  # get_settings() and the login throttle are cached per process
    yield path
    st.cache_resource.clear()


@pytest.fixture
def with_team_user(users_path):
    auth.add_user(users_path, "jan", "team", PASSWORD, hasher=CHEAP)
    return users_path


class FakeConnection:
    """What ``st.context`` reports: the peer address and ``X-Forwarded-For`` headers.

    ``peer = None`` is what Streamlit reports for a loopback peer (a local proxy).
    """

    def __init__(self) -> None:
        self.peer: str | None = None
        self.forwarded: list[str] = []


@pytest.fixture
def connection(monkeypatch):
    """Replace the connection details AppTest cannot set (peer and request headers)."""
    from streamlit.runtime.context import ContextProxy, StreamlitHeaders

    conn = FakeConnection()
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: conn.peer))
    monkeypatch.setattr(ContextProxy, "headers", property(
        lambda self: StreamlitHeaders([("X-Forwarded-For", v) for v in conn.forwarded])))
    return conn


def _run(at: AppTest | None = None) -> AppTest:
    if at is None:  # not `at or ...`: an AppTest that has not run yet is falsy
        at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return _run(at)


def _role(at: AppTest) -> str:
    return at.session_state["rol"] if "rol" in at.session_state else "publiek"


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_no_accounts_explains_the_cli_command(users_path):
    at = _run()
    assert "infrakaart gebruiker toevoegen NAAM --rol team" in _texts(at.info)
    assert len(at.text_input) == 0


def test_wrong_password_shows_error_and_role_stays_publiek(with_team_user):
    at = _login(_run(), "jan", "helemaal fout")
    assert md(auth.LOGIN_FAILED_MESSAGE) in _texts(at.error)
    assert _role(at) == "publiek"
    assert "gebruiker" not in at.session_state


def test_unknown_user_gets_the_same_message(with_team_user):
    at = _login(_run(), "klaas", PASSWORD)
    assert md(auth.LOGIN_FAILED_MESSAGE) in _texts(at.error)
    assert _role(at) == "publiek"


def test_right_password_signs_in_as_team(with_team_user):
    at = _login(_run(), "Jan", PASSWORD)
    assert _role(at) == "team"
    assert at.session_state["gebruiker"] == "jan"
    assert "jan" in _texts(at.success)
    assert [b.label for b in at.button] == ["Uitloggen", "Overal afmelden",
                                            "Wachtwoord wijzigen"]
    # the login form is gone; what is left is the form for a new password
    assert [t.label for t in at.text_input] == ["Huidig wachtwoord", "Nieuw wachtwoord",
                                                "Herhaal het nieuwe wachtwoord"]


def test_logout_clears_role_user_and_session_data(with_team_user):
    at = _login(_run(), "jan", PASSWORD)
    at.session_state["bewerk_concept"] = {"email": "piet@example.nl"}  # staff page leftovers
    at.button[0].click()
    at = _run(at)
    assert _role(at) == "publiek"
    assert "gebruiker" not in at.session_state
    assert "bewerk_concept" not in at.session_state
    assert len(at.text_input) == 2  # the login form is back


def test_repeated_failures_lock_the_name_across_sessions(with_team_user):
    at = _run()
    for _ in range(5):
        at = _login(at, "jan", "helemaal fout")
    # a new session (another browser tab) with the right password is still refused
    other = _login(_run(), "jan", PASSWORD)
    assert "Te veel mislukte inlogpogingen" in _texts(other.error)
    assert _role(other) == "publiek"


def test_oidc_user_gets_role_from_mapping(with_team_user):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.secrets.update(OIDC_SECRETS)
    at.user = {"is_logged_in": True, "email": "Voorzitter@InfraBindt.nl", "name": "V"}
    at = _run(at)
    assert _role(at) == "bestuur"
    assert at.session_state["gebruiker"] == "voorzitter@infrabindt.nl"


def test_oidc_user_without_role_stays_publiek(with_team_user):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.secrets.update(OIDC_SECRETS)
    at.user = {"is_logged_in": True, "email": "onbekend@example.nl"}
    at = _run(at)
    assert _role(at) == "publiek"
    assert "geen rol" in _texts(at.warning)


def test_oidc_configured_offers_provider_login_and_local_form(with_team_user):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.secrets.update(OIDC_SECRETS)
    at.user = {"is_logged_in": False}
    at = _run(at)
    labels = [b.label for b in at.button]
    if importlib.util.find_spec("authlib") is None:
        assert "Authlib" in _texts(at.warning)
    else:
        assert "Inloggen met organisatie-account" in labels
    assert len(at.text_input) == 2  # local accounts keep working
    assert _role(at) == "publiek"


def _spray(at: AppTest, count: int, prefix: str = "naam") -> AppTest:
    """``count`` failed logins, each with another (unknown) user name."""
    for i in range(count):
        at = _login(at, f"{prefix}{i}", "zomer2024!")
        assert md(auth.LOGIN_FAILED_MESSAGE) in _texts(at.error)
    return at


def test_spraying_many_names_locks_the_client_not_others(with_team_user, connection):
    connection.peer = "203.0.113.9"
    at = _spray(_run(), 20)
    # this client is now refused even with a right name and password ...
    at = _login(at, "jan", PASSWORD)
    assert "Te veel mislukte inlogpogingen" in _texts(at.error)
    assert _role(at) == "publiek"
    # ... while another client signs in
    connection.peer = "203.0.113.10"
    assert _role(_login(_run(), "jan", PASSWORD)) == "team"


@pytest.mark.parametrize(("proxy", "server_applies"), [("10.0.0.5", False),
                                                       ("127.0.0.1", True)])
def test_clients_behind_a_trusted_proxy_are_told_apart(with_team_user, connection,
                                                       monkeypatch, proxy, server_applies):
    monkeypatch.setenv("INFRAKAART_TRUSTED_PROXIES", proxy)
    st.cache_resource.clear()

    def visitor(address: str) -> None:
        # Streamlit's server itself applies the header of a proxy on 127.0.0.1
        connection.peer = address if server_applies else proxy
        connection.forwarded = [f"203.0.113.99, {address}"]  # a forged hop in front

    visitor("198.51.100.1")
    at = _spray(_run(), 20)
    assert "Te veel" in _texts(_login(at, "jan", PASSWORD).error)
    visitor("198.51.100.2")  # another visitor through the same proxy
    assert _role(_login(_run(), "jan", PASSWORD)) == "team"

