"""Writing one row of the register: validate, derive, insert or update, record the history.

:class:`RowWriter` is what every write of the :class:`~geo.register.store.Store` goes
through: a form's save, each record of an import, a deletion. It cleans the record
(:mod:`geo.register._records`), refuses a stale version, checks who may change an
ambassador, derives the name key and (when the location moved) the areas, writes the
row and one history entry per changed field, all inside one (nested) transaction. An
activity has no name and no location of its own: its history names it by
:func:`record_title` (kind, date, school), and its school gives its municipality
(:mod:`geo.register.activities`).

Ambassadors are the board's decision (role check)
    Any write that changes ``ambassadeur_voor`` needs the writer's ``role`` and is
    refused with an :class:`~geo.errors.AuthError` unless
    ``geo.auth.can(role, "ambassadeurs_markeren")``. Without a role such a change is
    refused (fail closed); writes that leave the field as it is need no role. The pages
    check first; this is the check no caller can skip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from geo import activities, auth, fields, vocabulary
from geo.errors import ConflictError, StoreError
from geo.reference.data import Reference
from geo.register import history
from geo.register._database import Database
from geo.register._records import (
    TABLE_LABELS,
    changes,
    clean_record,
    derive_areas,
    equal,
    is_missing,
    typed_row,
)
from geo.register.schema import columns_of

#: Outcomes of a write.
NEW, UPDATED, UNCHANGED = "nieuw", "bijgewerkt", "ongewijzigd"

#: New rows held back at most before they are written (:meth:`RowWriter.deferred`).
HELD_ROWS = 5000


def require_user(user: object) -> None:
    """Refuse a write that is not on a user's name."""
    if not str(user or "").strip():
        raise StoreError("Wijzigingen moeten op naam van een gebruiker staan.")


def _check_ambassador_change(values: dict, current: dict | None, role: str | None) -> None:
    """Refuse a change of ``ambassadeur_voor`` by a role that may not appoint ambassadors."""
    if "ambassadeur_voor" not in values:
        return
    before = current.get("ambassadeur_voor") if current else None
    if not equal(before, values["ambassadeur_voor"]):
        auth.require(role, "ambassadeurs_markeren")


