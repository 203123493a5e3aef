"""Objects the register derives from the field registry: public views and kind triggers.

A public view lists exactly the public columns of a table; a pair of triggers refuses a
kind the registry does not know (a ``CHECK`` could only change by rebuilding the
table). :func:`geo.register.schema.sync_registry_objects` keeps those of
``organisaties`` and :func:`geo.register.activity_tables.sync_objects` those of
``activiteiten`` up to date with these helpers whenever a register is opened.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

log = logging.getLogger(__name__)


def sql_text(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def kind_triggers(table: str, codes: Iterable[str], message: str) -> dict[str, str]:
    """Name → SQL of the triggers that refuse a ``soort`` of ``table`` not in ``codes``."""
    listed = ", ".join(sql_text(code) for code in codes)
    check = (f"WHEN NEW.soort NOT IN ({listed}) "
             f"BEGIN SELECT RAISE(ABORT, {sql_text(message)}); END")
    return {
        f"{table}_soort_nieuw": f"CREATE TRIGGER {table}_soort_nieuw BEFORE INSERT "
                                f"ON {table} {check}",
        f"{table}_soort_wijziging": f"CREATE TRIGGER {table}_soort_wijziging BEFORE "
                                    f"UPDATE OF soort ON {table} {check}",
    }


def sync_view(conn: sqlite3.Connection, view: str, table: str,
              columns: tuple[str, ...]) -> None:
    """Make ``view`` select exactly ``columns`` of ``table``; a no-op when it does."""
    present = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({view})"))
    if present != columns:
        log.info("Rebuilding the view %s from the field registry", view)
        conn.execute(f"DROP VIEW IF EXISTS {view}")
        conn.execute(f"CREATE VIEW {view} AS SELECT {', '.join(columns)} FROM {table}")


def sync_triggers(conn: sqlite3.Connection, table: str, wanted: dict[str, str]) -> None:
    """Make the kind triggers of ``table`` the ``wanted`` ones; a no-op when they are."""
    found = dict(tuple(r) for r in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name = ? AND name LIKE ?", (table, f"{table}_soort_%")))
    if found != wanted:
        log.info("Rebuilding the kind check of %s from the field registry", table)
        for name in found:
            conn.execute(f"DROP TRIGGER {name}")
        for sql in wanted.values():
            conn.execute(sql)
