"""The register's schema: tables, migrations, and what is derived from :mod:`geo.fields`.

One SQLite file holds

``organisaties``
    Partners and donors, with the personal contact fields (:data:`PERSONAL_FIELDS`), a
    version number for optimistic locking and the areas derived from the location.
``organisaties_publiek``
    A SQL view of ``organisaties`` *without* the staff-only columns. Everything public
    reads from this view, so personal data cannot leak by forgetting to drop a column.
``scholen``
    The DUO secondary-school locations (``bron = "duo"``) and schools added by users.
``opleidingslocaties``
    The education places (:mod:`geo.education_places`): the mbo infra places, seeded
    from the bundled file at place level, and other places of the chain the team adds;
    with address, precision, source, version and history like an organisation. Until
    schema 6 the table was ``mbo_locaties`` (bundled places only, never edited).
``historie``
    The edit history (:mod:`geo.register.history`).
``sessies``
    Server-side login sessions (:mod:`geo.register.sessions`): the login name, role and
    times, and only hashes of the cookie token and the one-time hand-over code.
``kolomkoppelingen``
    Import headers the registry does not know and the field each stands for, remembered
    for the next file (:mod:`geo.register.column_mappings`).
``activiteiten``, ``activiteit_partners``, ``activiteiten_publiek``
    Activities, their partners and their public view (:mod:`geo.register.activity_tables`).
``instroom``, ``instroom_imports``
    Inflow into mbo infra per school year and home area (:mod:`geo.register.inflow`).

Migrations
    The schema version is kept in ``PRAGMA user_version``; :data:`MIGRATIONS` is an
    ordered list of steps, applied in place inside one transaction when a database is
    opened. Steps are history: they are never changed, only added, and never drop user
    data. A new field gets a step that calls :func:`add_column`.

Derived from the registry
    After the steps, :func:`sync_registry_objects` makes the public view list exactly the
    public fields of :data:`geo.fields.ORGANISATION_FIELDS` and the kind check accept
    exactly :data:`geo.fields.KINDS`, rebuilding them when the registry changed. The kind
    check is a pair of triggers rather than a ``CHECK`` in the table, so adding a kind
    needs no migration (a ``CHECK`` can only change by rebuilding the table).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable

from geo import fields, vocabulary
from geo.errors import StoreError
from geo.intake.contacts import INVALID_EMAIL_NOTE
from geo.reference.gazetteer import PRECISIONS
from geo.register import activity_tables, column_mappings, inflow, registry_objects, sessions
from geo.register.history import ERASURE_FIELD, erase_history, erasure_text, now

log = logging.getLogger(__name__)

#: The view with the public columns of ``organisaties``.
PUBLIC_VIEW = "organisaties_publiek"
ORGANISATIONS = fields.ORGANISATIONS


def organisation_columns(*, include_personal: bool) -> tuple[str, ...]:
    """The columns of an organisation in registry order; staff-only ones if asked."""
    return tuple(f.name for f in fields.ORGANISATION_FIELDS
                 if include_personal or not f.staff_only)


def school_columns() -> tuple[str, ...]:
    """The columns of a school, in registry order."""
    return fields.names(fields.SCHOOL_FIELDS)


def columns_of(table: str) -> tuple[str, ...]:
    """Every registry column of ``table`` (staff-only fields included)."""
    return fields.names(fields.fields_of(table))


#: Public columns of :meth:`geo.register.store.Store.organisations`, in order.
ORGANISATION_COLUMNS = organisation_columns(include_personal=False)

#: Columns holding personal data (GDPR); only staff may see them.
PERSONAL_FIELDS = tuple(f.name for f in fields.ORGANISATION_FIELDS
                        if f.access == fields.PERSONAL)

#: Columns only staff read: the personal fields plus the free-text notes, which staff
#: write and which may mention people. The public view has none of them.
STAFF_ONLY_FIELDS = tuple(f.name for f in fields.ORGANISATION_FIELDS if f.staff_only)

#: Columns of :meth:`geo.register.store.Store.schools`, in order.
SCHOOL_COLUMNS = school_columns()


def place_columns() -> tuple[str, ...]:
    """The columns of an education place people read (not the name key, not when made)."""
    return tuple(name for name in columns_of(fields.EDUCATION_PLACES)
                 if name not in ("importsleutel", "aangemaakt"))


#: Columns of :meth:`geo.register.places.EducationPlaces.all` (and of
#: :meth:`~geo.register.store.Store.mbo_locations`), in order.
PLACE_COLUMNS = place_columns()

# ------------------------------------------------------------------------------ steps
# Frozen: a step describes the schema as it was made at that version.

_PRECISION_CHECK = "nauwkeurigheid IN (" + ", ".join(f"'{p}'" for p in PRECISIONS) + ")"
_KINDS_OF_V1 = ("aannemer", "ingenieursbureau", "netbeheerder", "overheid", "onderwijs",
                "overig")
_KIND_CHECK_OF_V1 = "soort IN (" + ", ".join(f"'{s}'" for s in _KINDS_OF_V1) + ")"

_ORGANISATIONS_V1 = """CREATE TABLE {name} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        naam TEXT NOT NULL CHECK (length(trim(naam)) > 0),
        soort TEXT NOT NULL DEFAULT 'overig'{kind_check},
        soort_origineel TEXT NOT NULL DEFAULT '',
        donateur INTEGER NOT NULL DEFAULT 0 CHECK (donateur IN (0, 1)),
        actief INTEGER NOT NULL DEFAULT 1 CHECK (actief IN (0, 1)),
        straat TEXT NOT NULL DEFAULT '',
        postcode TEXT NOT NULL DEFAULT '',
        plaats TEXT NOT NULL DEFAULT '',
        land TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        notities TEXT NOT NULL DEFAULT '',
        contactpersoon TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        telefoon TEXT NOT NULL DEFAULT '',
        ambassadeur_voor TEXT,
        lat REAL CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90)),
        lon REAL CHECK (lon IS NULL OR (lon BETWEEN -180 AND 180)),
        nauwkeurigheid TEXT NOT NULL DEFAULT 'geen' CHECK ({precision_check}),
        gemeentecode TEXT,
        gemeentenaam TEXT,
        subregio TEXT,
        arbeidsmarktregio_code TEXT,
        arbeidsmarktregio TEXT,
        aangemaakt TEXT NOT NULL,
        gewijzigd TEXT NOT NULL{more}
    )"""

_V1 = [
    _ORGANISATIONS_V1.format(name="organisaties", kind_check=f" CHECK ({_KIND_CHECK_OF_V1})",
                             precision_check=_PRECISION_CHECK, more=""),
    f"""CREATE TABLE scholen (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        vestigingscode TEXT NOT NULL DEFAULT '',
        naam TEXT NOT NULL CHECK (length(trim(naam)) > 0),
        straat TEXT NOT NULL DEFAULT '',
        postcode TEXT NOT NULL DEFAULT '',
        plaats TEXT NOT NULL DEFAULT '',
        gemeentecode TEXT,
        gemeentenaam TEXT,
        subregio TEXT,
        arbeidsmarktregio_code TEXT,
        arbeidsmarktregio TEXT,
        onderwijsstructuur TEXT NOT NULL DEFAULT '',
        heeft_vmbo INTEGER NOT NULL DEFAULT 0 CHECK (heeft_vmbo IN (0, 1)),
        heeft_vmbo_bk INTEGER NOT NULL DEFAULT 0,
        heeft_vmbo_tl_mavo INTEGER NOT NULL DEFAULT 0,
        heeft_havo INTEGER NOT NULL DEFAULT 0,
        heeft_vwo INTEGER NOT NULL DEFAULT 0,
        heeft_pro INTEGER NOT NULL DEFAULT 0,
        lat REAL,
        lon REAL,
        nauwkeurigheid TEXT NOT NULL DEFAULT 'geen' CHECK ({_PRECISION_CHECK}),
        bron TEXT NOT NULL DEFAULT 'gebruiker' CHECK (bron IN ('duo', 'gebruiker')),
        aangemaakt TEXT NOT NULL,
        gewijzigd TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX scholen_vestigingscode ON scholen (vestigingscode) "
    "WHERE vestigingscode <> ''",
    f"""CREATE TABLE mbo_locaties (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        naam TEXT NOT NULL,
        instelling TEXT NOT NULL DEFAULT '',
        straat TEXT NOT NULL DEFAULT '',
        postcode TEXT NOT NULL DEFAULT '',
        plaats TEXT NOT NULL DEFAULT '',
        lat REAL,
        lon REAL,
        nauwkeurigheid TEXT NOT NULL DEFAULT 'geen' CHECK ({_PRECISION_CHECK}),
        gemeentecode TEXT,
        gemeentenaam TEXT
    )""",
    """CREATE TABLE historie (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        wanneer TEXT NOT NULL,
        gebruiker TEXT NOT NULL,
        tabel TEXT NOT NULL,
        record_id INTEGER NOT NULL,
        veld TEXT NOT NULL,
        oud TEXT,
        nieuw TEXT
    )""",
    "CREATE INDEX historie_record ON historie (tabel, record_id)",
]