def _sql_value(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


def record_title(table: str, row: dict) -> str:
    """How the history and messages name a row: its name, or an activity's title."""
    if table == fields.ACTIVITIES:
        return activities.activity_title(row)
    return str(row["naam"])


@lru_cache(maxsize=64)
def _insert_sql(table: str, keys: tuple[str, ...]) -> str:
    """The INSERT of a row with these columns (the same few for every row of an import)."""
    return f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"


def _stored_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` as a set, made once per field tuple of the registry."""
    items = fields.fields_of(table)
    known = _STORED.get(table)
    if known is None or known[0] is not items:
        known = _STORED[table] = (items, frozenset(columns_of(table)))
    return known[1]


#: Table → (its fields, their columns as a set), for :func:`_stored_columns`.
_STORED: dict[str, tuple[tuple, frozenset[str]]] = {}


class _Deferred:
    """New rows of one table held back to be written together (:meth:`RowWriter.deferred`).

    Ids are handed out as SQLite's ``AUTOINCREMENT`` would: one more than the largest id
    the table ever had; the flush checks that SQLite agrees.
    """

    def __init__(self, db: Database, table: str) -> None:
        self.table = table
        found = db.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
            f"coalesce((SELECT max(id) FROM {table}), 0))", (table,)).fetchone()
        self.next_id = int(found[0]) + 1
        self.rows: list[tuple[str, list]] = []  # (INSERT, its values)
        self.history: list[tuple] = []  # the history entry of each row
        self.stored: dict[int, dict] = {}  # id → stored row, read ahead (RowWriter.read_ahead)

    def add(self, sql: str, values: list, entry: tuple) -> int:
        new_id = self.next_id
        self.next_id += 1
        self.rows.append((sql, values))
        self.history.append((entry[0], entry[1], entry[2], new_id, *entry[3:]))
        return new_id

    def flush(self, db: Database) -> None:
        """Write the held rows, then their history entries, in the order they came.

        One ``executemany`` per run of rows with the same columns.
        """
        if not self.rows:
            return
        first = self.next_id - len(self.rows)
        start = 0
        while start < len(self.rows):
            sql = self.rows[start][0]
            end = start
            while end < len(self.rows) and self.rows[end][0] == sql:
                end += 1
            db.executemany(sql, [values for _, values in self.rows[start:end]])
            start = end
        last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        if last != self.next_id - 1:  # cannot happen under BEGIN IMMEDIATE; be safe
            raise StoreError(f"Onverwachte nummering bij het opslaan (rij {first} tot "
                             f"{self.next_id - 1}, kreeg {last}).")
        history.write_entries(db, self.history)
        self.rows, self.history = [], []


class RowWriter:
    """Validated writes of single rows, with their history.

    Parameters
    ----------
    database : Database
        The register's connection.
    reference : Reference
        For the areas of a location.
    """

    def __init__(self, database: Database, reference: Reference) -> None:
        self.db = database
        self.reference = reference
        #: table → what runs (in the transaction) before one of its rows is deleted, with
        #: the id and the user: the activities unlink an organisation.
        self.before_delete: dict[str, Callable[..., object]] = {}
        self._deferred: _Deferred | None = None

    @contextmanager
    def deferred(self, table: str) -> Iterator[None]:
        """Inside a transaction: hold the new rows of ``table`` and write them together.

        A new row gets its id at once (as SQLite would give it); the rows and their
        history entries are written, in order, by :meth:`flush` - which the caller must
        call before anything reads or writes the register, and which runs at the end of
        the block. Used by an import, whose rows are mostly new.
        """
        if not self.db.in_transaction:
            raise StoreError("Uitgestelde rijen alleen binnen een transactie.")
        self._deferred = _Deferred(self.db, table)
        try:
            yield
            self.flush()
        finally:
            self._deferred = None

    def flush(self) -> None:
        """Write the rows held back by :meth:`deferred` (nothing outside it)."""
        if self._deferred is not None:
            self._deferred.flush(self.db)

    def read_ahead(self, ids: list[object]) -> None:
        """Inside :meth:`deferred`: read the stored rows ``ids`` now, in a few queries.

        :meth:`current` then answers from them until the row is changed or deleted. An id
        that is no number is left to the write that needs it (and its message).
        """
        held = self._deferred
        if held is None:
            return
        columns = columns_of(held.table)
        wanted = sorted({int(i) for i in ids if isinstance(i, int)
                         or (isinstance(i, str | float) and str(i).strip().isdigit())})
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            found = self.db.execute(
                f"SELECT {', '.join(columns)} FROM {held.table} WHERE id IN "
                f"({', '.join('?' * len(part))})", part).fetchall()
            held.stored.update((int(row["id"]), typed_row(dict(row))) for row in found)

    def areas(self, lon: list[float], lat: list[float]) -> list[dict]:
        """The derived areas of many points (see :func:`~._records.derive_areas`)."""
        return derive_areas(self.reference, lon, lat)

    def current(self, table: str, row_id: int) -> dict | None:
        """The stored row with every registry column, or None."""
        held = self._deferred
        if held is not None and held.table == table and row_id in held.stored:
            return dict(held.stored[row_id])  # read ahead, unchanged since
        return self.db.row(table, row_id, columns_of(table))

    def _forget(self, table: str, row_id: int) -> None:
        """The row read ahead is changed: read it again when asked."""
        if self._deferred is not None and self._deferred.table == table:
            self._deferred.stored.pop(int(row_id), None)

    def planned_changes(self, table: str, record: dict, current: dict) -> dict:
        """The fields ``record`` would change in ``current`` (validated; nothing written)."""
        return changes(clean_record(table, record, current), current)

    def history_entry(self, user: str, table: str, record_id: int, field: str, old: object,
                      new: object, *, version: int | None = None,
                      when: str | None = None) -> None:
        """Write one history entry (see :func:`geo.register.history.write_entry`)."""
        history.write_entry(self.db, user, table, record_id, field, old, new,
                            version=version, when=when)

    def save(self, table: str, record: dict, *, user: str, expected_version: int | None,
             areas: dict | None = None, source: str = "gebruiker",
             role: str | None = None, key: str | None = None,
             savepoint: bool = True) -> tuple[int, str]:
        """Insert or update one row.

        ``key`` is the name key of the record's name when the caller knows it already
        (an import); ``savepoint=False`` writes inside the caller's transaction without a
        savepoint of its own (an import is all-or-nothing as a whole).

        Returns
        -------
        (int, str)
            The id and :data:`NEW`, :data:`UPDATED` or :data:`UNCHANGED`.

        Raises
        ------
        ConflictError
            The row has another version than ``expected_version``.
        AuthError
            The record changes ``ambassadeur_voor`` and ``role`` may not.
        StoreError
            Invalid values, an unknown id, or the database refuses.
        """
        require_user(user)
        with self.db.transaction(savepoint=savepoint):
            current = self._current_for(table, record, expected_version)
            values = clean_record(table, record, current)
            _check_ambassador_change(values, current, role)
            if "naam" in values:
                values["importsleutel"] = (vocabulary.name_key(values["naam"]) if key is None
                                           else key)
            stored = _stored_columns(table)
            located = "lat" in stored  # activities take their place from a school
            if located and (current is None or any(k in values and values[k] != current.get(k)
                                                   for k in ("lat", "lon"))):
                derived = areas if areas is not None else self._areas_of(values)
                # a place keeps the municipality only
                values.update({k: v for k, v in derived.items() if k in stored})
            if current is None:
                return self._insert(table, values, user=user, source=source), NEW
            changed = changes(values, current)
            if not changed:
                return int(current["id"]), UNCHANGED
            self._update(table, current, changed, user=user)
            return int(current["id"]), UPDATED

    def _current_for(self, table: str, record: dict,
                     expected_version: int | None) -> dict | None:
        row_id = record.get("id")
        if is_missing(row_id):
            return None
        label = TABLE_LABELS[table].capitalize()
        current = self.current(table, int(row_id))
        if current is None:
            raise StoreError(f"{label} {row_id} bestaat niet (meer); is die intussen "
                             "verwijderd?")
        if expected_version is not None and current["versie"] != expected_version:
            raise ConflictError(
                f"{label} '{record_title(table, current)}' is intussen door iemand anders "
                f"gewijzigd (nu versie {current['versie']}, u bewerkte versie "
                f"{expected_version}). Bekijk de nieuwe versie en voer uw wijziging opnieuw in.",
                current=current,
            )
        return current

    def _areas_of(self, values: dict) -> dict:
        lat, lon = values.get("lat"), values.get("lon")
        return self.areas([math.nan if lon is None else lon],
                          [math.nan if lat is None else lat])[0]

    def _insert(self, table: str, values: dict, *, user: str, source: str) -> int:
        stamp = history.now()
        values.update(aangemaakt=stamp, gewijzigd=stamp)
        if table == fields.SCHOOLS:
            values["bron"] = source
        sql = _insert_sql(table, tuple(values))
        row = [int(v) if v is True or v is False else v for v in values.values()]  # 0/1
        held = self._deferred
        if held is not None and held.table == table:
            if len(held.rows) >= HELD_ROWS:  # bounded memory: write what is held so far
                held.flush(self.db)
            return held.add(sql, row, (
                stamp, user, table, history.CREATED_FIELD, "", record_title(table, values), 1))
        new_id = int(self.db.execute(sql, row).lastrowid)
        self.history_entry(user, table, new_id, history.CREATED_FIELD, "",
                           record_title(table, values), version=1, when=stamp)
        return new_id

    def _update(self, table: str, current: dict, changed: dict, *, user: str) -> None:
        self._forget(table, int(current["id"]))
        sets = ", ".join(f"{k} = ?" for k in changed)
        cursor = self.db.execute(
            f"UPDATE {table} SET {sets}, versie = versie + 1, gewijzigd = ? "
            "WHERE id = ? AND versie = ?",
            [*map(_sql_value, changed.values()), history.now(), int(current["id"]),
             int(current["versie"])],
        )
        if cursor.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; be safe
            raise ConflictError(f"{TABLE_LABELS[table].capitalize()} is intussen gewijzigd.",
                                current=self.current(table, int(current["id"])))
        version = int(current["versie"]) + 1
        for key, value in history.recorded_changes(table, changed).items():
            self.history_entry(user, table, int(current["id"]), key,
                               history.history_text(key, current[key], table),
                               history.history_text(key, value, table), version=version)

    def delete(self, table: str, row_id: int, *, user: str) -> None:
        """Delete a row; for one with staff-only fields erase its personal data from the history.

        Raises
        ------
        StoreError
            When no row has this id.
        """
        require_user(user)
        staff_only = [f for f in fields.fields_of(table) if f.staff_only]
        personal = tuple(f.name for f in staff_only if f.access == fields.PERSONAL)
        with self.db.transaction():
            row = self.current(table, row_id)
            if row is None:
                raise StoreError(f"{TABLE_LABELS[table].capitalize()} {row_id} bestaat niet "
                                 "(meer).")
            if table in self.before_delete:
                self.before_delete[table](int(row_id), user=user)
            self._forget(table, row_id)
            self.db.execute(f"DELETE FROM {table} WHERE id = ?", (int(row_id),))
            version = int(row["versie"])
            if staff_only:  # organisations and activities
                erased = history.erase_history(self.db, table, int(row_id),
                                               [row[f] for f in personal])
                self.history_entry(user, table, int(row_id), history.ERASURE_FIELD, "",
                                   history.erasure_text(erased), version=version)
            self.history_entry(user, table, int(row_id), history.DELETED_FIELD,
                               record_title(table, row), "", version=version)
