"""Server-side login sessions in the register's database (table ``sessies``).

A local login starts a row (:meth:`SessionStore.start`) with a one-time hand-over code;
the browser exchanges that code for its cookie token (:meth:`SessionStore.redeem`, called
by the HTTP route in ``serve.py``); a new page load finds the session again by the cookie
(:meth:`SessionStore.resume`); a running page checks it on every run
(:meth:`SessionStore.check`). Signing out deletes the row, "overal afmelden" every row of
the account, a new password the other rows.

The table holds the login name, the role, times and SHA-256 hashes — never a token or a
code (:mod:`geo.auth.sessions`). Rows that have ended are deleted, not kept.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from geo.auth import User
from geo.auth.sessions import (
    HANDOVER_SECONDS,
    TOUCH_INTERVAL_SECONDS,
    Session,
    SessionPolicy,
    new_token,
    token_hash,
    well_formed,
)
from geo.register._database import Database

_SESSIONS_TABLE = """
    CREATE TABLE sessies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash TEXT UNIQUE,
        overdracht_hash TEXT UNIQUE,
        overdracht_tot INTEGER,
        gebruiker TEXT NOT NULL,
        rol TEXT NOT NULL,
        aangemaakt INTEGER NOT NULL,
        laatst_gezien INTEGER NOT NULL,
        verloopt INTEGER NOT NULL
    )
