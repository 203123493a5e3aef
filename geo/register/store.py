"""The register: an embedded SQLite database of organisations, schools and mbo places.

One SQLite file holds

``organisaties``
    Partners and donors, with the personal contact fields ``contactpersoon``, ``email``
    and ``telefoon`` (:data:`PERSONAL_FIELDS`), a version number for optimistic locking
    and the areas derived from the location.
``organisaties_publiek``
    A SQL view of ``organisaties`` *without* the personal columns. Everything public
    (:meth:`Store.organisations` with ``include_personal=False``, public exports) reads
    from this view, so personal data cannot leak by forgetting to drop a column.
``scholen``
    The 270 DUO secondary-school locations (seeded when the database is created,
    ``bron = "duo"``) and schools added by users (``bron = "gebruiker"``).
``mbo_locaties``
    The two mbo infra places, placed at town level (``nauwkeurigheid = "plaats"``).
``historie``
    The edit history: when, who, which table/record/field, old → new.

Schema and upgrades
    The schema version is kept in ``PRAGMA user_version``; :data:`MIGRATIONS` is an
    ordered list of steps, applied in place inside one transaction when a database is
    opened. Steps only add (tables, columns, views, indexes) and never drop user data.

Transactions
    Every write runs in a transaction. :meth:`Store.transaction` starts it with
    ``BEGIN IMMEDIATE``, so two imports on two connections are serialised: the second
    waits up to the busy time-out and then gets a Dutch :class:`~geo.errors.StoreError`.
    Nested use (a save inside an import) becomes a savepoint, so every call is
    all-or-nothing on its own and inside the outer transaction.

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

Imports and concurrency (decision)
    :meth:`Store.apply_import` looks up duplicates and writes in one ``BEGIN IMMEDIATE``
    transaction. Records carry the ``versie`` seen in the preview; a row changed,
    deleted or added by someone else since then is not written but returned as an
    :class:`ImportConflict` (field names and login names, no values), and the rest of
    the import is applied — a user expects the good rows in and a list of rows to look
    at again, not an all-or-nothing refusal for one colleague's edit.

Files
    The database is created with mode 0600 in a folder created with mode 0700
    (:mod:`geo.private_files`); SQLite gives its ``-wal`` and ``-shm`` files the mode
    of the database. Errors opening, migrating or writing (folder is a file, no rights,
    full disk, not a database) become a Dutch :class:`~geo.errors.StoreError`, and a
    failed write leaves the register as it was.

Ambassadors are the board's decision (role check)
    Any write that changes ``ambassadeur_voor`` — :meth:`Store.set_ambassador`,
    :meth:`Store.save_organisation`, :meth:`Store.apply_import` — needs the writer's
    ``role`` and is refused with an :class:`~geo.errors.AuthError` unless
    ``geo.auth.can(role, "ambassadeurs_markeren")``. Without a role such a change is
    refused (fail closed); writes that leave the field as it is need no role. The pages
    check first; this is the check no caller can skip. The command line passes
    :data:`geo.auth.LOCAL_ADMIN_ROLE`.

Helpers for the importer
    :func:`name_key` (the ``importsleutel`` stored with every organisation and school),
    :meth:`Store.find_by_key` (likely duplicates by key and postcode),
    :func:`normalise_soort`, :meth:`Store.apply_import` (one all-or-nothing transaction
    for a reviewed import) and the ``importsleutel``/``status``/``melding`` columns that
    :meth:`Store.organisations` returns after the contract columns.
"""

from __future__ import annotations

import errno
import logging
import math
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geo import auth
from geo.addresses import parse_postcode, place_key
from geo.errors import ConflictError, StoreError
from geo.private_files import create_private_file, restrict_sqlite_files
from geo.reference.data import Reference
from geo.reference.gazetteer import PRECISIONS, Gazetteer
from geo.reference.regions import assign_areas
from geo.register.import_conflicts import ImportConflict

log = logging.getLogger(__name__)

#: The normalised kinds of organisation.
SOORTEN = ("aannemer", "ingenieursbureau", "netbeheerder", "overheid", "onderwijs", "overig")

#: Dutch labels of :data:`SOORTEN`, for people.
SOORT_LABELS = {
    "aannemer": "Aannemer",
    "ingenieursbureau": "Ingenieursbureau",
    "netbeheerder": "Netbeheerder",
    "overheid": "Overheid",
    "onderwijs": "Onderwijs",
    "overig": "Overig",
}

#: Import verdicts stored with each organisation.
STATUSES = ("ok", "waarschuwing", "fout")

#: Columns holding personal data (GDPR); only staff may see them.
PERSONAL_FIELDS = ("contactpersoon", "email", "telefoon")

#: Columns only staff read: the personal fields plus the free-text notes, which staff
#: write and which may mention people. The public view has none of them.
STAFF_ONLY_FIELDS = (*PERSONAL_FIELDS, "notities")

#: What the history stores instead of the value of a personal field.
PERSONAL_PLACEHOLDER = "(persoonsgegeven)"

#: What replaces a value in the history of a deleted organisation (right to erasure).
ERASED_PLACEHOLDER = "(gewist)"

#: History fields whose values are erased when their organisation is deleted: the
#: staff-only fields and the import message (older versions could echo contact data).
ERASED_HISTORY_FIELDS = (*STAFF_ONLY_FIELDS, "melding")

#: The history entry that says an organisation's personal data were erased.
ERASURE_FIELD = "(persoonsgegevens gewist)"


#: Columns of :meth:`Store.organisations`, in order (the shared contract).
ORGANISATION_COLUMNS = (
    "id", "naam", "soort", "soort_origineel", "donateur", "actief", "straat", "postcode",
    "plaats", "land", "website", "ambassadeur_voor", "lat", "lon",
    "nauwkeurigheid", "gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code",
    "arbeidsmarktregio", "voorbeeld", "versie",
)

#: Extra columns returned after :data:`ORGANISATION_COLUMNS` (no personal data).
ORGANISATION_EXTRA_COLUMNS = ("status", "melding", "importsleutel", "aangemaakt", "gewijzigd")

#: Columns of :meth:`Store.schools`, in order (the shared contract).
SCHOOL_COLUMNS = (
    "id", "vestigingscode", "naam", "straat", "postcode", "plaats", "gemeentecode",
    "gemeentenaam", "subregio", "arbeidsmarktregio_code", "arbeidsmarktregio",
    "onderwijsstructuur", "heeft_vmbo", "lat", "lon", "nauwkeurigheid", "bron",
)

#: Extra columns returned after :data:`SCHOOL_COLUMNS`.
SCHOOL_EXTRA_COLUMNS = (
    "heeft_vmbo_bk", "heeft_vmbo_tl_mavo", "heeft_havo", "heeft_vwo", "heeft_pro", "versie",
    "importsleutel",
)

#: Columns of :meth:`Store.mbo_locations`, in order (the shared contract).
MBO_COLUMNS = (
    "id", "naam", "instelling", "straat", "postcode", "plaats", "lat", "lon",
    "nauwkeurigheid", "gemeentecode", "gemeentenaam",
)

#: Columns of :meth:`Store.history`, in order.
HISTORY_COLUMNS = ("wanneer", "gebruiker", "tabel", "record_id", "veld", "oud", "nieuw")

#: Fields of an organisation a caller may set (the rest is derived or managed).
ORGANISATION_FIELDS = (
    "naam", "soort", "soort_origineel", "donateur", "actief", "straat", "postcode", "plaats",
    "land", "website", "notities", "contactpersoon", "email", "telefoon", "ambassadeur_voor",
    "lat", "lon", "nauwkeurigheid", "status", "melding", "voorbeeld",
)

