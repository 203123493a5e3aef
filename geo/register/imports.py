"""Applying a reviewed import: one transaction, and conflicts instead of overwrites.

Imports and concurrency (decision)
    :func:`apply_import` looks up duplicates and writes in one ``BEGIN IMMEDIATE``
    transaction, so the look-up and the write cannot interleave with another import: two
    imports of the same file at the same time give every organisation once. Records
    carry the ``versie`` seen in the preview; a row changed, deleted or added by someone
    else since then is not written but returned as an
    :class:`~geo.register.import_conflicts.ImportConflict` (field names and login names,
    no values), and the rest of the import is applied — a user expects the good rows in
    and a list of rows to look at again, not an all-or-nothing refusal for one
    colleague's edit.

One transaction, not one per row
    The rows are written inside the import's transaction without a savepoint each (a
    failed row undoes the whole import anyway); the name keys the table holds are read
    once, so a record whose key no row has (and no earlier record wrote) is not looked
    up. The areas of all records come from one spatial join. New rows are held back
    and written together (:meth:`~geo.register.writes.RowWriter.deferred`: one
    ``executemany`` for the rows, one for their history, the ids SQLite would give them)
    before anything else reads or writes the register; the stored rows a re-import
    updates are read ahead in a few queries.

The conflicts
    ``gewijzigd``
        A record with ``id`` and ``versie`` (the version seen in the preview) whose row
        has another version now and would change. When the row would not change it
        counts as ``ongewijzigd``.
    ``verwijderd``
        A record with ``id`` and ``versie`` whose row was deleted since the preview.
    ``bestaat_al``
        A record without ``id`` for which an organisation (school) with the same name
        key and postcode (as the importer matches them; for schools also the same
        ``vestigingscode``) now exists and would change — it was added after the
        preview, e.g. by a simultaneous import. When it would not change, the record
        counts as ``ongewijzigd``. Example records (``voorbeeld``) only match example
        rows.
"""

from __future__ import annotations

import logging

from geo import fields, vocabulary
from geo.addresses import postcode_key
from geo.errors import StoreError
from geo.intake.pausing import paused_gc
from geo.register import history
from geo.register._records import coordinate, field_order, is_missing, yes_no
from geo.register.import_conflicts import ImportConflict
from geo.register.writes import NEW, UNCHANGED, UPDATED, RowWriter, require_user

log = logging.getLogger(__name__)

#: What an import may hold → the table it is written to.
IMPORT_TABLES = {"partners": fields.ORGANISATIONS, "scholen": fields.SCHOOLS}


@paused_gc()  # thousands of rows held: no cyclic collection meanwhile (intake/pausing.py)
def apply_import(writer: RowWriter, records: list[dict], *, user: str, kind: str,
                 role: str | None) -> dict:
    """Write a reviewed import in one transaction (see the module notes).

    Returns
    -------
    dict
        ``{"nieuw": int, "bijgewerkt": int, "ongewijzigd": int, "conflicten":
        list[ImportConflict], "ids": list[int]}``.
    """
    if kind not in IMPORT_TABLES:
        raise StoreError(f"Onbekende importsoort '{kind}'; kies partners of scholen.")
    require_user(user)
    table = IMPORT_TABLES[kind]
    # Derive all areas in one spatial join instead of one per record.
    areas = writer.areas([coordinate(r.get("lon")) for r in records],
                         [coordinate(r.get("lat")) for r in records])
    counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0}
    conflicts: list[ImportConflict] = []
    ids: list[int] = []
    with writer.db.transaction():
        # The name keys the table holds; a record with another key matches no row unless
        # this import wrote that key itself (then it is looked up as before).
        keys = {row[0] for row in writer.db.execute(
            f"SELECT DISTINCT importsleutel FROM {table}").fetchall()}
        # New rows are held back and written together (ids as SQLite gives them); held
        # rows are written before anything else reads or writes the register.
        with writer.deferred(table):
            writer.read_ahead([r["id"] for r in records if not is_missing(r.get("id"))])
            for position, (record, area) in enumerate(zip(records, areas, strict=True),
                                                      start=1):
                try:
                    row_id, outcome = _import_one(writer, table, record, area, user=user,
                                                  position=position, role=role, keys=keys)
                except StoreError as err:
                    where = (f"Rij {record['rij']}" if not is_missing(record.get("rij"))
                             else f"Record {position}")
                    raise type(err)(f"{where} ({record.get('naam', '')}): {err}") from err
                if isinstance(outcome, ImportConflict):
                    conflicts.append(outcome)
                else:
                    counts[outcome] += 1
                ids.append(row_id)
    log.info("Import by %s: %s, %d conflict(s)", user, counts, len(conflicts))
    return {**counts, "conflicten": conflicts, "ids": ids}