"""


def create_table(conn: sqlite3.Connection) -> None:
    """Create the table ``sessies`` (schema step 7), so a login survives a refresh.

    One row per login: the account name and role, when it started, was last used and
    ends (Unix seconds), the SHA-256 of the cookie token (NULL until the browser has its
    cookie) and of the one-time hand-over code. Never a token, never a password.
    """
    conn.execute(_SESSIONS_TABLE)
    conn.execute("CREATE INDEX sessies_gebruiker ON sessies (gebruiker)")


log = logging.getLogger(__name__)

_COLUMNS = "id, gebruiker, rol, aangemaakt, laatst_gezien, verloopt"


@dataclass(frozen=True)
class Started:
    """A session just started: its id and the one-time code that hands over the cookie.

    Attributes
    ----------
    session : Session
    handover : str
        The hand-over code (plain, for the browser only; the table has its hash).
    """

    session: Session
    handover: str


class SessionStore:
    """The ``sessies`` table of one register database.

    Parameters
    ----------
    db : Database
        The register's connection (at a schema version with ``sessies``).
    policy : SessionPolicy
        Idle time-out and absolute lifetime.
    clock : callable, optional
        Returns the time in Unix seconds (tests pass a fake); :func:`time.time`.
    """

    def __init__(self, db: Database, policy: SessionPolicy, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.policy = policy
        self._clock = clock

    @classmethod
    def open(cls, path: str | Path, policy: SessionPolicy) -> SessionStore | None:
        """The sessions of the register at ``path``, or None when there are none yet.

        For callers without a :class:`~geo.register.store.Store` (the cookie route, the
        CLI): nothing is created or migrated; a missing file or a register from before
        sessions existed simply has no session.
        """
        path = Path(path)
        if not path.is_file():
            return None
        db = Database(path, busy_timeout_s=10.0)
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'sessies'").fetchone()
        if found is None:
            db.close()
            return None
        return cls(db, policy)

    def close(self) -> None:
        """Close the connection (only for a store made by :meth:`open`)."""
        self._db.close()

    def _now(self) -> int:
        return int(self._clock())

    # -- starting ---------------------------------------------------------------------

    def start(self, user: User) -> Started:
        """Start a session for ``user`` (after the password check); purges ended ones."""
        now = self._now()
        code = new_token()
        with self._db.transaction():
            self._purge(now)
            cursor = self._db.execute(
                "INSERT INTO sessies (overdracht_hash, overdracht_tot, gebruiker, rol, "
                "aangemaakt, laatst_gezien, verloopt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_hash(code), now + HANDOVER_SECONDS, user.name, user.role, now, now,
                 now + self.policy.lifetime_seconds))
            session_id = int(cursor.lastrowid)
        log.info("session %d started", session_id)
        return Started(Session(session_id, user.name, user.role, now, now,
                               now + self.policy.lifetime_seconds), code)

    def redeem(self, code: object) -> tuple[str, int] | None:
        """Exchange a hand-over code, once, for the session's cookie token.

        Returns
        -------
        (str, int) or None
            The new token and the seconds left of the session's lifetime; None for an
            unknown, used or expired code or an ended session.
        """
        if not well_formed(code):
            return None
        now = self._now()
        token = new_token()
        with self._db.transaction():
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM sessies WHERE overdracht_hash = ? "
                "AND overdracht_tot >= ? AND token_hash IS NULL",
                (token_hash(code), now)).fetchone()
            if row is None or not _session(row).alive(now, self.policy):
                return None
            self._db.execute(
                "UPDATE sessies SET token_hash = ?, overdracht_hash = NULL, "
                "overdracht_tot = NULL, laatst_gezien = ? WHERE id = ?",
                (token_hash(token), now, row["id"]))
        return token, int(row["verloopt"]) - now

    def handed_over(self, session_id: int) -> bool:
        """Whether the browser has exchanged the session's hand-over code (or it ended)."""
        row = self._db.execute("SELECT token_hash FROM sessies WHERE id = ?",
                               (int(session_id),)).fetchone()
        return row is None or row["token_hash"] is not None

    # -- finding ----------------------------------------------------------------------

    def resume(self, token: object) -> Session | None:
        """The live session whose cookie holds ``token`` (marked as used), else None."""
        if not well_formed(token):
            return None
        return self._live("token_hash = ?", token_hash(str(token)))

    def check(self, session_id: int) -> Session | None:
        """The live session ``session_id`` (marked as used), else None: ended or expired."""
        return self._live("id = ?", int(session_id))

    def _live(self, where: str, key: object) -> Session | None:
        now = self._now()
        with self._db.lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM sessies WHERE {where}",
                                   (key,)).fetchone()
            if row is None:
                return None
            session = _session(row)
            if not session.alive(now, self.policy):
                self._db.execute("DELETE FROM sessies WHERE id = ?", (session.id,))
                log.info("session %d expired", session.id)
                return None
            if now - session.last_seen >= TOUCH_INTERVAL_SECONDS:
                self._db.execute("UPDATE sessies SET laatst_gezien = ? WHERE id = ?",
                                 (now, session.id))
        return session

    def sessions_of(self, account: str) -> list[Session]:
        """The account's sessions that are still alive, oldest first."""
        now = self._now()
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM sessies WHERE gebruiker = ? "
                                "ORDER BY id", (account,)).fetchall()
        return [s for s in map(_session, rows) if s.alive(now, self.policy)]

    # -- ending -----------------------------------------------------------------------

    def end(self, session_id: int) -> None:
        """End one session (signing out)."""
        self._db.execute("DELETE FROM sessies WHERE id = ?", (int(session_id),))
        log.info("session %d ended", int(session_id))

    def end_all(self, account: str, *, keep: int | None = None) -> int:
        """End every session of ``account`` except ``keep``; returns how many ended.

        "Overal afmelden" ends all; a password change keeps the session that changed it.
        """
        cursor = self._db.execute(
            "DELETE FROM sessies WHERE gebruiker = ? AND id IS NOT ?",
            (account, None if keep is None else int(keep)))
        log.info("%d session(s) of one account ended", cursor.rowcount)
        return int(cursor.rowcount)

    def _purge(self, now: int) -> None:
        self._db.execute(
            "DELETE FROM sessies WHERE verloopt <= ? OR laatst_gezien <= ?",
            (now, now - self.policy.idle_seconds))


def _session(row) -> Session:
    return Session(int(row["id"]), str(row["gebruiker"]), str(row["rol"]),
                   int(row["aangemaakt"]), int(row["laatst_gezien"]), int(row["verloopt"]))


def end_sessions_of(path: str | Path, account: str, policy: SessionPolicy) -> int:
    """End every session of ``account`` in the register at ``path`` (CLI; 0 if none).

    Raises
    ------
    StoreError
        When the register exists but cannot be opened.
    """
    store = SessionStore.open(path, policy)
    if store is None:
        return 0
    try:
        return store.end_all(account)
    finally:
        store.close()