#: Fields of a school a caller may set.
SCHOOL_FIELDS = (
    "vestigingscode", "naam", "straat", "postcode", "plaats", "onderwijsstructuur",
    "heeft_vmbo", "heeft_vmbo_bk", "heeft_vmbo_tl_mavo", "heeft_havo", "heeft_vwo",
    "heeft_pro", "lat", "lon", "nauwkeurigheid",
)

#: Keys accepted in a record but ignored: derived or managed by the store.
_MANAGED_FIELDS = frozenset({
    "id", "versie", "importsleutel", "aangemaakt", "gewijzigd", "gemeentecode",
    "gemeentenaam", "subregio", "arbeidsmarktregio_code", "arbeidsmarktregio", "bron",
    "rij",  # the spreadsheet row an import record came from (named in conflicts)
})

_AREA_FIELDS = ("gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code",
                "arbeidsmarktregio")
_BOOL_FIELDS = frozenset({
    "donateur", "actief", "voorbeeld", "heeft_vmbo", "heeft_vmbo_bk", "heeft_vmbo_tl_mavo",
    "heeft_havo", "heeft_vwo", "heeft_pro",
})
_NULLABLE_TEXT = frozenset({"ambassadeur_voor"})
_NOT_IN_HISTORY = frozenset({"soort"})  # follows soort_origineel; recorded as its own field

_TABLE_LABEL = {"organisaties": "organisatie", "scholen": "school"}

# ---------------------------------------------------------------------------------------
# Normalisation helpers (pure)
# ---------------------------------------------------------------------------------------


def _fold(text: object) -> str:
    """Casefold, strip accents, turn everything but letters and digits into spaces."""
    value = unicodedata.normalize("NFKD", str(text or "")).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("&", " en ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", value).split())


# Order matters: the first kind whose pattern matches wins. "Gemeentelijk
# ingenieursbureau" is government, "ROC" is education, "drinkwater" a utility.
_SOORT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (soort, re.compile(pattern))
    for soort, pattern in (
        ("netbeheerder", r"netbeheer|\bnetwerkbedrijf|\bliander|\balliander|\bstedin\b"
                         r"|\benexis|\btennet\b|\bgasunie\b|\bpwn\b|\bwaternet\b|drinkwater"
                         r"|\bwaterbedrijf|\bwaterleiding|\bnutsbedrijf|\bnuts\b"),
        ("overheid", r"\bgemeente|\bprovincie|\bprovinciaal|\bwaterschap|hoogheemraadschap"
                     r"|\brijkswaterstaat|\brws\b|\boverheid|\bministerie|\bomgevingsdienst"
                     r"|\bveiligheidsregio|\bprorail\b|\brijk\b"),
        ("onderwijs", r"\bschool|school\b|scholen|\broc\b|\bmbo\b|\bhbo\b|\bvmbo\b|\bvo\b"
                      r"|onderwijs|\bhogeschool|\buniversiteit|\bopleiding|\bcollege\b"
                      r"|\bpraktijkcollege|\bvakschool"),
        ("ingenieursbureau", r"ingenieur|adviesbureau|\badvies|\badviseur|consultan"
                             r"|engineering|\bingenieurs?\b|\bprojectbureau"),
        ("aannemer", r"aannem|\bgww\b|wegenbouw|\bwegenbouwer|grondverzet|grondwerk"
                     r"|\bbouwbedrijf|\binfra\b|\binfrabedrijf|\bciviel|\bcivieltechn"
                     r"|bestrating|\bstratenmaker|\bsloop|\bbagger|\bleidingbouw"
                     r"|\bkabel|\bcunet|\bbouw\b|\bfunder|\bheiwerk|\bwaterbouw|\bspoorbouw"),
    )
)


def normalise_soort(text: object) -> str:
    """Map a kind of organisation as offices write it to one of :data:`SOORTEN`.

    Parameters
    ----------
    text : object
        Free text such as ``"GWW-aannemer"``, ``"Wegenbouwer"``, ``"adviesbureau"``,
        ``"Gemeente"``, ``"ROC"`` or ``"Liander"``; case, accents and punctuation are
        ignored.

    Returns
    -------
    str
        One of :data:`SOORTEN`; ``"overig"`` when nothing is recognised or empty.

    Examples
    --------
    >>> normalise_soort("GWW-aannemer"), normalise_soort("Rijkswaterstaat")
    ('aannemer', 'overheid')
    >>> normalise_soort("drinkwaterbedrijf PWN"), normalise_soort("")
    ('netbeheerder', 'overig')
    """
    folded = _fold(text)
    if folded in SOORTEN:
        return folded
    for soort, pattern in _SOORT_PATTERNS:
        if pattern.search(folded):
            return soort
    return "overig"


#: Legal forms and suffixes left out of a name key (after dots are removed).
LEGAL_FORMS = frozenset({
    "bv", "nv", "vof", "cv", "holding", "ltd", "gmbh", "bvba", "sarl", "inc", "llc",
    "eenmanszaak", "stichting", "vereniging",
})

_DOTTED_FORM_RE = re.compile(r"\b([a-z])\s?\.\s?([a-z])\s?\.?(?:\s?([a-z])\s?\.?)?(?=\s|$)")


def name_key(naam: object) -> str:
    """Normalise an organisation name for matching (the ``importsleutel``).

    Case, accents, punctuation and legal forms (B.V., BV, N.V., V.O.F., C.V., Holding,
    Stichting …) are ignored; ``&`` counts as ``en``.

    Parameters
    ----------
    naam : object
        An organisation name as typed.

    Returns
    -------
    str
        The key; names consisting only of a legal form keep it, so the key of a
        non-empty name is never empty.

    Examples
    --------
    >>> name_key("Beta Infra B.V.") == name_key("Beta Infra BV") == name_key("beta infra")
    True
    >>> name_key("Bèta-Infra v.o.f.")
    'beta infra'
    """
    value = unicodedata.normalize("NFKD", str(naam or "")).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    # "b.v." / "b. v." / "v.o.f" → "bv" / "vof" before punctuation becomes spaces.
    value = _DOTTED_FORM_RE.sub(lambda m: " " + "".join(g for g in m.groups() if g) + " ",
                                value)
    tokens = _fold(value).split()
    kept = [t for t in tokens if t not in LEGAL_FORMS]
    return " ".join(kept or tokens)


def _postcode_text(value: object) -> str:
    """``"1703 AB"`` for a Dutch postcode in any spelling; other text unchanged."""
    text = " ".join(str(value or "").split())
    parsed = parse_postcode(text)
    return str(parsed) if parsed is not None else text


def _same_postcode(a: str, b: str) -> bool:
    pa, pb = parse_postcode(a), parse_postcode(b)
    if pa is None or pb is None:
        return _fold(a) == _fold(b) and bool(_fold(a))
    if pa.letters and pb.letters:
        return pa.pc6 == pb.pc6
    return pa.pc4 == pb.pc4


_TRUE = {"1", "true", "ja", "j", "yes", "y", "x", "waar", "wel"}
_FALSE = {"", "0", "false", "nee", "n", "no", "onwaar", "niet", "none", "nan"}


