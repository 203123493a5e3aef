"""The activities' tables (schema 9), their public view and kind check.

``activiteiten``
    One row per activity (:data:`geo.activities.ACTIVITY_FIELDS`): kind, date (ISO
    ``2024-10-03``) and the school year derived from it, the school by DUO
    ``vestigingscode`` or else the municipality (``gemeentecode``, GMxxxx) and place,
    number of pupils, status, the staff-only ``notities`` and ``gastdocenten``, the
    example flag, version and time stamps. Its history is in ``historie`` like an
    organisation's (table ``activiteiten``).
``activiteit_partners``
    The partner organisations of each activity: ``(activiteit_id, organisatie_id)``,
    both foreign keys with ``ON DELETE CASCADE``, so a link never points to a deleted
    activity or organisation. (The store removes the links of an organisation it deletes
    itself first, with a history entry per activity, see
    :meth:`geo.register.activity_partners.PartnerLinks.forget`; the cascade is the net.)
``activiteiten_publiek``
    A view of ``activiteiten`` without the staff-only columns (derived from the registry,
    like ``organisaties_publiek``). Everything public reads activities from here.

A later migration step that rebuilds ``organisaties`` (create, copy, drop, rename as
step 5 did) must keep the links: with foreign keys on, dropping the old table deletes
them. Copy ``activiteit_partners`` aside first and put it back after the rename.

The kind check is a pair of triggers rebuilt from :data:`geo.activities.ACTIVITY_KINDS`
when the register is opened (:func:`sync_objects`), so adding a kind needs no migration;
the three statuses are a ``CHECK``.
"""

from __future__ import annotations

import sqlite3

from geo import activities, fields
from geo.register import registry_objects

#: The table of activities and of their partner links.
ACTIVITIES = fields.ACTIVITIES
PARTNER_LINKS = "activiteit_partners"

#: The view with the public columns of ``activiteiten``.
PUBLIC_ACTIVITY_VIEW = "activiteiten_publiek"

# Frozen: the tables as schema 9 made them.
_STATUS_CHECK_OF_V9 = "status IN ('gepland', 'gegeven', 'geannuleerd')"

_V9 = [
    f"""CREATE TABLE activiteiten (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        soort TEXT NOT NULL,
        datum TEXT NOT NULL CHECK (datum GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        schooljaar TEXT NOT NULL,
        vestigingscode TEXT NOT NULL DEFAULT '',
        gemeentecode TEXT,
        plaats TEXT NOT NULL DEFAULT '',
        aantal_leerlingen INTEGER CHECK (aantal_leerlingen IS NULL OR aantal_leerlingen >= 0),
        status TEXT NOT NULL DEFAULT 'gepland' CHECK ({_STATUS_CHECK_OF_V9}),
        notities TEXT NOT NULL DEFAULT '',
        gastdocenten TEXT NOT NULL DEFAULT '',
        voorbeeld INTEGER NOT NULL DEFAULT 0 CHECK (voorbeeld IN (0, 1)),
        versie INTEGER NOT NULL DEFAULT 1,
        aangemaakt TEXT NOT NULL,
        gewijzigd TEXT NOT NULL
    )""",
    "CREATE INDEX activiteiten_schooljaar ON activiteiten (schooljaar)",
    "CREATE INDEX activiteiten_vestigingscode ON activiteiten (vestigingscode)",
    """CREATE TABLE activiteit_partners (
        activiteit_id INTEGER NOT NULL REFERENCES activiteiten (id) ON DELETE CASCADE,
        organisatie_id INTEGER NOT NULL REFERENCES organisaties (id) ON DELETE CASCADE,
        PRIMARY KEY (activiteit_id, organisatie_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX activiteit_partners_organisatie ON activiteit_partners (organisatie_id)",
]


def create_tables(conn: sqlite3.Connection) -> None:
    """Schema step 9: activities and their partner links (the view follows in the sync)."""
    for statement in _V9:
        conn.execute(statement)


def activity_columns(*, include_staff: bool) -> tuple[str, ...]:
    """The columns of an activity in registry order; the staff-only ones if asked."""
    return tuple(f.name for f in activities.ACTIVITY_FIELDS
                 if include_staff or not f.staff_only)


def kind_triggers() -> dict[str, str]:
    """Name → SQL of the triggers that refuse a kind of activity the registry lacks."""
    return registry_objects.kind_triggers(ACTIVITIES, activities.activity_kind_codes(),
                                          "onbekende soort activiteit")


def sync_objects(conn: sqlite3.Connection) -> None:
    """Make the public view and the kind triggers of activities match the registry.

    A no-op when they do; called by :func:`geo.register.schema.sync_registry_objects`.
    """
    registry_objects.sync_view(conn, PUBLIC_ACTIVITY_VIEW, ACTIVITIES,
                               activity_columns(include_staff=False))
    registry_objects.sync_triggers(conn, ACTIVITIES, kind_triggers())
