"""The edit history of the register: writing, reading and erasing it.

Every change to an organisation, a school, an education place or an activity is one row
in ``historie``: when, who, which table/record/field, old → new, and the record's version
after the change. An activity's guest teachers are personal data like contact data, its
notes staff notes: both are erased with it.

Personal data in the history (decision)
    The history is kept for ever, also after an organisation is deleted, and only staff
    see it. To keep personal data minimal it records *that* a personal field changed but
    never its value: a non-empty old or new value is stored as
    :data:`PERSONAL_PLACEHOLDER` (``"(persoonsgegeven)"``), an empty one as ``""``. So
    staff still see "e-mail added / changed / removed, by whom, when". The staff notes
    are recorded with their text while the organisation exists. Deleting an organisation
    erases, in the same transaction, every staff-only and ``melding`` value and anything
    containing its contact data from its history (:data:`ERASED_PLACEHOLDER`) and says
    so in an :data:`ERASURE_FIELD` entry (right to erasure).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from geo import fields
from geo.register._records import field_order, is_missing
from geo.text import count_noun

#: Columns of :meth:`geo.register.store.Store.history`, in order.
HISTORY_COLUMNS = ("wanneer", "gebruiker", "tabel", "record_id", "veld", "oud", "nieuw")

#: What the history stores instead of the value of a personal field.
PERSONAL_PLACEHOLDER = "(persoonsgegeven)"

#: What replaces a value in the history of a deleted organisation (right to erasure).
ERASED_PLACEHOLDER = "(gewist)"

#: The history entry that says an organisation's personal data were erased.
ERASURE_FIELD = "(persoonsgegevens gewist)"

#: The history entry of a new record (``nieuw`` is its name).
CREATED_FIELD = "(aangemaakt)"

#: The history entry of a deleted record (``oud`` is its name).
DELETED_FIELD = "(verwijderd)"


class Executes(Protocol):
    """An SQLite connection, or the store's database that translates its errors."""

    def execute(self, sql: str, params: Sequence[object] = (), /) -> sqlite3.Cursor:
        """Run one statement."""

    def executemany(self, sql: str, rows: Sequence[Sequence[object]], /) -> sqlite3.Cursor:
        """Run one statement for many rows."""


def now() -> str:
    """The current local time as ISO 8601, to the second."""
    second = int(time.time())
    if _NOW[0] != second:  # an import stamps thousands of rows within the same second
        _NOW[:] = [second, datetime.fromtimestamp(second).astimezone().isoformat(
            timespec="seconds")]
    return _NOW[1]


#: The second :func:`now` last gave, and its text.
_NOW: list = [None, ""]


def erased_history_fields(table: str = fields.ORGANISATIONS) -> tuple[str, ...]:
    """History fields whose values are erased when their record is deleted.

    The staff-only fields of ``table`` and the import message (older versions could echo
    contact data into it).
    """
    staff_only = (f.name for f in fields.fields_of(table) if f.staff_only)
    return (*staff_only, "melding")


def history_text(field: str, value: object, table: str | None = None) -> str:
    """How the history shows a value: personal values hidden, yes/no as ja/nee.

    ``table`` names the record's table, so a field only it has (an activity's
    ``gastdocenten``) is found; without it the field is looked up in every table.
    """
    item = next((f for f in fields.fields_of(table) if f.name == field),
                None) if table else None
    item = item or fields.field_named(field)
    if item is not None and item.access == fields.PERSONAL:
        return PERSONAL_PLACEHOLDER if not is_missing(value) and str(value) != "" else ""
    if is_missing(value):
        return ""
    if isinstance(value, bool) or (item is not None and item.type == fields.YES_NO):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def recorded_changes(table: str, changed: dict) -> dict:
    """The changed fields the history records (not derived ones, not ``soort``)."""
    recorded = {f.name for f in fields.fields_of(table) if f.in_history}
    return {k: v for k, v in changed.items() if k in recorded}


def write_entry(conn: Executes, user: str, table: str, record_id: int, field: str,
                old: object, new: object, *, version: int | None = None,
                when: str | None = None) -> None:
    """One history entry; ``version`` is the record's ``versie`` after the change.

    ``when`` is the time of the change (:func:`now`, the default), when the caller
    stamped the record with it already.
    """
    conn.execute(
        "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw, "
        "versie) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (when or now(), user, table, int(record_id), field, old, new, version),
    )


def write_entries(conn: Executes, entries: Sequence[tuple]) -> None:
    """Many history entries at once, in order.

    Each is ``(when, user, table, record_id, field, old, new, version)``, as
    :func:`write_entry` writes one.
    """
    conn.executemany(
        "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw, "
        "versie) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entries)


def history_query(record_id: int | None, table: str) -> tuple[str, tuple]:
    """The SQL and parameters of the history (of one record), newest first."""
    sql = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM historie"
    params: tuple = ()
    if record_id is not None:
        sql += " WHERE tabel = ? AND record_id = ?"
        params = (table, int(record_id))
    return sql + " ORDER BY id DESC", params


def users_of(conn: Executes, table: str, record_id: int, *,
             field: str) -> tuple[str, ...]:
    """Who wrote the entries ``field`` of a record (e.g. who created it), each once."""
    rows = conn.execute(
        "SELECT gebruiker FROM historie WHERE tabel = ? AND record_id = ? AND veld = ?"
        " ORDER BY id", (table, int(record_id), field)).fetchall()
    return tuple(dict.fromkeys(r[0] for r in rows))


def changed_since(conn: Executes, table: str, record_id: int, version: int
                  ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Fields changed and users who changed them after ``version`` of a record."""
    rows = conn.execute(
        "SELECT veld, gebruiker FROM historie WHERE tabel = ? AND record_id = ? "
        "AND versie > ? ORDER BY id", (table, int(record_id), int(version))).fetchall()
    names = field_order(r[0] for r in rows if not r[0].startswith("("))
    return names, tuple(dict.fromkeys(r[1] for r in rows))


def erase_history(conn: Executes, table: str, record_id: int,
                  personal_values: Iterable[object] = ()) -> int:
    """Erase personal data from the history of one record; returns how many values.

    Values of :func:`erased_history_fields` become :data:`ERASED_PLACEHOLDER`, and so
    does any value that contains one of ``personal_values`` (the record's contact
    person, e-mail address and phone number). Empty values and placeholders stay.
    """
    needles = [str(v).strip().casefold() for v in personal_values
               if not is_missing(v) and len(str(v).strip()) >= 3]
    erased_fields = erased_history_fields(table)
    rows = conn.execute(
        "SELECT id, veld, oud, nieuw FROM historie WHERE tabel = ? AND record_id = ?",
        (table, int(record_id)),
    ).fetchall()
    erased = 0
    for history_id, field, *values in rows:
        cleaned = []
        for value in values:
            if (value is None or value in ("", PERSONAL_PLACEHOLDER, ERASED_PLACEHOLDER)
                    or not (field in erased_fields
                            or any(n in str(value).casefold() for n in needles))):
                cleaned.append(value)
            else:
                cleaned.append(ERASED_PLACEHOLDER)
                erased += 1
        if cleaned != values:
            conn.execute("UPDATE historie SET oud = ?, nieuw = ? WHERE id = ?",
                         (*cleaned, history_id))
    return erased


def erasure_text(erased: int) -> str:
    """What the :data:`ERASURE_FIELD` entry says."""
    values = count_noun(erased, "waarde", "waarden")
    return (f"persoonsgegevens gewist (verwijderd); {values} in de historie vervangen door "
            "'(gewist)'")
