"""Persistent cache of good JSON answers of a web service, in one SQLite file.

Used by :class:`geo.intake._http.JsonClient` (and re-exported there); it never touches the
network. Only answers the client has checked are stored, and the client checks them
again when it reads them back.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from geo.private_files import create_private_file

logger = logging.getLogger(__name__)


class ResponseCache:
    """Persistent cache of good JSON answers in one SQLite file.

    The connection is opened on first use, so constructing a cache is free. Failing to
    read or write the cache is logged and otherwise ignored: the cache only saves
    requests, it is never needed for a correct answer.

    Parameters
    ----------
    path : str or Path
        The SQLite file; its folder is created when missing. ``":memory:"`` keeps the
        cache in memory (for tests and one-off runs).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if isinstance(self.path, Path):
                try:  # addresses of organisations only, but still nobody else's business
                    create_private_file(self.path)
                except OSError as err:
                    raise sqlite3.OperationalError(f"cache file not usable: {err}") from err
            conn = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, body TEXT NOT NULL, stored_at TEXT NOT NULL)"
            )
            conn.commit()
            self._conn = conn
        return self._conn

    def get(self, key: str) -> dict | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            try:
                row = self._connection().execute(
                    "SELECT body FROM responses WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as err:
                logger.warning("geocode cache unreadable (%s); continuing without it", err)
                return None
        if row is None:
            return None
        try:
            answer = json.loads(row[0])
        except (ValueError, RecursionError):
            return None
        return answer if isinstance(answer, dict) else None

    def put(self, key: str, answer: dict) -> None:
        """Store a good answer under ``key`` (replacing an older one)."""
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                conn = self._connection()
                with conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO responses (key, body, stored_at) "
                        "VALUES (?, ?, ?)",
                        (key, body, stamp),
                    )
            except sqlite3.Error as err:
                logger.warning("geocode cache not writable (%s); answer not cached", err)

    def discard(self, key: str) -> None:
        """Forget the answer under ``key``, if any (e.g. one that is no longer trusted)."""
        with self._lock:
            try:
                conn = self._connection()
                with conn:
                    conn.execute("DELETE FROM responses WHERE key = ?", (key,))
            except sqlite3.Error as err:
                logger.warning("geocode cache not writable (%s); entry not removed", err)

    def __len__(self) -> int:
        with self._lock:
            try:
                return int(self._connection().execute(
                    "SELECT COUNT(*) FROM responses").fetchone()[0])
            except sqlite3.Error:
                return 0

    def clear(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            conn = self._connection()
            with conn:
                conn.execute("DELETE FROM responses")

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
