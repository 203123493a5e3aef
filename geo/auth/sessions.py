"""Logins that survive a refresh: tokens, their hashes, the cookie and the time limits.

A local login starts a server-side session (a row in the register's ``sessies`` table,
:mod:`geo.register.sessions`). The browser holds a random token in an HttpOnly cookie;
the server keeps only the token's SHA-256, so a copy of the database lets nobody sign in.
The token carries 256 random bits and is checked by looking up its hash: it cannot be
guessed or forged, so it needs no signature and no server secret.

Streamlit cannot set a cookie from a script (the script talks over a WebSocket), so the
cookie is set by a small HTTP route next to Streamlit (``serve.py``): after the password
check the page puts a one-time hand-over code in an image URL; the browser fetches it,
the route exchanges the code for a fresh token and answers with ``Set-Cookie``. The code
is valid once and for :data:`HANDOVER_SECONDS` only, and also stored as a hash.

This module is pure (no database, no web framework); it never logs tokens or codes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

#: Name of the cookie that holds the session token.
COOKIE_NAME = "infrakaart_sessie"

#: The route that exchanges a hand-over code for the cookie (``?code=…``).
HANDOVER_PATH = "/sessie/start"
#: The route that removes the cookie from the browser (after signing out).
CLEAR_PATH = "/sessie/einde"

#: How long a hand-over code may be exchanged, in seconds.
HANDOVER_SECONDS = 120

#: Only write "last seen" when it is older than this (seconds): not on every rerun.
TOUCH_INTERVAL_SECONDS = 60

_TOKEN_BYTES = 32
_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """A fresh random token or hand-over code: 256 bits, URL- and cookie-safe (43 chars)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def well_formed(token: object) -> bool:
    """Whether ``token`` looks like a value of :func:`new_token` (else: never look it up)."""
    return isinstance(token, str) and bool(_TOKEN_PATTERN.match(token))


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token or code is stored; the token itself never is.

    A plain hash suffices: the token is random with 256 bits, so there is nothing to
    guess, and a salt would prevent looking it up.
    """
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login lasts.

    Attributes
    ----------
    idle_seconds : int
        A session unused for this long ends (idle time-out).
    lifetime_seconds : int
        A session ends this long after signing in, however busy (absolute lifetime).
    """

    idle_seconds: int
    lifetime_seconds: int

    @classmethod
    def from_settings(cls, settings) -> SessionPolicy:
        """The policy of :class:`geo.settings.Settings` (``session_idle_min``, ``…_hours``)."""
        return cls(idle_seconds=max(60, round(settings.session_idle_min * 60)),
                   lifetime_seconds=max(60, round(settings.session_lifetime_hours * 3600)))


@dataclass(frozen=True)
class Session:
    """A live server-side session, as the register stores it (no token, no hash).

    Attributes
    ----------
    id : int
        Row id; what a running Streamlit session remembers.
    account : str
        The login name (the only personal datum in the table).
    role : str
        The role the account had when signing in.
    created, last_seen, expires : int
        Unix seconds (UTC): signed in, last used, end of the absolute lifetime.
    """

    id: int
    account: str
    role: str
    created: int
    last_seen: int
    expires: int

    def alive(self, now: float, policy: SessionPolicy) -> bool:
        """True while neither the absolute lifetime nor the idle time-out has passed."""
        return now < self.expires and now - self.last_seen < policy.idle_seconds


def session_cookie(token: str, *, max_age: int, secure: bool) -> str:
    """The ``Set-Cookie`` value that gives the browser its session token.

    HttpOnly (no script can read it), ``SameSite=Strict`` (no other site's page makes the
    browser send it), ``Path=/``, and ``Secure`` when the app is served over https.

    Parameters
    ----------
    token : str
        A value of :func:`new_token`.
    max_age : int
        Seconds the browser keeps it: the session's absolute lifetime.
    secure : bool
        Add ``Secure`` (only ever sent over https).

    Raises
    ------
    ValueError
        When ``token`` is not a well-formed token (nothing else may reach the header).
    """
    if not well_formed(token):
        raise ValueError("not a session token")
    return _cookie(token, max_age=max(0, int(max_age)), secure=secure)


def clearing_cookie(*, secure: bool) -> str:
    """The ``Set-Cookie`` value that removes the session cookie from the browser."""
    return _cookie("", max_age=0, secure=secure)


def _cookie(value: str, *, max_age: int, secure: bool) -> str:
    parts = [f"{COOKIE_NAME}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly",
             "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def handover_url(code: str) -> str:
    """The same-origin URL whose answer sets the cookie for hand-over ``code``."""
    if not well_formed(code):
        raise ValueError("not a hand-over code")
    return f"{HANDOVER_PATH}?code={code}"
