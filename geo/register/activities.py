"""Activities in the register: reading, saving, deleting, importing (``store.activities``).

:class:`Activities` is the store's part that keeps the activities
(:mod:`geo.activities` names their fields, kinds and statuses;
:mod:`geo.register.activity_tables` their tables). Every write goes through the store's
:class:`~geo.register.writes.RowWriter` like an organisation's: cleaned, refused when the
version the caller edited is no longer the stored one (:class:`~geo.errors.ConflictError`),
one version per change, one history entry per changed field, all in one ``BEGIN
IMMEDIATE`` transaction. The partner links (:mod:`geo.register.activity_partners`) are
part of the same write: a change of partners is one more history entry (field
``partners``, old and new names) and one more version.

Where an activity was (decision)
    At a school: the school is given by its DUO ``vestigingscode`` and must be in the
    register; the activity then takes the school's municipality and place (what is
    typed for them is overwritten). Elsewhere (a fair, an open day at a training centre):
    ``gemeentecode`` (any Dutch municipality, GMxxxx) and a free ``plaats``. An activity
    may have neither (a network meeting online); it then counts in no municipality.

Privacy
    :meth:`Activities.all` and :meth:`Activities.get` read from the view
    ``activiteiten_publiek`` unless staff data are asked for; ``notities`` and
    ``gastdocenten`` are never in messages, and the history keeps only that the guest
    teachers changed. Deleting an activity erases its staff-only values from the history.

Importing (decision)
    :meth:`Activities.apply_import` matches each record to a stored activity of the same
    kind, date and school (or municipality and place), one to one in id order, so
    importing the same planning sheet again updates instead of doubling, and two guest
    lessons at one school on one day stay two. Real rows never match example rows. Only
    the columns the sheet has are written; a new activity without a status is ``gegeven``
    when its date has passed, else ``gepland``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd

from geo import activities, auth
from geo.errors import StoreError, shown
from geo.reference.data import Reference
from geo.register._database import Database
from geo.register.activity_partners import PARTNERS_FIELD, PartnerLinks
from geo.register.activity_tables import (
    ACTIVITIES,
    PUBLIC_ACTIVITY_VIEW,
    activity_columns,
)
from geo.register.writes import NEW, UNCHANGED, UPDATED, RowWriter

#: Who may write activities: a form or a script, an import.
WRITE_ACTION, IMPORT_ACTION = "beheren", "importeren"

#: Dutch columns of :meth:`Activities.listing`; the last two only for staff.
LISTING_COLUMNS = ("Nr", "Datum", "Schooljaar", "Soort", "Status", "School", "Vestigingscode",
                   "Plaats", "Gemeente", "Partners", "Aantal leerlingen", "Voorbeeld")
STAFF_LISTING_COLUMNS = ("Gastdocenten", "Notities")


def match_records(stored: Iterable[dict], records: Sequence[dict]) -> list[int | None]:
    """The id in ``stored`` each record matches, or None: one to one, in the order given.

    A record matches a stored activity with the same :func:`geo.activities.import_key`
    (its date read first) and the same example flag (``voorbeeld``).
    """
    waiting: dict[tuple, list[int]] = {}
    for row in stored:
        key = (*activities.import_key(row), bool(row.get("voorbeeld")))
        waiting.setdefault(key, []).append(int(row["id"]))
    matches: list[int | None] = []
    for record in records:
        clean = dict(record)
        if clean.get("datum"):
            try:
                clean["datum"] = activities.parse_date(clean["datum"]).isoformat()
            except ValueError:
                pass  # the save names the row and the reason
        queue = waiting.get((*activities.import_key(clean), bool(record.get("voorbeeld"))), [])
        matches.append(queue.pop(0) if queue else None)
    return matches


class Activities:
    """The activities of the register (tables ``activiteiten`` and ``activiteit_partners``).

    Reached as ``store.activities`` (:class:`~geo.register.store.Store` is the one way in).

    Parameters
    ----------
    database : Database
        The register's connection.
    rows : RowWriter
        The store's row writer.
    reference : Reference
        For the municipalities (codes and names).
    """

    def __init__(self, database: Database, rows: RowWriter, reference: Reference) -> None:
        self._db = database
        self._rows = rows
        self._reference = reference
        #: The partner links (also unlinking an organisation that is deleted).
        self.partners = PartnerLinks(database, rows)

    # -- reading ------------------------------------------------------------------------

    def all(self, *, school_year: str | None = None, include_staff: bool = False,
            examples: bool | None = None) -> pd.DataFrame:
        """Activities by date: the columns of :data:`geo.activities.ACTIVITY_FIELDS`.

        Parameters
        ----------
        school_year : str, optional
            Only this school year (``"2024-2025"``, also written ``2024/2025``).
        include_staff : bool
            With ``notities`` and ``gastdocenten`` (staff only); without, the rows come
            from the view ``activiteiten_publiek``, which has no such column.
        examples : bool, optional
            Only example rows (True) or only real rows (False).

        Returns
        -------
        pandas.DataFrame
            ``aantal_leerlingen`` is a nullable integer (``Int64``), ``voorbeeld`` bool;
            plus ``partner_ids`` (tuple of organisation ids) and ``partners`` (their
            names, ``"; "`` between them, by name).
        """
        where, params = [], []
        if school_year is not None:
            where.append("schooljaar = ?")
            params.append(self._school_year(school_year))
        if examples is not None:
            where.append("voorbeeld = ?")
            params.append(int(examples))
        source = ACTIVITIES if include_staff else PUBLIC_ACTIVITY_VIEW
        frame = self._db.frame(
            f"SELECT {', '.join(activity_columns(include_staff=include_staff))} FROM "
            f"{source}{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY datum, id",
            params)
        frame["aantal_leerlingen"] = pd.array(
            [None if v is None else int(v) for v in frame["aantal_leerlingen"]], dtype="Int64")
        links = self.partners.all()
        frame["partner_ids"] = [tuple(i for i, _ in links.get(a, ())) for a in frame["id"]]
        frame["partners"] = ["; ".join(n for _, n in links.get(a, ())) for a in frame["id"]]
        return frame

    def get(self, activity_id: int, *, include_staff: bool = False) -> dict:
        """One activity as a dict (with ``partner_ids``); StoreError (Dutch) when unknown."""
        source = ACTIVITIES if include_staff else PUBLIC_ACTIVITY_VIEW
        record = self._db.row(source, int(activity_id),
                              activity_columns(include_staff=include_staff))
        if record is None:
            raise StoreError(f"Activiteit {activity_id} bestaat niet (meer).")
        record["partner_ids"] = self.partners.of(int(activity_id))
        return record

    def school_years(self) -> list[str]:
        """The school years that have activities, oldest first."""
        with self._db.lock:
            rows = self._db.execute("SELECT DISTINCT schooljaar FROM activiteiten "
                                    "ORDER BY schooljaar").fetchall()
        return [r[0] for r in rows]

    def count(self, *, examples: bool | None = None) -> int:
        """Number of activities; only example rows (True) or only real rows (False)."""
        return self._db.count(ACTIVITIES, examples=examples)

    def listing(self, *, school_year: str | None = None,
                include_staff: bool = False) -> pd.DataFrame:
        """The activities for people: :data:`LISTING_COLUMNS` (Dutch), by date.

        The school by its name, the municipality by its name, the kind by its label, the
        date as ``03-10-2024``. Staff get :data:`STAFF_LISTING_COLUMNS` too.
        """
        frame = self.all(school_year=school_year, include_staff=include_staff)
        with self._db.lock:
            schools = dict(self._db.execute(
                "SELECT vestigingscode, naam FROM scholen WHERE vestigingscode <> ''"
            ).fetchall())
        towns = self._municipality_names()
        rows = []
        for a in frame.to_dict("records"):
            pupils = a["aantal_leerlingen"]
            row = {
                "Nr": int(a["id"]), "Datum": activities.dutch_date(a["datum"]),
                "Schooljaar": a["schooljaar"],
                "Soort": activities.activity_kind_label(a["soort"]), "Status": a["status"],
                "School": schools.get(a["vestigingscode"], ""),
                "Vestigingscode": a["vestigingscode"], "Plaats": a["plaats"],
                "Gemeente": towns.get(a["gemeentecode"] or "", ""), "Partners": a["partners"],
                "Aantal leerlingen": None if pd.isna(pupils) else int(pupils),
                "Voorbeeld": bool(a["voorbeeld"]),
            }
            if include_staff:
                row.update(Gastdocenten=a["gastdocenten"], Notities=a["notities"])
            rows.append(row)
        columns = [*LISTING_COLUMNS, *(STAFF_LISTING_COLUMNS if include_staff else ())]
        table = pd.DataFrame(rows, columns=columns)
        table["Aantal leerlingen"] = table["Aantal leerlingen"].astype("Int64")
        return table

    # -- writing ------------------------------------------------------------------------

    def save(self, record: dict, *, user: str, role: str | None,
             expected_version: int | None = None) -> int:
        """Insert or update an activity and record the change in the history.

        Parameters
        ----------
        record : dict
            Settable fields of :data:`geo.activities.ACTIVITY_FIELDS` (``datum`` as
            ``2024-10-03`` or ``03-10-2024``; ``schooljaar`` follows from it), and
            ``partners``: the ids of the partner organisations (all of them; omitted:
            unchanged). Without ``"id"`` a new activity (``soort`` and ``datum``
            required), with ``"id"`` only the given fields change.
        user : str
            Login name recorded in the history.
        role : str or None
            Only a role with ``geo.auth.can(role, "beheren")`` may (else an
            :class:`~geo.errors.AuthError` and nothing saved).
        expected_version : int, optional
            The version the caller edited; another stored version raises
            :class:`~geo.errors.ConflictError` and nothing is saved.

        Returns
        -------
        int
            The id of the activity.

        Raises
        ------
        StoreError
            In Dutch: an unknown kind, status, school, municipality or organisation, an
            invalid date or number of pupils, an unknown id.
        """
        auth.require(role, WRITE_ACTION)
        return self._save(record, user=user, expected_version=expected_version)[0]

    def delete(self, activity_id: int, *, user: str, role: str | None) -> None:
        """Delete an activity, its partner links and its staff-only values in the history.

        Needs ``geo.auth.can(role, "beheren")``; StoreError when the id is unknown.
        """
        auth.require(role, WRITE_ACTION)
        self._rows.delete(ACTIVITIES, int(activity_id), user=user)
        self._db.checkpoint()

    def apply_import(self, records: Sequence[dict], *, user: str, role: str | None,
                     today: date | None = None) -> dict:
        """Write the records of a checked planning sheet in one transaction.

        Each record is matched to a stored activity (see the module notes and
        :meth:`match_import`): matched ones are updated with the fields they have, the
        rest are new. Any invalid record stops the whole import: nothing is written.

        Parameters
        ----------
        records : sequence of dict
            As for :meth:`save` (without ``id``); ``"rij"`` (the sheet's row) only names
            the row in a message; ``voorbeeld`` True for the example set.
        user : str
            Login name recorded in the history.
        role : str or None
            Needs ``geo.auth.can(role, "importeren")``.
        today : date, optional
            For the status of new activities without one (default: today).

        Returns
        -------
        dict
            ``{"nieuw": int, "bijgewerkt": int, "ongewijzigd": int, "ids": list[int]}``,
            ``ids`` in the order of ``records``.

        Raises
        ------
        StoreError
            For the first record the register refuses, naming its row; nothing written.
        """
        auth.require(role, IMPORT_ACTION)
        today = today or date.today()
        counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0}
        ids: list[int] = []
        with self._db.transaction():
            for record, match in zip(records, self.match_import(records), strict=True):
                record = dict(record)
                if match is None and "status" not in record and record.get("datum"):
                    day = activities.parse_date(record["datum"])
                    record["status"] = activities.status_for_date(day, today)
                if match is not None:
                    record["id"] = match
                try:
                    row_id, outcome = self._save(record, user=user, expected_version=None)
                except StoreError as err:
                    where = (f"Rij {record['rij']}" if record.get("rij")
                             else f"Activiteit {len(ids) + 1}")
                    raise StoreError(f"{where}: {err} Er is niets geïmporteerd.") from err
                counts[outcome] += 1
                ids.append(row_id)
        return {"nieuw": counts[NEW], "bijgewerkt": counts[UPDATED],
                "ongewijzigd": counts[UNCHANGED], "ids": ids}

    def match_import(self, records: Sequence[dict]) -> list[int | None]:
        """The stored activity each record would update, or None (new); nothing written.

        One to one, in id order, among the stored activities with the same
        :func:`geo.activities.import_key` and the same example flag as the record.
        """
        with self._db.lock:
            rows = self._db.execute(
                "SELECT id, soort, datum, vestigingscode, gemeentecode, plaats, voorbeeld "
                "FROM activiteiten ORDER BY id").fetchall()
        return match_records([dict(r) for r in rows], records)

    def delete_examples(self, *, user: str) -> int:
        """Delete every example activity (``voorbeeld``); returns how many."""
        with self._db.transaction():
            with self._db.lock:
                ids = [r[0] for r in self._db.execute(
                    "SELECT id FROM activiteiten WHERE voorbeeld = 1").fetchall()]
            for activity_id in ids:
                self._rows.delete(ACTIVITIES, activity_id, user=user)
        return len(ids)

    # -- inside a write -----------------------------------------------------------------

    def _save(self, record: dict, *, user: str,
              expected_version: int | None) -> tuple[int, str]:
        record = dict(record)
        partner_ids = record.pop(PARTNERS_FIELD, None)
        with self._db.transaction():
            self._resolve_place(record)
            row_id, outcome = self._rows.save(ACTIVITIES, record, user=user,
                                              expected_version=expected_version)
            if partner_ids is not None and self.partners.replace(
                    row_id, partner_ids, user=user, versioned=outcome != UNCHANGED):
                outcome = UPDATED if outcome == UNCHANGED else outcome
        return row_id, outcome

    def _resolve_place(self, record: dict) -> None:
        """A school must exist and gives its municipality and place; a GM code must exist."""
        code = activities.school_code(record.get("vestigingscode"))
        if code:
            with self._db.lock:
                school = self._db.execute(
                    "SELECT gemeentecode, plaats FROM scholen WHERE vestigingscode = ?",
                    (code,)).fetchone()
            if school is None:
                raise StoreError(f"School met vestigingscode '{shown(code, 20)}' staat niet in "
                                 "het register.")
            record.update(gemeentecode=school["gemeentecode"], plaats=school["plaats"] or "")
            return
        municipality = str(record.get("gemeentecode") or "").strip().upper()
        known = self._municipality_names()
        if municipality.startswith("GM") and municipality not in known:  # else: _records
            raise StoreError(f"Gemeentecode '{shown(municipality, 20)}' is geen Nederlandse "
                             "gemeente (CBS-indeling 2024).")

    # -- plumbing -----------------------------------------------------------------------

    @staticmethod
    def _school_year(text: str) -> str:
        try:
            return activities.parse_school_year(text)
        except ValueError as err:
            raise StoreError(f"{err}.") from err

    def _municipality_names(self) -> dict[str, str]:
        """GM code → name of every Dutch municipality (CBS 2024)."""
        towns = self._reference.gemeenten_rd
        return dict(zip(towns["gemeentecode"], towns["gemeentenaam"], strict=True))
