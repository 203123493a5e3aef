"""The register: an embedded SQLite database of organisations, schools and education places.

:class:`Store` is the one way in: it opens (creates, upgrades, seeds) the database and
reads and writes it. The parts behind it, each in its own module:

* :mod:`geo.register.schema` — tables, migrations, the public view and the kind check,
  both derived from the field registry :mod:`geo.fields`;
* :mod:`geo.register._database` — the connection, transactions, Dutch errors;
* :mod:`geo.register._records` — cleaning a record, one validator per field type;
* :mod:`geo.register.writes` — writing one row with its history (and the ambassador
  check: only the board may change ``ambassadeur_voor``);
* :mod:`geo.register.imports` — applying a reviewed import, with conflicts;
* :mod:`geo.register.places` — placing an education place at an address or by hand;
* :mod:`geo.register.activities` — the activities (``store.activities``) and their
  partners; their tables in :mod:`geo.register.activity_tables`;
* :mod:`geo.register.history` — the edit history, and erasure when an organisation is
  deleted;
* :mod:`geo.register.sessions` — server-side login sessions (:meth:`Store.sessions`);
* :mod:`geo.register.column_mappings` — import headers remembered with their field
  (``store.column_mappings``);
* :mod:`geo.register.inflow` — inflow into mbo infra per school year (``store.inflow``);
* :mod:`geo.register.seed` and :mod:`geo.register.examples` — the data a register
  starts with.

Privacy
    Everything public (:meth:`Store.organisations` with ``include_personal=False``, public
    exports) reads from the view ``organisaties_publiek``, which has no staff-only
    columns, so personal data cannot leak by forgetting to drop a column.

Helpers for the importer
    :func:`geo.vocabulary.name_key` (the ``importsleutel`` stored with every organisation and
    school), :meth:`Store.find_by_key` (likely duplicates by key and postcode) and
    :meth:`Store.apply_import` (one transaction for a reviewed import).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from geo import auth, fields, vocabulary
from geo.addresses import parse_postcode
from geo.auth.sessions import SessionPolicy
from geo.errors import StoreError
from geo.reference.data import Reference, shared_per_reference
from geo.reference.gazetteer import Gazetteer
from geo.register import backup, history, imports, schema
from geo.register._database import Database, store_error
from geo.register.activities import Activities
from geo.register.column_mappings import ColumnMappings
from geo.register.inflow import InflowRegister
from geo.register.places import EducationPlaces
from geo.register.schema import (  # noqa: F401 - the store's column contract, re-exported
    ORGANISATION_COLUMNS,
    PERSONAL_FIELDS,
    PLACE_COLUMNS,
    SCHEMA_VERSION,
    SCHOOL_COLUMNS,
    STAFF_ONLY_FIELDS,
)
from geo.register.seed import seed
from geo.register.sessions import SessionStore
from geo.register.writes import RowWriter

log = logging.getLogger(__name__)

def _shared_gazetteer(reference: Reference) -> Gazetteer:
    """One read-only Gazetteer per loaded Reference (building one takes about a second)."""
    return shared_per_reference(reference, Gazetteer)


def _same_postcode(a: str, b: str) -> bool:
    """Same postcode: full postcodes when both have letters, else the four digits."""
    pa, pb = parse_postcode(a), parse_postcode(b)
    if pa is None or pb is None:
        return vocabulary.fold_text(a) == vocabulary.fold_text(b) and bool(vocabulary.fold_text(a))
    if pa.letters and pb.letters:
        return pa.pc6 == pb.pc6
    return pa.pc4 == pb.pc4


class Store:
    """The register in one SQLite file.

    Opening creates the file (and its folders) when missing, upgrades the schema in place
    and seeds the DUO schools and the mbo places into empty tables; a file that is not a
    database or has a newer schema raises :class:`StoreError` (Dutch). One instance may be
    shared between threads (a lock serialises calls); two instances on one file are two
    connections, serialised by SQLite.

    Parameters
    ----------
    path : str or Path
        The SQLite file.
    reference : Reference
        The loaded reference data: schools to seed, areas to derive.
    gazetteer : Gazetteer, optional
        Offline place index, built from ``reference`` when first needed.
    busy_timeout_s : float
        How long a write waits for another connection's transaction before giving up.
    backup_dir : Path, optional
        Folder of the copy made before a schema upgrade (default: ``backups`` beside it).
    """

    def __init__(self, path: str | Path, reference: Reference, *,
                 gazetteer: Gazetteer | None = None, busy_timeout_s: float = 30.0,
                 backup_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.reference = reference
        self._gazetteer = gazetteer
        self._db = Database(self.path, busy_timeout_s=busy_timeout_s)
        self._rows = RowWriter(self._db, reference)
        #: The education places (mbo infra and the rest of the chain).
        self.places = EducationPlaces(self._db, self._rows)
        #: Import headers remembered with the field each stands for.
        self.column_mappings = ColumnMappings(self._db)
        #: The activities (guest lessons, information evenings, …) and their partners.
        self.activities = Activities(self._db, self._rows, reference)
        self.inflow = InflowRegister(self._db)  # inflow per school year, with its imports
        try:
            with self._db.transaction():
                backup.backup_before_upgrade(self._conn, self.path, backup_dir)
                before = schema.apply_migrations(self._conn)
                seed(self._conn, reference, lambda: self.gazetteer)
        except sqlite3.Error as err:
            self._db.close()
            raise store_error(err, self.path) from err
        except BaseException:
            self._db.close()
            raise
        if before != schema.SCHEMA_VERSION:
            log.info("Register %s at schema %d (was %d)", self.path, schema.SCHEMA_VERSION,
                     before)

    # -- plumbing ---------------------------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._db.connection

    @property
    def _lock(self) -> threading.RLock:
        return self._db.lock

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            return schema.schema_version(self._conn)

    def sessions(self, policy: SessionPolicy) -> SessionStore:
        """The login sessions kept in this register (see :mod:`geo.register.sessions`)."""
        return SessionStore(self._db, policy)

    @property
    def gazetteer(self) -> Gazetteer:
        """The offline place index (built on first use, shared per reference)."""
        if self._gazetteer is None:
            self._gazetteer = _shared_gazetteer(self.reference)
        return self._gazetteer

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing block of writes (``BEGIN IMMEDIATE``; nested: a savepoint).

        Yields this store; raises :class:`StoreError` when another connection keeps the
        database locked beyond the time-out.
        """
        with self._db.transaction():
            yield self

    # -- reading ----------------------------------------------------------------------

    def organisations(self, *, include_personal: bool = False) -> pd.DataFrame:
        """All organisations, sorted by name, in the columns of :mod:`geo.fields`.

        Without ``include_personal`` (staff only) the rows are read from the view
        ``organisaties_publiek``, which has no staff-only columns at all. Yes/no columns
        are bool, ``id`` and ``versie`` int, ``lat``/``lon`` float (NaN when not placed);
        ``ambassadeur_voor`` and the area columns may be None.
        """
        columns = schema.organisation_columns(include_personal=include_personal)
        source = "organisaties" if include_personal else schema.PUBLIC_VIEW
        return self._db.frame(
            f"SELECT {', '.join(columns)} FROM {source} ORDER BY naam COLLATE NOCASE, id")

    def organisation_count(self, *, examples: bool | None = None) -> int:
        """Number of organisations; only example rows (True) or only real rows (False)."""
        return self._db.count(fields.ORGANISATIONS, examples=examples)

    def get_organisation(self, org_id: int, *, include_personal: bool = False) -> dict:
        """One organisation as a dict (bools as bool, ``lat``/``lon`` None when unplaced).

        Raises
        ------
        StoreError
            When no organisation has this id.
        """
        columns = schema.organisation_columns(include_personal=include_personal)
        table = "organisaties" if include_personal else schema.PUBLIC_VIEW
        record = self._db.row(table, org_id, columns)
        if record is None:
            raise StoreError(f"Organisatie {org_id} bestaat niet (meer).")
        return record

    def find_by_key(self, key: str, postcode: str | None = None, *,
                    include_personal: bool = False) -> list[dict]:
        """Organisations whose name key matches (likely duplicates), lowest id first.

        ``key`` is a :func:`geo.vocabulary.name_key` (a raw name is normalised too); with a
        ``postcode`` only those at the same postcode (PC6 when both have letters, else PC4).
        """
        with self._lock:
            ids = [r[0] for r in self._db.execute(
                "SELECT id FROM organisaties WHERE importsleutel = ? ORDER BY id",
                (vocabulary.name_key(key),)).fetchall()]
        found = [self.get_organisation(i, include_personal=include_personal) for i in ids]
        if postcode is not None and str(postcode).strip():
            found = [f for f in found if _same_postcode(f["postcode"], str(postcode))]
        return found

    def schools(self) -> pd.DataFrame:
        """All schools (DUO and user-added), sorted by name: the columns of the registry."""
        return self._db.frame(f"SELECT {', '.join(schema.school_columns())} FROM scholen "
                              "ORDER BY naam COLLATE NOCASE, id")

    def get_school(self, school_id: int) -> dict:
        """One school as a dict; StoreError when the id is unknown."""
        record = self._db.row("scholen", school_id, schema.school_columns())
        if record is None:
            raise StoreError(f"School {school_id} bestaat niet (meer).")
        return record

    def mbo_locations(self) -> pd.DataFrame:
        """The travel analysis's destinations: :meth:`EducationPlaces.destinations`."""
        return self.places.destinations()

    def history(self, org_id: int | None = None, *, table: str = "organisaties"
                ) -> pd.DataFrame:
        """The edit history (of record ``org_id`` of ``table``), newest first.

        :data:`~geo.register.history.HISTORY_COLUMNS`; personal fields show a placeholder.
        """
        return self._db.frame(*history.history_query(org_id, table))

    # -- writing ----------------------------------------------------------------------

    def save_organisation(self, record: dict, *, user: str,
                          expected_version: int | None = None,
                          role: str | None = None) -> int:
        """Insert or update an organisation and record the change in the history.

        Parameters
        ----------
        record : dict
            Settable fields of :data:`geo.fields.ORGANISATION_FIELDS`, cleaned as
            :func:`geo.register._records.clean_record` says. Without ``"id"`` a new
            organisation is inserted (``naam`` required); with ``"id"`` only the given
            fields change. Derived and managed keys are ignored, others refused.
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
        return self._rows.save(fields.ORGANISATIONS, record, user=user,
                               expected_version=expected_version, role=role)[0]

    def save_school(self, record: dict, *, user: str,
                    expected_version: int | None = None) -> int:
        """Insert (as ``bron = "gebruiker"``) or update a school; returns its id.

        As :meth:`save_organisation`, with the fields of :data:`geo.fields.SCHOOL_FIELDS`.
        """
        return self._rows.save(fields.SCHOOLS, record, user=user,
                               expected_version=expected_version)[0]

    def set_ambassador(self, org_id: int, subregion: str | None, *, user: str,
                       role: str, expected_version: int | None = None) -> None:
        """Make an organisation ambassador for a subregion, or none (``None``).

        Several organisations may share a subregion; the board decides. Only a role
        with ``geo.auth.can(role, "ambassadeurs_markeren")`` may (else an
        :class:`~geo.errors.AuthError` and nothing saved). With ``expected_version``
        only if the row still has that ``versie`` (else a ConflictError, nothing saved).
        """
        auth.require(role, "ambassadeurs_markeren")
        self._rows.save(fields.ORGANISATIONS, {"id": org_id, "ambassadeur_voor": subregion},
                        user=user, expected_version=expected_version, role=role)

    def delete_organisation(self, org_id: int, *, user: str) -> None:
        """Delete an organisation and erase its personal data from the history.

        In the same transaction the history of the organisation loses every staff-only
        and ``melding`` value and every value that contains its contact data (right to
        erasure, see :mod:`geo.register.history`). Who changed which field when stays.
        Activities it had taken part in lose it, each with a history entry (PartnerLinks).

        Raises
        ------
        StoreError
            When no organisation has this id.
        """
        self._rows.delete(fields.ORGANISATIONS, org_id, user=user)
        self._db.checkpoint()

    def delete_example_data(self, *, user: str) -> int:
        """Remove every example activity, inflow row, then organisation; how many of these."""
        with self._db.transaction():
            self.activities.delete_examples(user=user)
            self.inflow.delete_examples()
            with self._lock:
                ids = [r[0] for r in self._db.execute(
                    "SELECT id FROM organisaties WHERE voorbeeld = 1").fetchall()]
            for org_id in ids:
                self._rows.delete(fields.ORGANISATIONS, org_id, user=user)
        self._db.checkpoint()
        return len(ids)

    def apply_import(self, records: list[dict], *, user: str, kind: str = "partners",
                     role: str | None = None) -> dict:
        """Write a reviewed import in one transaction; report what changed since the review.

        Rows changed, deleted or added by someone else since the preview are not written
        but returned as conflicts (see :mod:`geo.register.imports`); the rest is.

        Parameters
        ----------
        records : list of dict
            Organisation (``kind="partners"``) or school records (``kind="scholen"``) as
            for :meth:`save_organisation`. A record with ``"id"`` updates that row (never
            inserts); with ``"versie"`` only if the row still has that version. ``"rij"``
            (the spreadsheet row) is used in messages only.
        user, role
            As for :meth:`save_organisation`.

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
        return imports.apply_import(self._rows, records, user=user, kind=kind, role=role)
