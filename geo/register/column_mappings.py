"""Remembered column mappings in the register's database (table ``kolomkoppelingen``).

When an import file has a header the field registry does not know (``Firma``), the user
says on Beheer → Importeren which field it is; importing the file remembers that choice
here, so the next file with the same header is read the same way without asking. The
importer reads the registry's synonyms plus these pairs
(:func:`geo.intake.rawtable.header_index`); the registry wins on a conflict.

A pair is keyed by the header as :func:`geo.intake.rawtable.header_key` normalises it
(case, accents, punctuation and spaces do not matter); the header as it was written is
kept to show it. Only a role that may ``importeren`` (:func:`geo.auth.can`) may remember
or forget a pair.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo import auth, fields
from geo.errors import StoreError, shown
from geo.intake.rawtable import header_field, header_key
from geo.register._database import Database
from geo.register.history import now

#: The longest header that is remembered (in characters, as written).
MAX_HEADER_CHARS = 200

_TABLE = """
    CREATE TABLE kolomkoppelingen (
        kop TEXT PRIMARY KEY CHECK (length(kop) > 0),
        kolom TEXT NOT NULL DEFAULT '',
        veld TEXT NOT NULL CHECK (length(veld) > 0),
        door TEXT,
        gewijzigd TEXT
    )
"""


def create_table(conn: sqlite3.Connection) -> None:
    """Create the table ``kolomkoppelingen`` (schema step 8): remembered column mappings.

    One row per header: ``kop`` the normalised header (the key), ``kolom`` the header as
    written, ``veld`` the field it stands for, ``door`` who chose it and ``gewijzigd``
    when.
    """
    conn.execute(_TABLE)


@dataclass(frozen=True)
class RememberedColumn:
    """One remembered pair: a header and the field it stands for.

    Attributes
    ----------
    key : str
        The normalised header (:func:`geo.intake.rawtable.header_key`).
    header : str
        The header as it was written when the pair was remembered.
    field : str
        The field's name (an import field of :mod:`geo.fields`).
    user : str
        Who chose it.
    changed : str
        When (ISO 8601, local time).
    """

    key: str
    header: str
    field: str
    user: str = ""
    changed: str = ""


def _import_field_names() -> set[str]:
    return {item.name for item in fields.import_fields()}


class ColumnMappings:
    """The remembered column mappings of one register (``store.column_mappings``).

    Parameters
    ----------
    db : Database
        The register's connection (at a schema version with ``kolomkoppelingen``).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[RememberedColumn]:
        """Every remembered pair, by header."""
        with self._db.lock:
            rows = self._db.execute(
                "SELECT kop, kolom, veld, door, gewijzigd FROM kolomkoppelingen "
                "ORDER BY kolom COLLATE NOCASE, kop").fetchall()
        return [RememberedColumn(r[0], r[1] or r[0], r[2], r[3] or "", r[4] or "")
                for r in rows]

    def mapping(self) -> dict[str, str]:
        """Normalised header → field, for :func:`geo.intake.reading.read_table`.

        Pairs of a field the registry no longer has are left out.
        """
        known = _import_field_names()
        return {item.key: item.field for item in self.all() if item.field in known}

    def remember(self, pairs: Iterable[tuple[str, str]], *, user: str,
                 role: str | None) -> int:
        """Remember ``(header as written, field)`` pairs; all or none.

        A header remembered before gets the new field.

        Returns
        -------
        int
            The number of pairs written.

        Raises
        ------
        AuthError
            When the role may not ``importeren`` (nothing is written).
        StoreError
            With a Dutch message for a header without letters or digits, one longer than
            :data:`MAX_HEADER_CHARS`, one the registry knows already, or a field that is
            not an import field (nothing is written).
        """
        auth.require(role, "importeren")
        rows = [self._checked(header, name) for header, name in pairs]
        stamp = now()
        with self._db.transaction():
            for key, header, name in rows:
                self._db.execute(
                    "INSERT INTO kolomkoppelingen (kop, kolom, veld, door, gewijzigd) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kop) DO UPDATE SET "
                    "kolom = excluded.kolom, veld = excluded.veld, door = excluded.door, "
                    "gewijzigd = excluded.gewijzigd",
                    (key, header, name, user, stamp))
        return len(rows)

    def forget(self, key: str, *, role: str | None) -> bool:
        """Forget the pair of the normalised header ``key``; False when there was none.

        Raises
        ------
        AuthError
            When the role may not ``importeren``.
        """
        auth.require(role, "importeren")
        with self._db.transaction():
            cursor = self._db.execute("DELETE FROM kolomkoppelingen WHERE kop = ?", (key,))
        return cursor.rowcount > 0

    @staticmethod
    def _checked(header: str, name: str) -> tuple[str, str, str]:
        header = " ".join(str(header).split())
        key = header_key(header)
        if not key:
            raise StoreError(f"De kolomnaam '{shown(header, 40)}' heeft geen letters of "
                             "cijfers en kan niet worden onthouden.")
        if len(header) > MAX_HEADER_CHARS:
            raise StoreError(f"De kolomnaam '{shown(header, 40)}' is langer dan "
                             f"{MAX_HEADER_CHARS} tekens en wordt niet onthouden.")
        if name not in _import_field_names():
            raise StoreError(f"'{shown(name, 40)}' is geen veld dat een importbestand kan "
                             "hebben.")
        known = header_field(header)
        if known is not None:
            raise StoreError(f"De kolomnaam '{shown(header, 40)}' is al bekend (als "
                             f"{fields.field_labels().get(known, known)}) en hoeft niet te "
                             "worden onthouden.")
        return key, header, name


def remembered_at(path: str | Path) -> dict[str, str]:
    """The remembered pairs of the register at ``path`` (for the command line).

    Nothing is created or migrated: a missing file, or a register from before schema 8,
    has none.
    """
    path = Path(path)
    if not path.is_file():
        return {}
    db = Database(path, busy_timeout_s=10.0)
    try:
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'kolomkoppelingen'").fetchone()
        return ColumnMappings(db).mapping() if found else {}
    finally:
        db.close()