def _to_bool(value: object, field: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise StoreError(f"Veld '{field}': '{value}' is geen ja/nee-waarde.")


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _history_text(field: str, value: object) -> str:
    if field in PERSONAL_FIELDS:
        return PERSONAL_PLACEHOLDER if not _is_missing(value) and str(value) != "" else ""
    if _is_missing(value):
        return ""
    if isinstance(value, bool) or field in _BOOL_FIELDS:
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


# ---------------------------------------------------------------------------------------
# Schema and migrations
# ---------------------------------------------------------------------------------------

_PRECISION_CHECK = "nauwkeurigheid IN (" + ", ".join(f"'{p}'" for p in PRECISIONS) + ")"
_SOORT_CHECK = "soort IN (" + ", ".join(f"'{s}'" for s in SOORTEN) + ")"

_V1 = [
    f"""CREATE TABLE organisaties (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        naam TEXT NOT NULL CHECK (length(trim(naam)) > 0),
        soort TEXT NOT NULL DEFAULT 'overig' CHECK ({_SOORT_CHECK}),
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
        nauwkeurigheid TEXT NOT NULL DEFAULT 'geen' CHECK ({_PRECISION_CHECK}),
        gemeentecode TEXT,
        gemeentenaam TEXT,
        subregio TEXT,
        arbeidsmarktregio_code TEXT,
        arbeidsmarktregio TEXT,
        aangemaakt TEXT NOT NULL,
        gewijzigd TEXT NOT NULL
    )""",
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
    return "CREATE VIEW organisaties_publiek AS SELECT " + ", ".join(columns) + " FROM organisaties"


_V2 = [
    "ALTER TABLE organisaties ADD COLUMN versie INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE organisaties ADD COLUMN status TEXT NOT NULL DEFAULT 'ok' "
    "CHECK (status IN ('ok', 'waarschuwing', 'fout'))",
    "ALTER TABLE organisaties ADD COLUMN melding TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE organisaties ADD COLUMN voorbeeld INTEGER NOT NULL DEFAULT 0 "
    "CHECK (voorbeeld IN (0, 1))",
    "ALTER TABLE organisaties ADD COLUMN importsleutel TEXT NOT NULL DEFAULT ''",
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
        conn.executemany(
            f"UPDATE {table} SET importsleutel = ? WHERE id = ?",
            [(name_key(naam), row_id) for row_id, naam in rows],
        )


#: Ordered schema migrations; step ``i`` brings a database from version ``i`` to ``i+1``.
def _migrate_v3(conn: sqlite3.Connection) -> None:
    """The public view without the staff-written notes (they may mention people)."""
    conn.execute("DROP VIEW organisaties_publiek")
    conn.execute(_public_view(ORGANISATION_COLUMNS + ORGANISATION_EXTRA_COLUMNS))


#: How the importer before schema 4 echoed an invalid e-mail address into ``melding``.
_OLD_EMAIL_NOTE = re.compile(r"E-mail: '.*?' lijkt geen geldig e-mailadres\.", re.DOTALL)

#: What the importer says instead (no value: ``melding`` is public).
INVALID_EMAIL_NOTE = "E-mail: ongeldig e-mailadres; controleer de e-mailkolom van deze rij."


def _without_echoed_email(text: str | None) -> str | None:
    """``text`` with old invalid-e-mail notes (that quoted the address) rewritten."""
    if not text or "lijkt geen geldig e-mailadres" not in text:
        return text
    return _OLD_EMAIL_NOTE.sub(INVALID_EMAIL_NOTE, text)


def _erase_history(conn: sqlite3.Connection, table: str, record_id: int,
                   personal_values: Iterable[object] = ()) -> int:
    """Erase personal data from the history of one record; returns how many values.

    Values of :data:`ERASED_HISTORY_FIELDS` become :data:`ERASED_PLACEHOLDER`, and so
    does any value that contains one of ``personal_values`` (the record's contact
    person, e-mail address and phone number). Empty values and placeholders stay.
    """
    needles = [str(v).strip().casefold() for v in personal_values
               if not _is_missing(v) and len(str(v).strip()) >= 3]
    rows = conn.execute(
        "SELECT id, veld, oud, nieuw FROM historie WHERE tabel = ? AND record_id = ?",
        (table, int(record_id)),
    ).fetchall()
    erased = 0
    for history_id, field, *values in rows:
        cleaned = []
        for value in values:
            if (value is None or value in ("", PERSONAL_PLACEHOLDER, ERASED_PLACEHOLDER)
                    or not (field in ERASED_HISTORY_FIELDS
                            or any(n in str(value).casefold() for n in needles))):
                cleaned.append(value)
            else:
                cleaned.append(ERASED_PLACEHOLDER)
                erased += 1
        if cleaned != values:
            conn.execute("UPDATE historie SET oud = ?, nieuw = ? WHERE id = ?",
                         (*cleaned, history_id))
    return erased


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
        erased = _erase_history(conn, "organisaties", record_id)
        conn.execute(
            "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw) "
            "VALUES (?, '(schema-upgrade)', 'organisaties', ?, ?, '', ?)",
            (_now(), record_id, ERASURE_FIELD, _erasure_text(erased)),
        )


def _erasure_text(erased: int) -> str:
    return (f"persoonsgegevens gewist (verwijderd); {erased} waarde(n) in de historie "
            "vervangen door '(gewist)'")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_v1, _migrate_v2, _migrate_v3, _migrate_v4,
)

#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open database (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, *, target: int | None = None) -> int:
    """Bring a database to schema version ``target`` (default: the newest).

    Runs inside the caller's transaction; the caller commits or rolls back.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection, already inside a transaction.
    target : int, optional
        The version to reach; :data:`SCHEMA_VERSION` when omitted.

    Returns
    -------
    int
        The version the database had before.

    Raises
    ------
    StoreError
        When the database is newer than this code understands.
    """
    target = SCHEMA_VERSION if target is None else target
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"Deze database heeft schemaversie {current}, nieuwer dan deze versie van "
            f"Infrakaart begrijpt ({SCHEMA_VERSION}). Werk Infrakaart bij."
        )
    for version in range(current, target):
        log.info("Migrating register schema %d -> %d", version, version + 1)
        MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    return current


def _duo_place(name: object) -> str:
    """``"HOORN NH"`` → ``"Hoorn"``, ``"IJMUIDEN"`` → ``"IJmuiden"``."""
    text = re.sub(r"\s+NH$", "", str(name or "").strip(), flags=re.IGNORECASE)
    text = text.title().replace("'S-", "'s-")
    return re.sub(r"\bIj", "IJ", text)


_BUSY_MESSAGE = (
    "De database is bezet door een andere bewerking (bijvoorbeeld een import door een "
    "collega). Probeer het over een minuut opnieuw."
)


def _store_error(err: sqlite3.Error, path: Path | None = None) -> StoreError:
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


# ---------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------


_GAZETTEERS: dict[int, tuple[Reference, Gazetteer]] = {}
_GAZETTEER_LOCK = threading.Lock()


def _shared_gazetteer(reference: Reference) -> Gazetteer:
    """One read-only Gazetteer per loaded Reference (building one takes about a second)."""
    with _GAZETTEER_LOCK:
        entry = _GAZETTEERS.get(id(reference))
        if entry is None or entry[0] is not reference:
            entry = (reference, Gazetteer(reference))
            _GAZETTEERS[id(reference)] = entry
        return entry[1]


class Store:
    """The register in one SQLite file.

    Opening creates the file (and its folders) when it does not exist, upgrades the
    schema in place and seeds the DUO schools and the mbo places into empty tables.
    One instance may be shared between threads (calls are serialised by a lock); two
    instances on the same file are two real connections, serialised by SQLite.

    Parameters
    ----------
    path : str or Path
        The SQLite file.
    reference : Reference
        The loaded reference data: schools to seed, areas to derive.
    gazetteer : Gazetteer, optional
        Offline place index, built from ``reference`` when first needed.
    busy_timeout_s : float
        How long a write waits for another connection's transaction before giving up
        with a :class:`~geo.errors.StoreError`.

    Raises
    ------
    StoreError
        When the file is not a database or has a newer schema.
    """

    def __init__(
        self,
        path: str | Path,
        reference: Reference,
        *,
        gazetteer: Gazetteer | None = None,
        busy_timeout_s: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.reference = reference
        self._gazetteer = gazetteer
        self._lock = threading.RLock()
        self._depth = 0
        # The folder (0700) and an empty file (0600) first: SQLite would create the file
        # world-readable, and gives its -wal and -shm files the mode of the database.
        _prepare_database_file(self.path)
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as err:
            raise _store_error(err, self.path) from err
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted and overwritten content is zeroed in the file, so erased personal
            # data do not linger in free pages (some SQLite builds do this by default).
            self._conn.execute("PRAGMA secure_delete = ON")
            with self.transaction():
                before = apply_migrations(self._conn)
                self._seed()
        except sqlite3.Error as err:
            self._conn.close()
            raise _store_error(err, self.path) from err
        except BaseException:
            self._conn.close()
            raise
        if before != SCHEMA_VERSION:
            log.info("Register %s at schema %d (was %d)", self.path, SCHEMA_VERSION, before)

    # -- plumbing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            return schema_version(self._conn)

    @property
    def gazetteer(self) -> Gazetteer:
        """The offline place index (built on first use, shared per reference)."""
        if self._gazetteer is None:
            self._gazetteer = _shared_gazetteer(self.reference)
        return self._gazetteer

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing block of writes.

        The outermost block starts with ``BEGIN IMMEDIATE``: it takes the write lock at
        once, so a second connection's transaction waits (up to the busy time-out)
        instead of interleaving. Nested blocks are savepoints. Any exception rolls the
        block back and is re-raised.

        Yields
        ------
        Store
            This store.

        Raises
        ------
        StoreError
            When another connection keeps the database locked beyond the time-out.
        """
        with self._lock:
            if self._depth:
                name = f"sp{self._depth}"
                self._execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield self
                except BaseException:
                    # After a full disk SQLite may have rolled back the whole
                    # transaction already; the outermost block reports the error.
                    if self._conn.in_transaction:
                        try:
                            self._conn.execute(f"ROLLBACK TO {name}")
                            self._conn.execute(f"RELEASE {name}")
                        except sqlite3.Error:
                            log.warning("Could not roll back savepoint %s", name,
                                        exc_info=True)
                    raise
                else:
                    self._execute(f"RELEASE {name}")
                finally:
                    self._depth -= 1
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise _store_error(err, self.path) from err
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._rollback()
                raise
            else:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error as err:
                    self._rollback()
                    raise _store_error(err, self.path) from err
            finally:
                self._depth = 0

    def _rollback(self) -> None:
        """Roll back the open transaction, if SQLite has not done so already."""
        if not self._conn.in_transaction:
            return
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:  # the original error is what the caller needs to see
            log.warning("Rollback of %s failed", self.path, exc_info=True)

    def _execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, tuple(params))
        except sqlite3.Error as err:
            raise _store_error(err, self.path) from err

    def _frame(self, sql: str, params: Iterable[object] = ()) -> pd.DataFrame:
        with self._lock:
            cursor = self._execute(sql, params)
            columns = [d[0] for d in cursor.description]
            rows = [tuple(r) for r in cursor.fetchall()]
        # dtype=object keeps SQL NULL as None in text columns (not NaN).
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        for column in frame.columns:
            if column in _BOOL_FIELDS:
                frame[column] = frame[column].astype(bool)
            elif column in ("id", "versie", "record_id"):
                frame[column] = frame[column].astype("int64")
            elif column in ("lat", "lon"):
                frame[column] = frame[column].astype(float)
        return frame

    def _row(self, table: str, row_id: int, columns: Iterable[str]) -> dict | None:
        with self._lock:
            row = self._execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE id = ?", (int(row_id),)
            ).fetchone()
        if row is None:
            return None
        record = dict(row)
        for key in record:
            if key in _BOOL_FIELDS:
                record[key] = bool(record[key])
        return record

    def _areas(self, lon: list[float], lat: list[float]) -> list[dict]:
        """Derived areas for many points at once (None for missing points)."""
        if not lon:
            return []
        frame = assign_areas(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float),
                             self.reference)
        out = []
        for (_, row), x, y in zip(frame.iterrows(), lon, lat, strict=True):
            if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
                out.append(dict.fromkeys(_AREA_FIELDS))
            else:
                out.append({f: (None if _is_missing(row[f]) else str(row[f]))
                            for f in _AREA_FIELDS})
        return out

    def _history(self, user: str, table: str, record_id: int, field: str,
                 old: object, new: object, *, version: int | None = None) -> None:
        """One history entry; ``version`` is the record's ``versie`` after the change."""
        self._execute(
            "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw, "
            "versie) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), user, table, int(record_id), field, old, new, version),
        )

    # -- seeding ----------------------------------------------------------------------

    def _seed(self) -> None:
        count = self._conn.execute("SELECT count(*) FROM scholen WHERE bron = 'duo'")
        if count.fetchone()[0] == 0:
            self._seed_schools()
        if self._conn.execute("SELECT count(*) FROM mbo_locaties").fetchone()[0] == 0:
            self._seed_mbo()

    def _seed_schools(self) -> None:
        ref = self.reference
        scholen = ref.scholen
        regions = ref.gemeenten.set_index("gemeentecode")
        sub = ref.default_division.subregion_of()
        now = _now()
        rows = []
        for s in scholen.itertuples(index=False):
            code = s.gemeentecode_duo
            parts = [s.straatnaam, s.huisnummer_toevoeging]
            straat = " ".join(" ".join(str(p) for p in parts if not _is_missing(p)).split())
            rows.append((
                s.vestigingscode, s.vestigingsnaam, straat, _postcode_text(s.postcode),
                _duo_place(s.plaatsnaam), code, regions.at[code, "gemeentenaam"],
                sub.get(code), regions.at[code, "arbeidsmarktregio_code"],
                regions.at[code, "arbeidsmarktregio"],
                "" if _is_missing(s.onderwijsstructuur) else str(s.onderwijsstructuur),
                int(s.heeft_vmbo), int(s.heeft_vmbo_bk), int(s.heeft_vmbo_tl_mavo),
                int(s.heeft_havo), int(s.heeft_vwo), int(s.heeft_pro),
                float(s.lat), float(s.lon), "postcode4", "duo", now, now,
                name_key(s.vestigingsnaam),
            ))
        self._conn.executemany(
            "INSERT INTO scholen (vestigingscode, naam, straat, postcode, plaats, "
            "gemeentecode, gemeentenaam, subregio, arbeidsmarktregio_code, arbeidsmarktregio,"
            " onderwijsstructuur, heeft_vmbo, heeft_vmbo_bk, heeft_vmbo_tl_mavo, heeft_havo,"
            " heeft_vwo, heeft_pro, lat, lon, nauwkeurigheid, bron, aangemaakt, gewijzigd,"
            " importsleutel) VALUES (" + ", ".join("?" * 24) + ")",
            rows,
        )
        log.info("Seeded %d DUO school locations", len(rows))

    def _seed_mbo(self) -> None:
        rows = []
        for m in self.reference.mbo.itertuples(index=False):
            found = self.gazetteer.place(m.plaats) if m.plaats else None
            if found is None and m.postcode:
                found = self.gazetteer.postcode(m.postcode)
            lat = found.lat if found else None
            lon = found.lon if found else None
            areas = self._areas([lon if lon is not None else math.nan],
                                [lat if lat is not None else math.nan])[0]
            rows.append((m.naam, m.instelling, m.straat_huisnummer,
                         _postcode_text(m.postcode), m.plaats, lat, lon,
                         found.precision if found else "geen",
                         areas["gemeentecode"], areas["gemeentenaam"]))
        self._conn.executemany(
            "INSERT INTO mbo_locaties (naam, instelling, straat, postcode, plaats, lat, lon, "
            "nauwkeurigheid, gemeentecode, gemeentenaam) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- reading ----------------------------------------------------------------------

    def organisations(self, *, include_personal: bool = False) -> pd.DataFrame:
        """All organisations, sorted by name.

        Parameters
        ----------
        include_personal : bool
            Add ``contactpersoon``, ``email``, ``telefoon`` and ``notities`` (staff only).
            Without it the rows are read from the view ``organisaties_publiek``, which
            has none of these columns at all.

        Returns
        -------
        pandas.DataFrame
            :data:`ORGANISATION_COLUMNS`, then :data:`ORGANISATION_EXTRA_COLUMNS`, then
            (staff only) :data:`STAFF_ONLY_FIELDS`. ``donateur``, ``actief`` and
            ``voorbeeld`` are bool, ``versie`` int, ``lat``/``lon`` float (NaN when not
            placed); ``ambassadeur_voor`` and the area columns may be None.
        """
        columns = list(ORGANISATION_COLUMNS + ORGANISATION_EXTRA_COLUMNS)
        source = "organisaties_publiek"
        if include_personal:
            columns += STAFF_ONLY_FIELDS
            source = "organisaties"
        return self._frame(
            f"SELECT {', '.join(columns)} FROM {source} ORDER BY naam COLLATE NOCASE, id"
        )

    def organisation_count(self, *, voorbeeld: bool | None = None) -> int:
        """Number of organisations; only example rows (True) or only real rows (False)."""
        sql = "SELECT count(*) FROM organisaties"
        params: tuple = ()
        if voorbeeld is not None:
            sql += " WHERE voorbeeld = ?"
            params = (int(voorbeeld),)
        with self._lock:
            return int(self._execute(sql, params).fetchone()[0])

    def has_real_data(self) -> bool:
        """True when the register holds at least one organisation that is not an example."""
        return self.organisation_count(voorbeeld=False) > 0

    def has_example_data(self) -> bool:
        """True when example organisations (``voorbeeld``) are present."""
        return self.organisation_count(voorbeeld=True) > 0

    def get_organisation(self, org_id: int, *, include_personal: bool = False) -> dict:
        """One organisation as a dict (bools as bool, ``lat``/``lon`` None when unplaced).

        Raises
        ------
        StoreError
            When no organisation has this id.
        """
        columns = ORGANISATION_COLUMNS + ORGANISATION_EXTRA_COLUMNS
        if include_personal:
            columns += STAFF_ONLY_FIELDS
        table = "organisaties" if include_personal else "organisaties_publiek"
        record = self._row(table, org_id, columns)
        if record is None:
            raise StoreError(f"Organisatie {org_id} bestaat niet (meer).")
        return record

    def find_by_key(
        self,
        importsleutel: str,
        postcode: str | None = None,
        *,
        include_personal: bool = False,
    ) -> list[dict]:
        """Organisations whose name key matches: likely duplicates for the importer.

        Parameters
        ----------
        importsleutel : str
            A key made with :func:`name_key` (a raw name is normalised too).
        postcode : str, optional
            When given, only organisations at the same postcode (full postcodes compared
            when both have letters, else the four digits).
        include_personal : bool
            Include the personal fields (staff only).

        Returns
        -------
        list of dict
            As :meth:`get_organisation`, lowest id first.
        """
        key = name_key(importsleutel)
        with self._lock:
            ids = [r[0] for r in self._execute(
                "SELECT id FROM organisaties WHERE importsleutel = ? ORDER BY id", (key,)
            ).fetchall()]
        found = [self.get_organisation(i, include_personal=include_personal) for i in ids]
        if postcode is not None and str(postcode).strip():
            found = [f for f in found if _same_postcode(f["postcode"], str(postcode))]
        return found

    def schools(self) -> pd.DataFrame:
        """All schools (DUO and user-added), sorted by name.

        Returns
        -------
        pandas.DataFrame
            :data:`SCHOOL_COLUMNS`, then :data:`SCHOOL_EXTRA_COLUMNS`.
        """
        columns = SCHOOL_COLUMNS + SCHOOL_EXTRA_COLUMNS
        return self._frame(
            f"SELECT {', '.join(columns)} FROM scholen ORDER BY naam COLLATE NOCASE, id"
        )

    def get_school(self, school_id: int) -> dict:
        """One school as a dict; StoreError when the id is unknown."""
        record = self._row("scholen", school_id, SCHOOL_COLUMNS + SCHOOL_EXTRA_COLUMNS)
        if record is None:
            raise StoreError(f"School {school_id} bestaat niet (meer).")
        return record

    def mbo_locations(self) -> pd.DataFrame:
        """The mbo infra places: :data:`MBO_COLUMNS`."""
        return self._frame(f"SELECT {', '.join(MBO_COLUMNS)} FROM mbo_locaties ORDER BY id")

    def history(self, org_id: int | None = None, *, table: str = "organisaties"
                ) -> pd.DataFrame:
        """The edit history, newest first.

        Parameters
        ----------
        org_id : int, optional
            Only the history of this record; everything when omitted.
        table : str
            The table ``org_id`` belongs to (``"organisaties"`` or ``"scholen"``).

        Returns
        -------
        pandas.DataFrame
            :data:`HISTORY_COLUMNS`. Personal fields show
            :data:`PERSONAL_PLACEHOLDER` instead of values.
        """
        sql = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM historie"
        params: tuple = ()
        if org_id is not None:
            sql += " WHERE tabel = ? AND record_id = ?"
            params = (table, int(org_id))
        return self._frame(sql + " ORDER BY id DESC", params)

    # -- writing ----------------------------------------------------------------------

    def _clean(self, table: str, record: dict, current: dict | None) -> dict:
        """Validate and normalise the caller's fields (no derived values yet)."""
        allowed = ORGANISATION_FIELDS if table == "organisaties" else SCHOOL_FIELDS
        unknown = sorted(k for k in record if k not in allowed and k not in _MANAGED_FIELDS)
        if unknown:
            raise StoreError(f"Onbekend(e) veld(en) voor een {_TABLE_LABEL[table]}: "
                             + ", ".join(map(str, unknown)))
        values: dict[str, object] = {}
        for key in allowed:
            if key not in record:
                continue
            value = record[key]
            if key in _BOOL_FIELDS:
                values[key] = _to_bool(value, key)
            elif key in ("lat", "lon"):
                values[key] = None if _is_missing(value) else value
            elif key in _NULLABLE_TEXT:
                text = "" if _is_missing(value) else str(value).strip()
                values[key] = text or None
            else:
                values[key] = "" if _is_missing(value) else str(value).strip()
        if "naam" in values or current is None:
            if not values.get("naam"):
                raise StoreError(f"Een {_TABLE_LABEL[table]} moet een naam hebben.")
        if "postcode" in values:
            values["postcode"] = _postcode_text(values["postcode"])
        if table == "organisaties":
            if "soort" in values:
                raw = str(values["soort"])
                values["soort"] = normalise_soort(raw)
                # Keep the original text unless a canonical kind was picked in a form.
                if "soort_origineel" not in values and (current is None or raw not in SOORTEN):
                    values["soort_origineel"] = raw
            elif current is None and values.get("soort_origineel"):
                values["soort"] = normalise_soort(values["soort_origineel"])
            if values.get("status", "ok") not in STATUSES:
                raise StoreError(f"Status '{values['status']}' is onbekend; kies uit "
                                 + ", ".join(STATUSES) + ".")
        if "nauwkeurigheid" in values and values["nauwkeurigheid"] not in PRECISIONS:
            raise StoreError(f"Nauwkeurigheid '{values['nauwkeurigheid']}' is onbekend; kies "
                             "uit " + ", ".join(PRECISIONS) + ".")
        # Location: both coordinates or neither; precision follows.
        if "lat" in values or "lon" in values:
            lat = values.get("lat", current.get("lat") if current else None)
            lon = values.get("lon", current.get("lon") if current else None)
            if (lat is None) != (lon is None):
                raise StoreError("Geef zowel breedtegraad (lat) als lengtegraad (lon) op.")
            if lat is not None:
                try:
                    lat, lon = float(lat), float(lon)
                except (TypeError, ValueError) as err:
                    raise StoreError("Coördinaten moeten getallen zijn.") from err
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise StoreError(f"Coördinaten buiten bereik: {lat}, {lon}.")
            values["lat"], values["lon"] = lat, lon
        lat = values.get("lat", current.get("lat") if current else None)
        precision = values.get("nauwkeurigheid",
                               current.get("nauwkeurigheid") if current else None)
        if lat is None:
            values["nauwkeurigheid"] = "geen"
        elif precision in (None, "geen"):
            if "nauwkeurigheid" in values and values["nauwkeurigheid"] == "geen":
                raise StoreError("Nauwkeurigheid 'geen' past niet bij opgegeven coördinaten.")
            values["nauwkeurigheid"] = "handmatig"
        return values

    def _save_row(
        self,
        table: str,
        record: dict,
        *,
        user: str,
        expected_version: int | None,
        areas: dict | None = None,
        bron: str = "gebruiker",
        role: str | None = None,
    ) -> tuple[int, str]:
        """Insert or update one row; returns (id, "nieuw"|"bijgewerkt"|"ongewijzigd")."""
        if not str(user or "").strip():
            raise StoreError("Wijzigingen moeten op naam van een gebruiker staan.")
        label = _TABLE_LABEL[table]
        columns = _all_columns(table)
        with self.transaction():
            row_id = record.get("id")
            current = None
            if not _is_missing(row_id):
                current = self._row(table, int(row_id), columns)
                if current is None:
                    raise StoreError(f"{label.capitalize()} {row_id} bestaat niet (meer); "
                                     "is die intussen verwijderd?")
                if expected_version is not None and current["versie"] != expected_version:
                    raise ConflictError(
                        f"{label.capitalize()} '{current['naam']}' is intussen door iemand "
                        f"anders gewijzigd (nu versie {current['versie']}, u bewerkte versie "
                        f"{expected_version}). Bekijk de nieuwe versie en voer uw wijziging "
                        "opnieuw in.",
                        current=current,
                    )
            values = self._clean(table, record, current)
            _check_ambassador_change(values, current, role)
            if "naam" in values:
                values["importsleutel"] = name_key(values["naam"])
            moved = current is None or any(
                k in values and values[k] != current.get(k) for k in ("lat", "lon"))
            if moved:
                if areas is None:
                    lat = values.get("lat")
                    lon = values.get("lon")
                    areas = self._areas([math.nan if lon is None else lon],
                                        [math.nan if lat is None else lat])[0]
                values.update(areas)
            now = _now()
            if current is None:
                values.update(aangemaakt=now, gewijzigd=now)
                if table == "scholen":
                    values["bron"] = bron
                keys = list(values)
                cursor = self._execute(
                    f"INSERT INTO {table} ({', '.join(keys)}) VALUES "
                    f"({', '.join('?' * len(keys))})",
                    [int(v) if isinstance(v, bool) else v for v in values.values()],
                )
                new_id = int(cursor.lastrowid)
                self._history(user, table, new_id, "(aangemaakt)", "", str(values["naam"]),
                              version=1)
                return new_id, "nieuw"
            changed = {
                k: v for k, v in values.items()
                if k in current and not _equal(current[k], v)
            }
            if not changed:
                return int(current["id"]), "ongewijzigd"
            sets = ", ".join(f"{k} = ?" for k in changed)
            params = [int(v) if isinstance(v, bool) else v for v in changed.values()]
            cursor = self._execute(
                f"UPDATE {table} SET {sets}, versie = versie + 1, gewijzigd = ? "
                "WHERE id = ? AND versie = ?",
                [*params, now, int(current["id"]), int(current["versie"])],
            )
            if cursor.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; be safe
                raise ConflictError(f"{label.capitalize()} is intussen gewijzigd.",
                                    current=self._row(table, int(current["id"]), columns))
            for key, value in changed.items():
                if key in _AREA_FIELDS or key in _NOT_IN_HISTORY or key == "importsleutel":
                    continue
                self._history(user, table, int(current["id"]), key,
                              _history_text(key, current[key]), _history_text(key, value),
                              version=int(current["versie"]) + 1)
            return int(current["id"]), "bijgewerkt"

    def _planned_changes(self, table: str, record: dict, current: dict) -> dict:
        """The fields ``record`` would change in ``current`` (validated; nothing written)."""
        values = self._clean(table, record, current)
        return {k: v for k, v in values.items()
                if k in current and not _equal(current[k], v)}

    def save_organisation(
        self, record: dict, *, user: str, expected_version: int | None = None,
        role: str | None = None,
    ) -> int:
        """Insert or update an organisation and record the change in the history.

        Parameters
        ----------
        record : dict
            Fields from :data:`ORGANISATION_FIELDS`. Without ``"id"`` a new organisation
            is inserted (``naam`` required); with ``"id"`` only the given fields of that
            organisation change. Derived and managed keys (areas, ``versie``,
            ``importsleutel``, timestamps) may be present and are ignored; any other key
            is an error. ``soort`` is normalised with :func:`normalise_soort`; the text
            as given is kept in ``soort_origineel``. Coordinates without a precision
            count as ``handmatig``; areas are derived from them with the bundled
            division. Text is stored verbatim (trimmed), HTML included.
        user : str
            Login name recorded in the history.
        expected_version : int, optional
            The ``versie`` the user edited. When the stored version differs the save is
            refused. None skips the check (imports, scripts).
        role : str, optional
            The writer's role; needed only to change ``ambassadeur_voor`` (board only).

        Returns
        -------
        int
            The id of the organisation.

        Raises
        ------
        ConflictError
            Someone saved a newer version; ``err.current`` holds it (with personal
            fields: only staff edit).
        AuthError
            The record changes ``ambassadeur_voor`` and ``role`` may not (nothing saved).
        StoreError
            Invalid values, unknown id, or the database is busy.
        """
        return self._save_row("organisaties", record, user=user,
                              expected_version=expected_version, role=role)[0]

    def save_school(
        self, record: dict, *, user: str, expected_version: int | None = None
    ) -> int:
        """Insert (as ``bron = "gebruiker"``) or update a school; see save_organisation.

        Parameters
        ----------
        record : dict
            Fields from :data:`SCHOOL_FIELDS`, with ``"id"`` to update.
        user : str
            Login name recorded in the history.
        expected_version : int, optional
            Optimistic locking as in :meth:`save_organisation`.

        Returns
        -------
        int
            The id of the school.
        """
        return self._save_row("scholen", record, user=user,
                              expected_version=expected_version)[0]

    def set_ambassador(
        self, org_id: int, subregio: str | None, *, user: str, role: str
    ) -> None:
        """Make an organisation ambassador for a subregion, or none (``None``).

        Several organisations may share a subregion; the board decides.

        Parameters
        ----------
        org_id : int
            The organisation.
        subregio : str or None
            The subregion it is ambassador for; None ends its ambassadorship.
        user : str
            Login name recorded in the history.
        role : str
            The writer's role; only ``geo.auth.can(role, "ambassadeurs_markeren")`` may.

        Raises
        ------
        AuthError
            When the role may not appoint ambassadors (nothing saved).
        StoreError
            Unknown id, or the database is busy.
        """
        auth.require(role, "ambassadeurs_markeren")
        self._save_row("organisaties", {"id": org_id, "ambassadeur_voor": subregio},
                       user=user, expected_version=None, role=role)

    def delete_organisation(self, org_id: int, *, user: str) -> None:
        """Delete an organisation and erase its personal data from the history.

        In the same transaction the history of the organisation loses every value of
        :data:`ERASED_HISTORY_FIELDS` and every value that contains its contact person,
        e-mail address or phone number (each becomes :data:`ERASED_PLACEHOLDER`: right
        to erasure). Who changed which field when stays, with a ``(verwijderd)`` entry
        and an :data:`ERASURE_FIELD` entry that says personal data were erased.

        Raises
        ------
        StoreError
            When no organisation has this id.
        """
        self._delete("organisaties", org_id, user=user)
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Move committed pages from the WAL into the database file and empty the WAL.

        After an erasure the old values would otherwise linger in the ``-wal`` file until
        SQLite's next automatic checkpoint. Best effort: a busy reader only delays it.
        """
        try:
            with self._lock:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            log.warning("WAL checkpoint after erasure postponed: %s", type(err).__name__)

    def delete_school(self, school_id: int, *, user: str) -> None:
        """Delete a school (history kept)."""
        self._delete("scholen", school_id, user=user)

    def _delete(self, table: str, row_id: int, *, user: str) -> None:
        if not str(user or "").strip():
            raise StoreError("Wijzigingen moeten op naam van een gebruiker staan.")
        personal = PERSONAL_FIELDS if table == "organisaties" else ()
        with self.transaction():
            row = self._row(table, row_id, ("id", "naam", "versie", *personal))
            if row is None:
                raise StoreError(f"{_TABLE_LABEL[table].capitalize()} {row_id} bestaat niet "
                                 "(meer).")
            self._execute(f"DELETE FROM {table} WHERE id = ?", (int(row_id),))
            version = int(row["versie"])
            if table == "organisaties":
                try:
                    erased = _erase_history(self._conn, table, int(row_id),
                                            [row[f] for f in personal])
                except sqlite3.Error as err:
                    raise _store_error(err, self.path) from err
            if table == "organisaties":
                self._history(user, table, int(row_id), ERASURE_FIELD, "",
                              _erasure_text(erased), version=version)
            self._history(user, table, int(row_id), "(verwijderd)", row["naam"], "",
                          version=version)

    def delete_example_data(self, *, user: str) -> int:
        """Remove every example organisation (``voorbeeld``); returns how many."""
        with self.transaction():
            with self._lock:
                ids = [r[0] for r in self._execute(
                    "SELECT id FROM organisaties WHERE voorbeeld = 1").fetchall()]
            for org_id in ids:
                self._delete("organisaties", org_id, user=user)
        self._checkpoint()
        return len(ids)

    def apply_import(
        self, records: list[dict], *, user: str, kind: str = "partners",
        role: str | None = None,
    ) -> dict:
        """Write a reviewed import in one transaction; report what changed since the review.

        The whole import runs in one ``BEGIN IMMEDIATE`` transaction, so the duplicate
        look-up and the write cannot interleave with another import: two imports of the
        same file at the same time give every organisation once.

        Conflicts are not written and are reported instead (the rest of the import is
        applied; a conflict never overwrites someone else's work):

        ``gewijzigd``
            A record with ``id`` and ``versie`` (the version seen in the preview) whose
            row has another version now and would change. When the row would not change
            it counts as ``ongewijzigd``.
        ``verwijderd``
            A record with ``id`` and ``versie`` whose row was deleted since the preview.
        ``bestaat_al``
            A record without ``id`` for which an organisation (school) with the same
            name key and postcode (as :mod:`geo.intake.importer` matches them; for schools also
            the same ``vestigingscode``) now exists and would change — it was added after
            the preview, e.g. by a simultaneous import. When it would not change, the
            record counts as ``ongewijzigd``. Example records (``voorbeeld``) only match
            example rows.

        Parameters
        ----------
        records : list of dict
            Organisation records (``kind="partners"``) or school records
            (``kind="scholen"``) as for :meth:`save_organisation` /
            :meth:`save_school`. A record with ``"id"`` updates that row (and never
            inserts); with ``"versie"`` as well only if the row still has that version.
            ``"rij"`` (the spreadsheet row) is used in messages only.
        user : str
            Login name recorded in the history.
        kind : {"partners", "scholen"}
            What the records are.
        role : str, optional
            The importer's role; needed only when records change ``ambassadeur_voor``
            (board only).

        Returns
        -------
        dict
            ``{"nieuw": int, "bijgewerkt": int, "ongewijzigd": int, "conflicten":
            list[ImportConflict], "ids": list[int]}``; ``ids`` in the order of
            ``records`` (for a conflict the id of the row it is about).

        Raises
        ------
        AuthError
            A record changes ``ambassadeur_voor`` and ``role`` may not; nothing is written.
        StoreError
            For the first invalid record (its position is named), a busy database or a
            full disk; nothing is written.
        """
        if kind not in ("partners", "scholen"):
            raise StoreError(f"Onbekende importsoort '{kind}'; kies partners of scholen.")
        if not str(user or "").strip():
            raise StoreError("Wijzigingen moeten op naam van een gebruiker staan.")
        table = "organisaties" if kind == "partners" else "scholen"
        # Derive all areas in one spatial join instead of one per record.
        lon = [_coordinate(r.get("lon")) for r in records]
        lat = [_coordinate(r.get("lat")) for r in records]
        areas = self._areas(lon, lat)
        counts = {"nieuw": 0, "bijgewerkt": 0, "ongewijzigd": 0}
        conflicts: list[ImportConflict] = []
        ids: list[int] = []
        with self.transaction():
            for pos, (record, area) in enumerate(zip(records, areas, strict=True), start=1):
                try:
                    row_id, outcome = self._import_one(table, record, area, user=user,
                                                       position=pos, role=role)
                except StoreError as err:
                    where = (f"Rij {record['rij']}" if not _is_missing(record.get("rij"))
                             else f"Record {pos}")
                    raise type(err)(f"{where} ({record.get('naam', '')}): {err}") from err
                if isinstance(outcome, ImportConflict):
                    conflicts.append(outcome)
                else:
                    counts[outcome] += 1
                ids.append(row_id)
        log.info("Import by %s: %s, %d conflict(s)", user, counts, len(conflicts))
        return {**counts, "conflicten": conflicts, "ids": ids}

    def _import_one(self, table: str, record: dict, area: dict, *, user: str,
                    position: int, role: str | None) -> tuple[int, str | ImportConflict]:
        """Apply one import record inside the import's transaction."""
        row_id = record.get("id")
        expected = record.get("versie")
        expected = None if _is_missing(expected) else int(expected)
        if _is_missing(row_id):
            match = self._import_match(table, record)
            if match is None:
                return self._save_row(table, record, user=user, expected_version=None,
                                      areas=area, role=role)
            current = self._row(table, match, _all_columns(table))
            changes = self._planned_changes(table, record, current)
            if not changes:
                return match, "ongewijzigd"
            creators = self._history_users(table, match, field="(aangemaakt)")
            return match, ImportConflict(
                position=position, row=_row_number(record), record_id=match,
                name=str(record.get("naam") or current["naam"]), reason="bestaat_al",
                fields=_field_order(changes), users=creators)
        row_id = int(row_id)
        if expected is None:
            return self._save_row(table, record, user=user, expected_version=None,
                                  areas=area, role=role)
        current = self._row(table, row_id, _all_columns(table))
        if current is None:
            return row_id, ImportConflict(
                position=position, row=_row_number(record), record_id=row_id,
                name=str(record.get("naam") or ""), reason="verwijderd", fields=(),
                users=self._history_users(table, row_id, field="(verwijderd)"))
        if int(current["versie"]) != expected:
            if not self._planned_changes(table, record, current):
                return row_id, "ongewijzigd"
            fields, users = self._changed_since(table, row_id, expected)
            return row_id, ImportConflict(
                position=position, row=_row_number(record), record_id=row_id,
                name=str(record.get("naam") or current["naam"]), reason="gewijzigd",
                fields=fields, users=users)
        return self._save_row(table, record, user=user, expected_version=expected,
                              areas=area, role=role)

    def _import_match(self, table: str, record: dict) -> int | None:
        """The id of the row an import record without ``id`` is the same as, or None.

        Same rule as the importer's preview: same name key and the same postcode (six
        or four characters), or the same place when neither has a postcode; schools
        also match on ``vestigingscode``.
        """
        naam = "" if _is_missing(record.get("naam")) else str(record["naam"]).strip()
        if not naam:
            return None
        with self._lock:
            if table == "scholen":
                code = str(record.get("vestigingscode") or "").strip().upper()
                if code:
                    found = self._execute(
                        "SELECT id FROM scholen WHERE upper(vestigingscode) = ? ORDER BY id",
                        (code,)).fetchone()
                    if found is not None:
                        return int(found[0])
            sql = f"SELECT id, postcode, plaats FROM {table} WHERE importsleutel = ?"
            if table == "organisaties" and _to_bool(record.get("voorbeeld", False),
                                                    "voorbeeld"):
                sql += " AND voorbeeld = 1"
            rows = self._execute(sql + " ORDER BY id", (name_key(naam),)).fetchall()
        wanted = _match_postcode(record.get("postcode"), record.get("plaats"))
        for row_id, postcode, plaats in rows:
            if _match_postcode(postcode, plaats) == wanted:
                return int(row_id)
        return None

    def _history_users(self, table: str, record_id: int, *, field: str) -> tuple[str, ...]:
        with self._lock:
            rows = self._execute(
                "SELECT gebruiker FROM historie WHERE tabel = ? AND record_id = ? AND veld = ?"
                " ORDER BY id", (table, int(record_id), field)).fetchall()
        return tuple(dict.fromkeys(r[0] for r in rows))

    def _changed_since(self, table: str, record_id: int, version: int
                       ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Fields changed and users who changed them after ``version`` (from the history)."""
        with self._lock:
            rows = self._execute(
                "SELECT veld, gebruiker FROM historie WHERE tabel = ? AND record_id = ? "
                "AND versie > ? ORDER BY id", (table, int(record_id), int(version))).fetchall()
        fields = _field_order({r[0]: None for r in rows if not r[0].startswith("(")})
        return fields, tuple(dict.fromkeys(r[1] for r in rows))


def _all_columns(table: str) -> tuple[str, ...]:
    """Every column a write to ``table`` compares (staff-only fields included)."""
    if table == "organisaties":
        return ORGANISATION_COLUMNS + ORGANISATION_EXTRA_COLUMNS + STAFF_ONLY_FIELDS
    return SCHOOL_COLUMNS + SCHOOL_EXTRA_COLUMNS


def _row_number(record: dict) -> int | None:
    value = record.get("rij")
    return None if _is_missing(value) else int(value)


def _field_order(fields: Iterable[str]) -> tuple[str, ...]:
    """Field names in the order of the forms (unknown names last, as given)."""
    order: dict[str, int] = {}
    for name in (*ORGANISATION_FIELDS, *SCHOOL_FIELDS):
        order.setdefault(name, len(order))
    names = list(dict.fromkeys(fields))
    return tuple(sorted(names, key=lambda f: order.get(f, len(order))))


def _match_postcode(postcode: object, plaats: object) -> str:
    """The importer's postcode key: ``1703AB``/``1703``, else ``plaats:<name>``, else ""."""
    text = "" if _is_missing(postcode) else str(postcode).strip()
    parsed = parse_postcode(text) if text else None
    if parsed is not None:
        return parsed.pc6 or parsed.pc4
    if text:
        return "?" + re.sub(r"\s+", "", text).casefold()
    place = "" if _is_missing(plaats) else place_key(plaats)
    return f"plaats:{place}" if place else ""


def _check_ambassador_change(values: dict, current: dict | None, role: str | None) -> None:
    """Refuse a change of ``ambassadeur_voor`` by a role that may not appoint ambassadors."""
    if "ambassadeur_voor" not in values:
        return
    before = current.get("ambassadeur_voor") if current else None
    if not _equal(before, values["ambassadeur_voor"]):
        auth.require(role, "ambassadeurs_markeren")


def _coordinate(value: object) -> float:
    if _is_missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _equal(old: object, new: object) -> bool:
    if _is_missing(old) and _is_missing(new):
        return True
    if isinstance(old, float) or isinstance(new, float):
        try:
            return abs(float(old) - float(new)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) == bool(new)
    return old == new


# ---------------------------------------------------------------------------------------
# Example data
# ---------------------------------------------------------------------------------------

#: Name of the example partner list inside ``<data_dir>/voorbeeld/``.
EXAMPLE_FILE = "partners_voorbeeld.csv"

#: Columns of the example list → organisation fields.
_EXAMPLE_COLUMNS = {
    "Organisatie": "naam", "Soort": "soort", "Donateur": "donateur", "Actief": "actief",
    "Adres": "straat", "Postcode": "postcode", "Plaats": "plaats",
    "Contactpersoon": "contactpersoon", "E-mail": "email", "Telefoon": "telefoon",
    "Website": "website", "Notities": "notities",
}


def example_data_path(reference: Reference) -> Path:
    """The bundled example partner list (``data/voorbeeld/partners_voorbeeld.csv``)."""
    return Path(reference.data_dir) / "voorbeeld" / EXAMPLE_FILE


def load_example_data(store: Store, *, user: str = "voorbeeld",
                      path: str | Path | None = None) -> dict:
    """Load the fictional example partners, geocoded offline, marked ``voorbeeld``.

    Loading twice updates the example rows instead of duplicating them (matched by
    name key among the example rows). Real organisations are never touched.

    Parameters
    ----------
    store : Store
        The register to fill.
    user : str
        Name recorded in the history.
    path : str or Path, optional
        The list to load; the bundled one when omitted.

    Returns
    -------
    dict
        As :meth:`Store.apply_import`.

    Raises
    ------
    StoreError
        When the file is missing or unreadable.
    """
    from geo.intake.geocoding import AddressQuery, OfflineGeocoder

    source = Path(path) if path else example_data_path(store.reference)
    try:
        frame = pd.read_csv(source, sep=";", dtype=str, encoding="utf-8-sig",
                            keep_default_na=False)
    except (OSError, ValueError) as err:
        raise StoreError(f"Voorbeeldbestand {source} is onleesbaar: {err}") from err
    missing = sorted(set(_EXAMPLE_COLUMNS) - set(frame.columns))
    if missing:
        raise StoreError(f"Voorbeeldbestand {source.name} mist kolom(men): "
                         + ", ".join(missing))
    existing = store.organisations()
    existing = existing[existing["voorbeeld"]]
    by_key = dict(zip(existing["importsleutel"], existing["id"], strict=True))
    geocoder = OfflineGeocoder(store.gazetteer)
    records = []
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row, strict=True))
        record = {field: values[column] for column, field in _EXAMPLE_COLUMNS.items()}
        record["actief"] = record["actief"] or "ja"
        result = geocoder.geocode(AddressQuery(straat=record["straat"],
                                               postcode=record["postcode"],
                                               plaats=record["plaats"]))
        location = result.location
        record.update(
            lat=location.lat if location else None,
            lon=location.lon if location else None,
            nauwkeurigheid=result.precision,
            status={"postcode4": "ok", "geen": "fout"}.get(result.precision, "waarschuwing"),
            melding=result.message,
            voorbeeld=True,
            land="Nederland",
        )
        key = name_key(record["naam"])
        if key in by_key:
            record["id"] = int(by_key[key])
        records.append(record)
    return store.apply_import(records, user=user)
