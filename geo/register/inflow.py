"""Inflow in the register: new mbo infra students per school year and home area.

Two tables (schema step :func:`create_table`):

``instroom``
    One row per counted group: school year (``2024-2025``), source, home PC4 (or none
    when counted by municipality), the CBS municipality code (from the PC4 through the
    reference when a postcode was given), optional programme and mbo place, the count
    (a whole number, 0 or more), a note and the row of the file. Rows are aggregated
    counts, never students; small counts are still sensitive, so people see them only
    suppressed (:mod:`geo.analysis.inflow`).
``instroom_imports``
    The import history: which file, when, by whom, for which school year and source,
    how many rows, how many rows of the earlier set it replaced, and which later import
    replaced it (``vervangen_door``).

A set is one school year of one source (and example or not). Importing a file replaces
every set it holds: the earlier rows of that school year and source go, the new rows
come, in one transaction per file (:meth:`InflowRegister.apply_import`) — all sets of the
file or none. Only a role that may ``importeren`` (:func:`geo.auth.can`) may import.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

import pandas as pd

from geo import auth, vocabulary
from geo.errors import StoreError, shown
from geo.register._database import Database
from geo.register.history import now

#: The columns of :meth:`InflowRegister.rows`, in order.
ROW_COLUMNS = ("id", "import_id", "schooljaar", "bron", "pc4", "gemeentecode", "opleiding",
               "locatie", "aantal", "opmerking", "rij", "voorbeeld")

#: The columns of :meth:`InflowRegister.imports`, in order.
IMPORT_COLUMNS = ("id", "bestand", "wanneer", "door", "schooljaar", "bron", "rijen",
                  "vervangen", "vervangen_door", "voorbeeld")

_TABLES = (
    """CREATE TABLE instroom_imports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        bestand TEXT NOT NULL,
        wanneer TEXT NOT NULL,
        door TEXT NOT NULL,
        schooljaar TEXT NOT NULL,
        bron TEXT NOT NULL,
        rijen INTEGER NOT NULL CHECK (rijen >= 0),
        vervangen INTEGER NOT NULL DEFAULT 0 CHECK (vervangen >= 0),
        vervangen_door INTEGER REFERENCES instroom_imports (id),
        voorbeeld INTEGER NOT NULL DEFAULT 0 CHECK (voorbeeld IN (0, 1))
    )""",
    """CREATE TABLE instroom (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        import_id INTEGER NOT NULL REFERENCES instroom_imports (id),
        schooljaar TEXT NOT NULL
            CHECK (schooljaar GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'),
        bron TEXT NOT NULL CHECK (length(trim(bron)) > 0),
        pc4 TEXT CHECK (pc4 IS NULL OR pc4 GLOB '[1-9][0-9][0-9][0-9]'),
        gemeentecode TEXT NOT NULL CHECK (gemeentecode GLOB 'GM[0-9][0-9][0-9][0-9]'),
        opleiding TEXT NOT NULL DEFAULT '',
        locatie TEXT NOT NULL DEFAULT '',
        aantal INTEGER NOT NULL CHECK (aantal >= 0),
        opmerking TEXT NOT NULL DEFAULT '',
        rij INTEGER,
        voorbeeld INTEGER NOT NULL DEFAULT 0 CHECK (voorbeeld IN (0, 1))
    )""",
    "CREATE INDEX instroom_set ON instroom (schooljaar, bron, voorbeeld)",
    "CREATE INDEX instroom_import ON instroom (import_id)",
)


def create_table(conn: sqlite3.Connection) -> None:
    """Create ``instroom`` and ``instroom_imports`` (the inflow schema step)."""
    for statement in _TABLES:
        conn.execute(statement)


_YEAR = re.compile(r"(\d{4})-(\d{4})")
_PC4 = re.compile(r"[1-9]\d{3}")
_GM = re.compile(r"GM\d{4}")


def _clean(record: dict, position: int) -> dict:
    """A record checked again before it is written (the intake checked it first).

    Raises
    ------
    StoreError
        Naming the record's row (or position) and the field.
    """
    where = f"rij {record.get('rij')}" if record.get("rij") else f"record {position + 1}"
    year = str(record.get("schooljaar") or "")
    match = _YEAR.fullmatch(year)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise StoreError(f"Instroom, {where}: '{shown(year, 20)}' is geen schooljaar.")
    source = " ".join(str(record.get("bron") or "").split())
    if not source:
        raise StoreError(f"Instroom, {where}: de bron ontbreekt.")
    pc4 = record.get("pc4") or None
    if pc4 is not None and not _PC4.fullmatch(str(pc4)):
        raise StoreError(f"Instroom, {where}: '{shown(pc4, 20)}' is geen postcode (4 cijfers).")
    code = str(record.get("gemeentecode") or "")
    if not _GM.fullmatch(code):
        raise StoreError(f"Instroom, {where}: '{shown(code, 20)}' is geen gemeentecode.")
    count = record.get("aantal")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise StoreError(f"Instroom, {where}: het aantal is geen heel getal van 0 of meer.")
    return {
        "schooljaar": year, "bron": source, "pc4": None if pc4 is None else str(pc4),
        "gemeentecode": code, "aantal": count,
        **{name: str(record.get(name) or "") for name in ("opleiding", "locatie", "opmerking")},
        "rij": record.get("rij"),
    }


class InflowRegister:
    """The inflow figures of one register (``store.inflow``).

    Parameters
    ----------
    db : Database
        The register's connection (at a schema version with the inflow tables).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading ----------------------------------------------------------------------

    def rows(self, school_year: str | None = None, *,
             examples: bool | None = None) -> pd.DataFrame:
        """The stored rows (of one school year; only examples or only real rows).

        :data:`ROW_COLUMNS`; ``pc4`` is None for a row counted by municipality. Raw
        counts: show people only what :mod:`geo.analysis.inflow` makes of them.
        """
        where, params = self._where(school_year, examples)
        frame = self._db.frame(f"SELECT {', '.join(ROW_COLUMNS)} FROM instroom{where} "
                               "ORDER BY schooljaar, bron, gemeentecode, pc4, id", params)
        if frame.empty:
            return pd.DataFrame(columns=list(ROW_COLUMNS))
        frame["aantal"] = frame["aantal"].astype("int64")
        return frame

    @staticmethod
    def _where(school_year: str | None, examples: bool | None) -> tuple[str, tuple]:
        clauses, params = [], []
        if school_year is not None:
            clauses.append("schooljaar = ?")
            params.append(school_year)
        if examples is not None:
            clauses.append("voorbeeld = ?")
            params.append(int(examples))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def count(self, *, examples: bool | None = None) -> int:
        """Number of stored rows; only example rows (True) or only real rows (False)."""
        where, params = self._where(None, examples)
        with self._db.lock:
            return int(self._db.execute(f"SELECT count(*) FROM instroom{where}",
                                        params).fetchone()[0])

    def school_years(self) -> list[str]:
        """The school years with rows, oldest first."""
        with self._db.lock:
            return [r[0] for r in self._db.execute(
                "SELECT DISTINCT schooljaar FROM instroom ORDER BY schooljaar").fetchall()]

    def sources(self, school_year: str) -> list[str]:
        """The sources of one school year's rows, in alphabetical order."""
        with self._db.lock:
            return [r[0] for r in self._db.execute(
                "SELECT DISTINCT bron FROM instroom WHERE schooljaar = ? "
                "ORDER BY bron COLLATE NOCASE", (school_year,)).fetchall()]

    def imports(self) -> pd.DataFrame:
        """The import history, newest first (:data:`IMPORT_COLUMNS`)."""
        frame = self._db.frame(f"SELECT {', '.join(IMPORT_COLUMNS)} FROM instroom_imports "
                               "ORDER BY id DESC")
        return frame if not frame.empty else pd.DataFrame(columns=list(IMPORT_COLUMNS))

    def current_sets(self) -> dict[tuple[str, str, bool], dict]:
        """(school year, source key, example) → the import that holds the set now.

        The source key is :func:`geo.vocabulary.fold_text` of the source, so ``"ROC
        Kop"`` and ``"roc kop"`` are one set. Each value: ``id``, ``bestand``,
        ``wanneer``, ``bron``, ``rijen``.
        """
        found = {}
        with self._db.lock:
            rows = self._db.execute(
                "SELECT i.id, i.bestand, i.wanneer, i.schooljaar, i.bron, i.voorbeeld, "
                "(SELECT count(*) FROM instroom r WHERE r.import_id = i.id) "
                "FROM instroom_imports i WHERE i.vervangen_door IS NULL ORDER BY i.id"
            ).fetchall()
        for row_id, filename, when, year, source, example, n in rows:
            if n:
                found[(year, vocabulary.fold_text(source), bool(example))] = {
                    "id": row_id, "bestand": filename, "wanneer": when, "bron": source,
                    "rijen": int(n)}
        return found

    # -- writing ----------------------------------------------------------------------

    def apply_import(self, records: Iterable[dict], *, filename: str, user: str,
                     role: str | None, example: bool = False) -> dict:
        """Store the rows of one file; each school year and source replaces its earlier set.

        All sets of the file are written in one transaction: a failure leaves every
        earlier set as it was.

        Parameters
        ----------
        records : iterable of dict
            As :func:`geo.intake.inflow.inflow_records` makes them: ``schooljaar``,
            ``bron``, ``pc4`` (or None), ``gemeentecode``, ``aantal``, ``opleiding``,
            ``locatie``, ``opmerking``, ``rij``.
        filename : str
            The file's name, kept in the history.
        user : str
            Who imported (the history).
        role : str or None
            Must be allowed to ``importeren``.
        example : bool
            Marks the rows and their imports as example data (``voorbeeld``).

        Returns
        -------
        dict
            ``{"rijen": int, "sets": list of dict}``; each set: ``schooljaar``, ``bron``,
            ``rijen`` (new rows), ``vervangen`` (rows of the earlier set removed, 0 when
            new) and ``eerder`` (the earlier import's ``bestand`` and ``wanneer``, or
            None).

        Raises
        ------
        AuthError
            When the role may not import (nothing written).
        StoreError
            For an invalid record (its row is named) or a busy or full database; nothing
            is written.
        """
        auth.require(role, "importeren")
        cleaned = [_clean(record, i) for i, record in enumerate(records)]
        groups: dict[tuple[str, str], list[dict]] = {}
        for record in cleaned:
            groups.setdefault((record["schooljaar"], vocabulary.fold_text(record["bron"])),
                              []).append(record)
        stamp = now()
        sets = []
        with self._db.transaction():
            current = self.current_sets()
            for (year, key), rows in groups.items():
                source = rows[0]["bron"]  # one spelling per set (the first row's)
                earlier = current.get((year, key, bool(example)))
                import_id = self._db.execute(
                    "INSERT INTO instroom_imports (bestand, wanneer, door, schooljaar, bron, "
                    "rijen, vervangen, voorbeeld) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (str(filename), stamp, str(user), year, source, len(rows),
                     earlier["rijen"] if earlier else 0, int(example))).lastrowid
                if earlier:
                    self._replace(year, key, bool(example), import_id)
                for r in rows:
                    self._db.execute(
                        "INSERT INTO instroom (import_id, schooljaar, bron, pc4, gemeentecode, "
                        "opleiding, locatie, aantal, opmerking, rij, voorbeeld) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (import_id, r["schooljaar"], source, r["pc4"], r["gemeentecode"],
                         r["opleiding"], r["locatie"], r["aantal"], r["opmerking"], r["rij"],
                         int(example)))
                sets.append({"schooljaar": year, "bron": source, "rijen": len(rows),
                             "vervangen": earlier["rijen"] if earlier else 0,
                             "eerder": ({"bestand": earlier["bestand"],
                                         "wanneer": earlier["wanneer"]} if earlier else None)})
        return {"rijen": len(cleaned), "sets": sets}

    def _replace(self, year: str, key: str, example: bool, new_id: int) -> None:
        """Remove the rows of a set and mark the imports that made them as replaced."""
        ids = [r[0] for r in self._db.execute(
            "SELECT id, bron FROM instroom_imports WHERE schooljaar = ? AND voorbeeld = ? "
            "AND vervangen_door IS NULL AND id <> ?", (year, int(example), new_id)).fetchall()
            if vocabulary.fold_text(r[1]) == key]
        for import_id in ids:
            self._db.execute("DELETE FROM instroom WHERE import_id = ?", (import_id,))
            self._db.execute("UPDATE instroom_imports SET vervangen_door = ? WHERE id = ?",
                             (new_id, import_id))

    def delete_examples(self) -> int:
        """Remove every example row and example import; returns the number of rows."""
        with self._db.transaction():
            removed = self._db.execute("DELETE FROM instroom WHERE voorbeeld = 1").rowcount
            self._db.execute("UPDATE instroom_imports SET vervangen_door = NULL WHERE "
                             "vervangen_door IN (SELECT id FROM instroom_imports "
                             "WHERE voorbeeld = 1)")
            self._db.execute("DELETE FROM instroom_imports WHERE voorbeeld = 1")
        return int(removed)
