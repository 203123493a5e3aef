"""The partner organisations of each activity (table ``activiteit_partners``).

:class:`PartnerLinks` is part of :class:`~geo.register.activities.Activities`
(``store.activities.partners``). A change of an activity's partners is part of the
activity's write: one history entry ``partners`` with the old and the new names (public
data) and, when nothing else of the activity changed, one new version.

Deleting an organisation (decision)
    An organisation that is deleted is first taken out of every activity it was a
    partner of, each activity with a history entry and a new version: the store's row
    writer runs :meth:`PartnerLinks.forget` before it deletes an organisation (its
    ``before_delete`` hook), in the same transaction. The table's ``ON DELETE CASCADE``
    is only the safety net.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from geo import activities, fields
from geo.errors import StoreError
from geo.register import history
from geo.register._database import Database
from geo.register.activity_tables import ACTIVITIES, PARTNER_LINKS
from geo.register.writes import RowWriter

#: The history field of a change of partners (old and new names, "; " between them).
PARTNERS_FIELD = activities.PARTNERS


class PartnerLinks:
    """Which organisations took part in which activity.

    Parameters
    ----------
    database : Database
        The register's connection.
    rows : RowWriter
        The store's row writer (history entries; its hook on deleting an organisation).
    """

    def __init__(self, database: Database, rows: RowWriter) -> None:
        self._db = database
        self._rows = rows
        rows.before_delete[fields.ORGANISATIONS] = self.forget

    def of(self, activity_id: int) -> list[int]:
        """The ids of the partners of one activity, ascending."""
        with self._db.lock:
            return [r[0] for r in self._db.execute(
                f"SELECT organisatie_id FROM {PARTNER_LINKS} WHERE activiteit_id = ? "
                "ORDER BY organisatie_id", (int(activity_id),)).fetchall()]

    def all(self) -> dict[int, list[tuple[int, str]]]:
        """Activity id → its partners (id, name), by name; names from the public view."""
        with self._db.lock:
            rows = self._db.execute(
                f"SELECT l.activiteit_id, o.id, o.naam FROM {PARTNER_LINKS} l JOIN "
                "organisaties_publiek o ON o.id = l.organisatie_id "
                "ORDER BY o.naam COLLATE NOCASE, o.id").fetchall()
        links: dict[int, list[tuple[int, str]]] = {}
        for activity_id, org_id, name in rows:
            links.setdefault(int(activity_id), []).append((int(org_id), str(name)))
        return links

    def replace(self, activity_id: int, wanted: Iterable[object], *, user: str,
                versioned: bool) -> bool:
        """Make ``wanted`` the partners of an activity; True when that changed anything.

        Runs inside the activity's write. ``versioned``: the activity already got a new
        version in this write (else it gets one here).

        Raises
        ------
        StoreError
            In Dutch, for an id that is not a number or no organisation of the register.
        """
        new = self._checked(wanted)
        old = self.of(activity_id)
        if new == old:
            return False
        names = self._names([*old, *new])
        with self._db.transaction():
            self._db.execute(f"DELETE FROM {PARTNER_LINKS} WHERE activiteit_id = ?",
                             (activity_id,))
            for org_id in new:
                self._db.execute(f"INSERT INTO {PARTNER_LINKS} (activiteit_id, "
                                 "organisatie_id) VALUES (?, ?)", (activity_id, org_id))
            if not versioned:
                self._db.execute("UPDATE activiteiten SET versie = versie + 1, gewijzigd = ? "
                                 "WHERE id = ?", (history.now(), activity_id))
            version = int(self._db.execute("SELECT versie FROM activiteiten WHERE id = ?",
                                           (activity_id,)).fetchone()[0])
            self._rows.history_entry(user, ACTIVITIES, activity_id, PARTNERS_FIELD,
                                     "; ".join(sorted(names[i] for i in old)),
                                     "; ".join(sorted(names[i] for i in new)),
                                     version=version)
        return True

    def forget(self, org_id: int, *, user: str) -> int:
        """Take an organisation out of every activity (before it is deleted); how many.

        Each activity changed gets a new version and a history entry ``partners``.
        """
        with self._db.transaction():
            with self._db.lock:
                ids = [r[0] for r in self._db.execute(
                    f"SELECT activiteit_id FROM {PARTNER_LINKS} WHERE organisatie_id = ?",
                    (int(org_id),)).fetchall()]
            for activity_id in ids:
                kept = [i for i in self.of(activity_id) if i != int(org_id)]
                self.replace(activity_id, kept, user=user, versioned=False)
        return len(ids)

    def _checked(self, wanted: Iterable[object]) -> list[int]:
        try:
            ids = sorted({int(i) for i in wanted})
        except (TypeError, ValueError) as err:
            raise StoreError("Partners: geef de nummers van organisaties in het register."
                             ) from err
        missing = sorted(set(ids) - set(self._names(ids)))
        if missing:
            raise StoreError(f"Organisatie {missing[0]} bestaat niet (meer); kies een partner "
                             "uit het register.")
        return ids

    def _names(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        with self._db.lock:
            rows = self._db.execute(
                f"SELECT id, naam FROM organisaties WHERE id IN ({', '.join('?' * len(ids))})",
                [int(i) for i in ids]).fetchall()
        return {int(i): str(n) for i, n in rows}