def _public_view(columns: tuple[str, ...]) -> str:
    return f"CREATE VIEW {PUBLIC_VIEW} AS SELECT {', '.join(columns)} FROM organisaties"


# The columns version 2 added to organisaties (name, definition).
_ORGANISATION_COLUMNS_OF_V2 = (
    ("versie", "INTEGER NOT NULL DEFAULT 1"),
    ("status", "TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'waarschuwing', 'fout'))"),
    ("melding", "TEXT NOT NULL DEFAULT ''"),
    ("voorbeeld", "INTEGER NOT NULL DEFAULT 0 CHECK (voorbeeld IN (0, 1))"),
    ("importsleutel", "TEXT NOT NULL DEFAULT ''"),
)

_PUBLIC_COLUMNS_OF_V3 = (
    "id", "naam", "soort", "soort_origineel", "donateur", "actief", "straat", "postcode",
    "plaats", "land", "website", "ambassadeur_voor", "lat", "lon", "nauwkeurigheid",
    "gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code", "arbeidsmarktregio",
    "voorbeeld", "versie", "status", "melding", "importsleutel", "aangemaakt", "gewijzigd",
)

_V2 = [
    *(f"ALTER TABLE organisaties ADD COLUMN {name} {definition}"
      for name, definition in _ORGANISATION_COLUMNS_OF_V2),
    "ALTER TABLE scholen ADD COLUMN versie INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE scholen ADD COLUMN importsleutel TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX organisaties_importsleutel ON organisaties (importsleutel)",
    "CREATE INDEX scholen_importsleutel ON scholen (importsleutel)",
    # The view as version 2 defined it (still with the notes); version 3 replaces it.
    _public_view((
        "id", "naam", "soort", "soort_origineel", "donateur", "actief", "straat", "postcode",
        "plaats", "land", "website", "notities", "ambassadeur_voor", "lat", "lon",
        "nauwkeurigheid", "gemeentecode", "gemeentenaam", "subregio",
        "arbeidsmarktregio_code", "arbeidsmarktregio", "voorbeeld", "versie", "status",
        "melding", "importsleutel", "aangemaakt", "gewijzigd",
    )),
]