def _row_number(record: dict) -> int | None:
    value = record.get("rij")
    return None if is_missing(value) else int(value)


def _import_one(writer: RowWriter, table: str, record: dict, area: dict, *, user: str,
                position: int, role: str | None, keys: set[str]
                ) -> tuple[int, str | ImportConflict]:
    """Apply one import record inside the import's transaction.

    ``keys`` holds every name key the table may hold now: those it held when the import
    started, and the key of every record written since (added here).
    """
    expected = None if is_missing(record.get("versie")) else int(record["versie"])
    name = "" if is_missing(record.get("naam")) else str(record["naam"]).strip()
    key = vocabulary.name_key(name) if name else None  # as the writer derives it
    known = key in keys  # a row with this name key may exist
    if key is not None:
        keys.add(key)  # it may after this record (a failed write undoes the whole import)
    write = {"user": user, "areas": area, "role": role, "key": key, "savepoint": False}
    new_row = is_missing(record.get("id"))
    if not new_row or known or table == fields.SCHOOLS:
        writer.flush()  # what follows reads the register: the held rows first
    if new_row:
        match = _import_match(writer, table, record, key, known=known)
        if match is None:
            return writer.save(table, record, expected_version=None, **write)
        current = writer.current(table, match)
        changed = writer.planned_changes(table, record, current)
        if not changed:
            return match, UNCHANGED
        return match, ImportConflict(
            position=position, row=_row_number(record), record_id=match,
            name=str(record.get("naam") or current["naam"]), reason="bestaat_al",
            fields=field_order(changed),
            users=history.users_of(writer.db, table, match, field=history.CREATED_FIELD))
    row_id = int(record["id"])
    if expected is None:
        return writer.save(table, record, expected_version=None, **write)
    current = writer.current(table, row_id)
    if current is None:
        return row_id, ImportConflict(
            position=position, row=_row_number(record), record_id=row_id,
            name=str(record.get("naam") or ""), reason="verwijderd", fields=(),
            users=history.users_of(writer.db, table, row_id, field=history.DELETED_FIELD))
    if int(current["versie"]) != expected:
        if not writer.planned_changes(table, record, current):
            return row_id, UNCHANGED
        names, users = history.changed_since(writer.db, table, row_id, expected)
        return row_id, ImportConflict(
            position=position, row=_row_number(record), record_id=row_id,
            name=str(record.get("naam") or current["naam"]), reason="gewijzigd",
            fields=names, users=users)
    return writer.save(table, record, expected_version=expected, **write)


def _import_match(writer: RowWriter, table: str, record: dict, key: str | None, *,
                  known: bool = True) -> int | None:
    """The id of the row an import record without ``id`` is the same as, or None.

    Same rule as the importer's preview: same name key and the same postcode (six or
    four characters), or the same place when neither has a postcode; schools also match
    on ``vestigingscode``. ``key`` is the name key of the record's name (None without a
    name); ``known`` False says no row has that key (nothing to look up).
    """
    if key is None:
        return None
    db = writer.db
    with db.lock:
        if table == fields.SCHOOLS:
            code = str(record.get("vestigingscode") or "").strip().upper()
            if code:
                found = db.execute("SELECT id FROM scholen WHERE upper(vestigingscode) = ? "
                                   "ORDER BY id", (code,)).fetchone()
                if found is not None:
                    return int(found[0])
        if not known:
            return None
        sql = f"SELECT id, postcode, plaats FROM {table} WHERE importsleutel = ?"
        if table == fields.ORGANISATIONS and yes_no("voorbeeld", record.get("voorbeeld")):
            sql += " AND voorbeeld = 1"
        rows = db.execute(sql + " ORDER BY id", (key,)).fetchall()
    wanted = postcode_key(record.get("postcode"), record.get("plaats"))
    for row_id, postcode, place in rows:
        if postcode_key(postcode, place) == wanted:
            return int(row_id)
    return None
