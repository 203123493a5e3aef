"""The register's edit history as people read it.

:meth:`geo.register.store.Store.history` gives the stored rows: ISO time stamps, table and
record id, field names. :func:`history_for_people` turns them into what the Beheer page
shows: local time, the organisation's or school's name, the field's Dutch label and Dutch
column headings.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.fields import field_labels
from geo.register.history import CREATED_FIELD
from geo.text import local_time

#: Dutch names of the register tables in the history.
TABLE_LABELS = {"organisaties": "organisatie", "scholen": "school",
                "opleidingslocaties": "opleidingslocatie"}

#: The columns of :func:`history_for_people`, in order.
HISTORY_HEADINGS = ("Wanneer", "Wie", "Wat", "Naam", "Veld", "Oud", "Nieuw")


def history_for_people(history: pd.DataFrame,
                       names: Mapping[str, Mapping[int, str]]) -> pd.DataFrame:
    """The history with local times, record names and field labels.

    Parameters
    ----------
    history : pandas.DataFrame
        :data:`geo.register.history.HISTORY_COLUMNS`, as the store gives it.
    names : mapping
        Per table, record id → name. A record that no longer exists is shown by the name
        its history gave it when it was made, else as ``"(verwijderd, nr. 12)"``.

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_HEADINGS`, in the order of ``history`` (newest first).
    """
    labels = field_labels()
    created = _names_at_creation(history)

    def name(row) -> str:
        known = names.get(row.tabel, {}).get(int(row.record_id))
        if known:
            return str(known)
        return created.get((row.tabel, int(row.record_id))) or \
            f"(verwijderd, nr. {int(row.record_id)})"

    rows = [
        (local_time(row.wanneer), row.gebruiker, TABLE_LABELS.get(row.tabel, row.tabel),
         name(row), labels.get(row.veld, row.veld), _text(row.oud), _text(row.nieuw))
        for row in history.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=list(HISTORY_HEADINGS))


def history_of(store) -> pd.DataFrame:
    """The whole history of ``store`` (a :class:`~geo.register.store.Store`) for people."""
    names = {"organisaties": _names(store.organisations(include_personal=False)),
             "scholen": _names(store.schools()),
             "opleidingslocaties": _names(store.places.all())}
    return history_for_people(store.history(), names)


def _names(frame: pd.DataFrame) -> dict[int, str]:
    return dict(zip(frame["id"].astype(int), frame["naam"], strict=True))


def _names_at_creation(history: pd.DataFrame) -> dict[tuple[str, int], str]:
    made = history[history["veld"] == CREATED_FIELD]
    return {(t, int(r)): str(n) for t, r, n in
            zip(made["tabel"], made["record_id"], made["nieuw"], strict=True) if n}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)