def _migrate_v1(conn: sqlite3.Connection) -> None:
    """Base tables: organisations, schools, mbo places, history."""
    for statement in _V1:
        conn.execute(statement)


def _migrate_v2(conn: sqlite3.Connection) -> None:
    """Version, import verdict, example flag and name key; the public view."""
    for statement in _V2:
        conn.execute(statement)
    for table in ("organisaties", "scholen"):
        rows = conn.execute(f"SELECT id, naam FROM {table}").fetchall()
        conn.executemany(f"UPDATE {table} SET importsleutel = ? WHERE id = ?",
                         [(vocabulary.name_key(name), row_id) for row_id, name in rows])


def _migrate_v3(conn: sqlite3.Connection) -> None:
    """The public view without the staff-written notes (they may mention people)."""
    conn.execute(f"DROP VIEW {PUBLIC_VIEW}")
    conn.execute(_public_view(_PUBLIC_COLUMNS_OF_V3))


#: How the importer before schema 4 echoed an invalid e-mail address into ``melding``.
_OLD_EMAIL_NOTE = re.compile(r"E-mail: '.*?' lijkt geen geldig e-mailadres\.", re.DOTALL)


def _without_echoed_email(text: str | None) -> str | None:
    """``text`` with old invalid-e-mail notes (that quoted the address) rewritten."""
    if not text or "lijkt geen geldig e-mailadres" not in text:
        return text
    return _OLD_EMAIL_NOTE.sub(INVALID_EMAIL_NOTE, text)


