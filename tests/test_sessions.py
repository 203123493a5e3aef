"""Server-side login sessions: the store (geo.register.sessions) and the cookie (geo.auth)."""

from __future__ import annotations

import dataclasses
import io
import sqlite3

import pytest
from argon2 import PasswordHasher, Type

from geo import auth
from geo.auth.sessions import (
    HANDOVER_SECONDS,
    SessionPolicy,
    clearing_cookie,
    handover_url,
    new_token,
    session_cookie,
    token_hash,
    well_formed,
)
from geo.cli import main as cli_main
from geo.register import schema
from geo.register.sessions import SessionStore, end_sessions_of
from geo.settings import Settings

POLICY = SessionPolicy(idle_seconds=30 * 60, lifetime_seconds=8 * 3600)
JAN = auth.User("jan", "team")
PIET = auth.User("piet", "bestuur")
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


class Clock:
    """A clock the test moves by hand (Unix seconds)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def database(tmp_path):
    """A register file at the newest schema (tables only, no seed)."""
    path = tmp_path / "register.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    schema.apply_migrations(conn)
    conn.execute("COMMIT")
    conn.close()
    return path


@pytest.fixture
def store(database, clock):
    opened = SessionStore.open(database, POLICY)
    opened._clock = clock
    yield opened
    opened.close()


def _cookie_token(store: SessionStore, user: auth.User = JAN) -> tuple[int, str]:
    """Sign ``user`` in and hand the cookie over, as the browser would."""
    started = store.start(user)
    token, _ = store.redeem(started.handover)
    return started.session.id, token


# --------------------------------------------------------------------------- the cookie


def test_tokens_are_random_and_well_formed():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(well_formed(t) for t in tokens)
    assert not well_formed("x" * 42) and not well_formed("a" * 42 + ";")
    assert not well_formed(None)


def test_cookie_is_http_only_strict_and_secure_over_https():
    token = new_token()
    plain = session_cookie(token, max_age=3600, secure=False)
    assert plain == (f"{auth.COOKIE_NAME}={token}; Path=/; Max-Age=3600; HttpOnly; "
                     "SameSite=Strict")
    assert session_cookie(token, max_age=3600, secure=True).endswith("; Secure")
    assert "Max-Age=0" in clearing_cookie(secure=False)


def test_nothing_but_a_token_reaches_the_cookie_header():
    with pytest.raises(ValueError):
        session_cookie("abc; Domain=evil.example", max_age=60, secure=False)
    with pytest.raises(ValueError):
        handover_url("x\r\nSet-Cookie: a=b")


def test_policy_follows_the_settings():
    policy = SessionPolicy.from_settings(Settings(session_idle_min=15,
                                                  session_lifetime_hours=2))
    assert policy == SessionPolicy(idle_seconds=900, lifetime_seconds=7200)


# --------------------------------------------------------------------------- the store


def test_the_table_holds_no_token_and_no_code(store, database):
    started = store.start(JAN)
    token, _ = store.redeem(started.handover)
    with sqlite3.connect(database) as conn:
        dump = "\n".join(conn.iterdump())
        columns = [r[1] for r in conn.execute("PRAGMA table_info(sessies)")]
    assert token not in dump and started.handover not in dump
    assert token_hash(token) in dump
    assert columns == ["id", "token_hash", "overdracht_hash", "overdracht_tot", "gebruiker",
                       "rol", "aangemaakt", "laatst_gezien", "verloopt"]


def test_a_cookie_finds_its_session_again(store):
    session_id, token = _cookie_token(store)
    found = store.resume(token)
    assert (found.id, found.account, found.role) == (session_id, "jan", "team")
    assert store.resume(new_token()) is None
    assert store.resume("not a token") is None


def test_a_handover_code_works_once_and_briefly(store, clock):
    started = store.start(JAN)
    assert store.handed_over(started.session.id) is False
    token, seconds_left = store.redeem(started.handover)
    assert seconds_left == POLICY.lifetime_seconds
    assert store.handed_over(started.session.id) is True
    assert store.redeem(started.handover) is None  # used
    late = store.start(JAN)
    clock.now += HANDOVER_SECONDS + 1
    assert store.redeem(late.handover) is None  # expired
    assert store.redeem(new_token()) is None
    assert store.redeem("'; DROP TABLE sessies; --") is None


def test_idle_timeout_ends_a_session(store, clock):
    _, token = _cookie_token(store)
    clock.now += POLICY.idle_seconds - 5
    assert store.resume(token) is not None  # used: the idle clock starts again
    clock.now += POLICY.idle_seconds - 5
    assert store.resume(token) is not None
    clock.now += POLICY.idle_seconds
    assert store.resume(token) is None
    clock.now -= POLICY.idle_seconds  # an expired session is gone, not just refused
    assert store.resume(token) is None


def test_absolute_lifetime_ends_a_busy_session(store, clock):
    session_id, token = _cookie_token(store)
    signed_in_at = clock.now
    while clock.now + 600 < signed_in_at + POLICY.lifetime_seconds:
        clock.now += 600  # used every ten minutes: never idle
        assert store.check(session_id) is not None
    clock.now = signed_in_at + POLICY.lifetime_seconds
    assert store.check(session_id) is None and store.resume(token) is None


def test_logout_ends_only_that_session(store):
    first, first_token = _cookie_token(store)
    second, second_token = _cookie_token(store)
    store.end(first)
    assert store.resume(first_token) is None and store.check(first) is None
    assert store.resume(second_token).id == second


def test_logout_everywhere_ends_every_session_of_the_account(store):
    sessions = [_cookie_token(store) for _ in range(3)]
    other_id, other_token = _cookie_token(store, PIET)
    assert store.end_all("jan") == 3
    assert all(store.resume(token) is None for _, token in sessions)
    assert store.resume(other_token).id == other_id


def test_password_change_keeps_only_the_changing_session(store):
    keep, keep_token = _cookie_token(store)
    _, other_token = _cookie_token(store)
    assert store.end_all("jan", keep=keep) == 1
    assert store.resume(keep_token).id == keep and store.resume(other_token) is None


def test_ended_sessions_are_purged_when_a_new_one_starts(store, clock, database):
    _cookie_token(store)
    clock.now += POLICY.idle_seconds + 1
    store.start(PIET)
    with sqlite3.connect(database) as conn:
        accounts = [r[0] for r in conn.execute("SELECT gebruiker FROM sessies")]
    assert accounts == ["piet"]


def test_the_cli_ends_sessions_of_an_account(store, database):
    _, token = _cookie_token(store)
    assert end_sessions_of(database, "jan", POLICY) == 1
    assert store.resume(token) is None
    assert end_sessions_of(database.parent / "missing.sqlite", "jan", POLICY) == 0
    assert not (database.parent / "missing.sqlite").exists()


def test_a_register_from_before_sessions_has_none(database):
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TABLE sessies")  # as a register made before the sessions step
    assert SessionStore.open(database, POLICY) is None


def test_a_new_password_or_removal_in_the_cli_ends_the_sessions(monkeypatch, capsys, settings,
                                                                database):
    settings = dataclasses.replace(settings, database_path=database)
    for user in (JAN, PIET):
        auth.add_user(settings.users_path, user.name, user.role, "een oud wachtwoord",
                      hasher=CHEAP)
    live = SessionStore.open(database, SessionPolicy.from_settings(settings))
    try:
        live.redeem(live.start(JAN).handover)
        live.redeem(live.start(PIET).handover)

        def cli(*argv: str) -> str:
            monkeypatch.setattr("sys.stdin", io.StringIO("een nieuw wachtwoord\n"))
            assert cli_main(list(argv), settings=settings) == 0
            return capsys.readouterr().out

        out = cli("gebruiker", "toevoegen", "jan", "--rol", "team", "--wachtwoord-stdin",
                  "--overschrijven")
        assert "1 sessie in de app beëindigd." in out
        assert live.sessions_of("jan") == [] and len(live.sessions_of("piet")) == 1
        assert "1 sessie in de app beëindigd." in cli("gebruiker", "verwijderen", "piet")
        assert live.sessions_of("piet") == []
    finally:
        live.close()
