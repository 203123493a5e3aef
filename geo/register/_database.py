"""The register's SQLite connection: opening the file, transactions, Dutch errors.

Transactions
    Every write runs in a transaction. :meth:`Database.transaction` starts it with
    ``BEGIN IMMEDIATE``, so two imports on two connections are serialised: the second
    waits up to the busy time-out and then gets a Dutch :class:`~geo.errors.StoreError`.
    Nested use (a save inside an import) becomes a savepoint, so every call is
    all-or-nothing on its own and inside the outer transaction.

Files
    The database is created with mode 0600 in a folder created with mode 0700
    (:mod:`geo.private_files`); SQLite gives its ``-wal`` and ``-shm`` files the mode
    of the database. Errors opening or writing (folder is a file, no rights, full disk,
    not a database) become a Dutch :class:`~geo.errors.StoreError`, and a failed write
    leaves the register as it was.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from geo.errors import StoreError
from geo.private_files import create_private_file, restrict_sqlite_files
from geo.register._records import typed_frame, typed_row

log = logging.getLogger(__name__)

_BUSY_MESSAGE = (
    "De database is bezet door een andere bewerking (bijvoorbeeld een import door een "
    "collega). Probeer het over een minuut opnieuw."
)


def store_error(err: sqlite3.Error, path: Path | None = None) -> StoreError:
    """A Dutch :class:`StoreError` for an SQLite error (nothing was saved)."""
    text = str(err).lower()
    where = f" ({path})" if path is not None else ""
    if "locked" in text or "busy" in text:
        return StoreError(_BUSY_MESSAGE)
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return StoreError(f"Het databasebestand{where} is beschadigd of geen "
                          "Infrakaart-database. Zet een reservekopie terug of kies een "
                          "ander bestand.")
    if "full" in text:
        return StoreError(f"De schijf met de database{where} is vol; er is niets opgeslagen. "
                          "Maak ruimte vrij en probeer het opnieuw.")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"De database{where} is alleen-lezen (geen schrijfrechten op het "
                          "bestand of de map); er is niets opgeslagen.")
    if "unable to open" in text:
        return StoreError(f"De database{where} kan niet worden geopend. Bestaat de map en "
                          "zijn er lees- en schrijfrechten?")
    if "i/o" in text:
        return StoreError(f"Lezen of schrijven van de database{where} is mislukt (schijffout);"
                          " er is niets opgeslagen.")
    if isinstance(err, sqlite3.IntegrityError):
        return StoreError(f"De database weigert deze gegevens: {err}")
    return StoreError(f"Databasefout: {err}")


def _os_reason(err: OSError) -> str:
    """Why a file operation failed, in Dutch."""
    reasons = {
        errno.ENOSPC: "de schijf is vol",
        errno.EROFS: "de schijf is alleen-lezen",
        errno.EACCES: "geen rechten",
        errno.EPERM: "geen rechten",
        errno.EEXIST: "er staat een bestand met die naam",
        errno.ENOTDIR: "een bovenliggende map is een bestand",
        errno.EISDIR: "dat is een map, geen bestand",
        errno.ENAMETOOLONG: "de naam is te lang",
        errno.ELOOP: "te veel symbolische koppelingen",
    }
    return reasons.get(err.errno or 0, err.strerror or type(err).__name__)


def _prepare_database_file(path: Path) -> None:
    """Create the database's folder (0700) and an empty file (0600) before SQLite does.

    Raises
    ------
    StoreError
        With a Dutch message when the folder or file cannot be made.
    """
    try:
        create_private_file(path)
        restrict_sqlite_files(path)
    except IsADirectoryError as err:
        raise StoreError(f"{path} is een map, geen databasebestand. Kies een bestandsnaam "
                         "(INFRAKAART_DATABASE_PATH of --database).") from err
    except (FileExistsError, NotADirectoryError) as err:
        raise StoreError(
            f"De map voor de database ({path.parent}) kan niet worden gemaakt: er staat een "
            "bestand met die naam (of een bovenliggende map is een bestand). Kies een andere "
            "map met INFRAKAART_VAR_DIR of --database."
        ) from err
    except OSError as err:
        raise StoreError(f"De database {path} kan niet worden aangemaakt: {_os_reason(err)}."
                         ) from err


class Database:
    """One SQLite connection to the register, shared between threads under a lock.

    Parameters
    ----------
    path : Path
        The SQLite file; it and its folder are created (privately) when missing.
    busy_timeout_s : float
        How long a write waits for another connection's transaction.

    Raises
    ------
    StoreError
        When the file cannot be made or opened.
    """

    def __init__(self, path: Path, *, busy_timeout_s: float) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._depth = 0
        # The folder (0700) and an empty file (0600) first: SQLite would create the file
        # world-readable, and gives its -wal and -shm files the mode of the database.
        _prepare_database_file(path)
        try:
            self.connection = sqlite3.connect(path, timeout=busy_timeout_s,
                                              isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:
            raise store_error(err, path) from err
        try:
            conn = self.connection
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted and overwritten content is zeroed in the file, so erased personal
            # data do not linger in free pages (some SQLite builds do this by default).
            conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as err:
            self.connection.close()
            raise store_error(err, path) from err

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()

    @contextmanager
    def transaction(self, *, savepoint: bool = True) -> Iterator[None]:
        """All-or-nothing block of writes: ``BEGIN IMMEDIATE`` outside, savepoints inside.

        Any exception rolls the block back and is re-raised. Inside a transaction,
        ``savepoint=False`` runs the block as part of it without a savepoint of its own:
        for the rows of an import, which is all-or-nothing as a whole.

        Raises
        ------
        StoreError
            When another connection keeps the database locked beyond the time-out.
        """
        with self.lock:
            if self._depth and not savepoint:
                yield
                return
            if self._depth:
                with self._savepoint():
                    yield
                return
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise store_error(err, self.path) from err
            self._depth = 1
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            else:
                try:
                    self.connection.execute("COMMIT")
                except sqlite3.Error as err:
                    self._rollback()
                    raise store_error(err, self.path) from err
            finally:
                self._depth = 0

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"sp{self._depth}"
        self.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            # After a full disk SQLite may have rolled back the whole transaction
            # already; the outermost block reports the error.
            if self.connection.in_transaction:
                try:
                    self.connection.execute(f"ROLLBACK TO {name}")
                    self.connection.execute(f"RELEASE {name}")
                except sqlite3.Error:
                    log.warning("Could not roll back savepoint %s", name, exc_info=True)
            raise
        else:
            self.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    def _rollback(self) -> None:
        """Roll back the open transaction, if SQLite has not done so already."""
        if not self.connection.in_transaction:
            return
        try:
            self.connection.execute("ROLLBACK")
        except sqlite3.Error:  # the original error is what the caller needs to see
            log.warning("Rollback of %s failed", self.path, exc_info=True)

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """Run one statement; an SQLite error becomes a Dutch :class:`StoreError`."""
        try:
            return self.connection.execute(sql, tuple(params))
        except sqlite3.Error as err:
            raise store_error(err, self.path) from err

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> sqlite3.Cursor:
        """Run one statement for many rows (see :meth:`execute`)."""
        try:
            return self.connection.executemany(sql, rows)
        except sqlite3.Error as err:
            raise store_error(err, self.path) from err

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        return self._depth > 0

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """The rows of a query as a typed DataFrame (SQL NULL in text stays None)."""
        with self.lock:
            cursor = self.execute(sql, params)
            columns = [d[0] for d in cursor.description]
            rows = [tuple(r) for r in cursor.fetchall()]
        return typed_frame(pd.DataFrame(rows, columns=columns, dtype=object))

    def count(self, table: str, *, examples: bool | None = None) -> int:
        """Rows of ``table``; only example rows (True) or only real rows (False)."""
        sql, params = f"SELECT count(*) FROM {table}", ()
        if examples is not None:
            sql, params = sql + " WHERE voorbeeld = ?", (int(examples),)
        with self.lock:
            return int(self.execute(sql, params).fetchone()[0])

    def row(self, table: str, row_id: int, columns: Sequence[str]) -> dict | None:
        """One row by id as a dict (yes/no fields as bool), or None."""
        with self.lock:
            row = self.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?",
                               (int(row_id),)).fetchone()
        return None if row is None else typed_row(dict(row))

    def checkpoint(self) -> None:
        """Move committed pages from the WAL into the database file and empty the WAL.

        After an erasure the old values would otherwise linger in the ``-wal`` file until
        SQLite's next automatic checkpoint. Best effort: a busy reader only delays it.
        """
        try:
            with self.lock:
                self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            log.warning("WAL checkpoint after erasure postponed: %s", type(err).__name__)