def _migrate_v4(conn: sqlite3.Connection) -> None:
    """History rows know the version they made; no personal data outlives its record.

    * ``historie.versie``: the record's version after the change, so an import applied
      after a preview can say which fields someone else changed since.
    * Import messages that quoted an invalid e-mail address (public ``melding``) are
      rewritten without it, in the register and in the history.
    * Organisations deleted before this version get the erasure that deleting does now.
    """
    conn.execute("ALTER TABLE historie ADD COLUMN versie INTEGER")
    for table, column in (("organisaties", "melding"), ("historie", "oud"),
                          ("historie", "nieuw")):
        rows = conn.execute(
            f"SELECT id, {column} FROM {table} "
            f"WHERE {column} LIKE '%lijkt geen geldig e-mailadres%'"
        ).fetchall()
        conn.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?",
                         [(_without_echoed_email(text), row_id) for row_id, text in rows])
    deleted = [r[0] for r in conn.execute(
        "SELECT DISTINCT record_id FROM historie WHERE tabel = 'organisaties' "
        "AND veld = '(verwijderd)' AND record_id NOT IN (SELECT id FROM organisaties) "
        "ORDER BY record_id"
    ).fetchall()]
    for record_id in deleted:
        erased = erase_history(conn, "organisaties", record_id)
        conn.execute(
            "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw) "
            "VALUES (?, '(schema-upgrade)', 'organisaties', ?, ?, '', ?)",
            (now(), record_id, ERASURE_FIELD, erasure_text(erased)),
        )


def _migrate_v5(conn: sqlite3.Connection) -> None:
    """The kinds are checked by triggers that follow the registry, not by a ``CHECK``.

    SQLite cannot change a ``CHECK``, so ``organisaties`` is rebuilt once without the
    list of kinds (same columns, same rows, same ids; deleted ids are never reused).
    :func:`sync_registry_objects` then adds the triggers and the public view.
    """
    columns = [r[1] for r in conn.execute("PRAGMA table_info(organisaties)")]
    sequence = conn.execute(
        "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'organisaties'"
    ).fetchone()[0]
    conn.execute(f"DROP VIEW IF EXISTS {PUBLIC_VIEW}")
    more = "".join(f",\n        {name} {definition}"
                   for name, definition in _ORGANISATION_COLUMNS_OF_V2)
    conn.execute(_ORGANISATIONS_V1.format(name="organisaties_v5", kind_check="",
                                          precision_check=_PRECISION_CHECK, more=more))
    listed = ", ".join(columns)
    conn.execute(f"INSERT INTO organisaties_v5 ({listed}) SELECT {listed} FROM organisaties")
    conn.execute("DROP TABLE organisaties")
    conn.execute("ALTER TABLE organisaties_v5 RENAME TO organisaties")
    conn.execute("CREATE INDEX organisaties_importsleutel ON organisaties (importsleutel)")
    highest = conn.execute("SELECT coalesce(max(id), 0) FROM organisaties").fetchone()[0]
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'organisaties'")
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('organisaties', ?)",
                 (max(int(sequence), int(highest)),))


# The columns version 6 added to the mbo places (name, definition).
_PLACE_COLUMNS_OF_V6 = (
    ("soort", "TEXT NOT NULL DEFAULT 'mbo_infra'"),
    ("actief", "INTEGER NOT NULL DEFAULT 1 CHECK (actief IN (0, 1))"),
    ("bron", "TEXT NOT NULL DEFAULT 'meegeleverd'"),
    ("melding", "TEXT NOT NULL DEFAULT ''"),
    ("versie", "INTEGER NOT NULL DEFAULT 1"),
    ("importsleutel", "TEXT NOT NULL DEFAULT ''"),
    ("aangemaakt", "TEXT NOT NULL DEFAULT ''"),
    ("gewijzigd", "TEXT NOT NULL DEFAULT ''"),
)

_PLACE_LEVEL_NOTE_OF_V6 = ("Meegeleverd bestand: alleen de plaats is bekend. Vul het exacte "
                           "adres in (Beheer → Opleidingslocaties of 'infrakaart mbo zet').")


def _migrate_v6(conn: sqlite3.Connection) -> None:
    """The mbo places become education places the team manages.

    ``mbo_locaties`` is renamed ``opleidingslocaties`` (same rows, same ids) and gets a
    kind (all ``mbo_infra``), an active flag, a source (all ``meegeleverd``: until now
    only the bundled file could fill it), a note, a version, a name key and time stamps.
    A place located by its place name only says so in its note.
    """
    conn.execute("ALTER TABLE mbo_locaties RENAME TO opleidingslocaties")
    for name, definition in _PLACE_COLUMNS_OF_V6:
        conn.execute(f"ALTER TABLE opleidingslocaties ADD COLUMN {name} {definition}")
    stamp = now()
    rows = conn.execute("SELECT id, naam, nauwkeurigheid FROM opleidingslocaties").fetchall()
    conn.executemany(
        "UPDATE opleidingslocaties SET importsleutel = ?, melding = ?, aangemaakt = ?, "
        "gewijzigd = ? WHERE id = ?",
        [(vocabulary.name_key(name), _PLACE_LEVEL_NOTE_OF_V6 if precision == "plaats" else "",
          stamp, stamp, row_id) for row_id, name, precision in rows])
    conn.execute("CREATE INDEX opleidingslocaties_importsleutel "
                 "ON opleidingslocaties (importsleutel)")


#: Ordered schema migrations; step ``i`` brings a database from version ``i`` to ``i+1``.
#: Step 7: server-side login sessions; step 8: remembered column mappings; step 9:
#: activities; step 10: inflow (each module's ``create_table``/``create_tables``).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_v1, _migrate_v2, _migrate_v3, _migrate_v4, _migrate_v5, _migrate_v6,
    sessions.create_table, column_mappings.create_table, activity_tables.create_tables,
    inflow.create_table,
)

#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMN_DEFINITIONS = {
    fields.YES_NO: "INTEGER NOT NULL DEFAULT {default} CHECK ({name} IN (0, 1))",
    fields.NUMBER: "REAL",
    fields.INTEGER: "INTEGER",
}


def add_column(conn: sqlite3.Connection, table: str, name: str) -> None:
    """Add the column of registry field ``name`` to ``table`` (for a migration step).

    Text becomes ``TEXT NOT NULL DEFAULT ''`` (``TEXT`` when the field is nullable), a
    yes/no field an ``INTEGER`` 0/1 with its default, a coordinate ``REAL``.

    Examples
    --------
    A migration step for a new organisation field ``linkedin``::

        def _migrate_v6(conn):
            \"\"\"The LinkedIn page of an organisation.\"\"\"
            add_column(conn, "organisaties", "linkedin")
    """
    item = next(f for f in fields.fields_of(table) if f.name == name)
    if item.type in _COLUMN_DEFINITIONS:
        definition = _COLUMN_DEFINITIONS[item.type].format(default=int(bool(item.default)),
                                                           name=name)
    else:
        definition = "TEXT" if item.nullable else "TEXT NOT NULL DEFAULT ''"
    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open database (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, *, target: int | None = None) -> int:
    """Bring a database to schema version ``target`` (default: the newest).

    Runs inside the caller's transaction; the caller commits or rolls back. At the
    newest version the objects derived from the registry are brought up to date too
    (:func:`sync_registry_objects`).

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection, already inside a transaction.
    target : int, optional
        The version to reach; the newest when omitted.

    Returns
    -------
    int
        The version the database had before.

    Raises
    ------
    StoreError
        When the database is newer than this code understands.
    """
    newest = len(MIGRATIONS)
    target = newest if target is None else target
    current = schema_version(conn)
    if current > newest:
        raise StoreError(
            f"Deze database heeft schemaversie {current}, nieuwer dan deze versie van "
            f"Infrakaart begrijpt ({newest}). Werk Infrakaart bij."
        )
    for version in range(current, target):
        log.info("Migrating register schema %d -> %d", version, version + 1)
        MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    if target == newest:
        sync_registry_objects(conn)
    return current


# ------------------------------------------------------------------------------ derived


def kind_triggers() -> dict[str, str]:
    """Name → SQL of the triggers that refuse a kind :mod:`geo.fields` does not know."""
    return registry_objects.kind_triggers(ORGANISATIONS, fields.kind_codes(),
                                          "onbekende soort organisatie")


def sync_registry_objects(conn: sqlite3.Connection) -> None:
    """Make the public views and the kind triggers match the registry; no-op when they do.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection at the newest schema version, inside a transaction.
    """
    registry_objects.sync_view(conn, PUBLIC_VIEW, ORGANISATIONS,
                               organisation_columns(include_personal=False))
    registry_objects.sync_triggers(conn, ORGANISATIONS, kind_triggers())
    activity_tables.sync_objects(conn)
