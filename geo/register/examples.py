"""Example data: fictional partners and activities, so that a new register is not empty.

The bundled lists go through the same intake as a user's file — read, checked (the
partners placed with the offline geocoder), turned into records — and are then marked
``voorbeeld``. Loading twice updates the example rows instead of duplicating them; real
organisations and activities are never touched (the lists are only matched against
example rows).

The example activities (``activiteiten_voorbeeld.csv``: two school years, 2024-2025 and
2025-2026) are fictional too, at real DUO schools of the bundled data and with the
example partners only; they are loaded with the partners and removed with them
(:meth:`geo.register.store.Store.delete_example_data`).

The example inflow (``instroom_voorbeeld.csv``: fictional counts of new mbo infra
students for 2024-2025 and 2025-2026, by real PC4 areas of the five regions) is loaded
with the partners through the inflow intake, marked ``voorbeeld``; loading again replaces
its sets, and it is removed with the example partners too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geo import fields
from geo.auth import LOCAL_ADMIN_ROLE
from geo.errors import ImportFileError, StoreError
from geo.intake.activities import check_planning, planning_records, read_planning
from geo.intake.geocoding import OfflineGeocoder
from geo.intake.inflow import check_inflow, inflow_records, read_inflow
from geo.intake.rawtable import RawTable
from geo.intake.reading import read_table
from geo.intake.records import to_records
from geo.intake.verdicts import check_rows
from geo.reference.data import Reference

if TYPE_CHECKING:
    from geo.register.store import Store

#: Name of the example partner list inside ``<data_dir>/voorbeeld/``.
EXAMPLE_FILE = "partners_voorbeeld.csv"

#: Name of the example planning sheet (activities) beside it.
EXAMPLE_ACTIVITIES_FILE = "activiteiten_voorbeeld.csv"

#: Name of the example inflow beside it.
EXAMPLE_INFLOW_FILE = "instroom_voorbeeld.csv"

#: The fields the example list has a column for.
EXAMPLE_FIELDS = ("naam", "soort", "donateur", "actief", "straat", "postcode", "plaats",
                  "contactpersoon", "email", "telefoon", "website", "notities")


def example_data_path(reference: Reference) -> Path:
    """The bundled example partner list (``data/voorbeeld/partners_voorbeeld.csv``)."""
    return Path(reference.data_dir) / "voorbeeld" / EXAMPLE_FILE


def _read_example(store: Store, path: str | Path | None, name: str,
                  read: Callable[[bytes, str], RawTable]) -> tuple[RawTable, Path]:
    """Read an example file (``path``, or ``name`` in the bundled folder) with ``read``.

    Raises
    ------
    StoreError
        When the file is missing or unreadable.
    """
    source = Path(path) if path else Path(store.reference.data_dir) / "voorbeeld" / name
    try:
        return read(source.read_bytes(), source.name), source
    except (OSError, ImportFileError) as err:
        raise StoreError(f"Voorbeeldbestand {source} is onleesbaar: {err}") from err


def load_example_data(store: Store, *, user: str = "voorbeeld",
                      path: str | Path | None = None) -> dict:
    """Load the fictional example partners, placed offline, marked ``voorbeeld``.

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
        As :meth:`geo.register.store.Store.apply_import`, plus ``"activiteiten"`` and
        ``"instroom"``: what :func:`load_example_activities` and
        :func:`load_example_inflow` did (when ``path`` is the bundled list).

    Raises
    ------
    StoreError
        When the file is missing, unreadable or lacks a column.
    """
    source = Path(path) if path else example_data_path(store.reference)
    try:
        table = read_table(source.read_bytes(), source.name)
    except (OSError, ImportFileError) as err:
        raise StoreError(f"Voorbeeldbestand {source} is onleesbaar: {err}") from err
    missing = [fields.field_labels()[f] for f in EXAMPLE_FIELDS if f not in table.fields]
    if missing:
        raise StoreError(f"Voorbeeldbestand {source.name} mist kolom(men): "
                         + ", ".join(missing))
    organisations = store.organisations()
    examples = organisations[organisations["voorbeeld"]]
    verdicts = check_rows(table, geocoder=OfflineGeocoder(store.gazetteer),
                          reference=store.reference, existing=examples)
    records = to_records(verdicts, fields=table.fields, reference=store.reference)
    for record in records:
        record.update(voorbeeld=True, land="Nederland")
    with store.transaction():
        outcome = store.apply_import(records, user=user)
        if path is None:
            outcome["activiteiten"] = load_example_activities(store, user=user)
            outcome["instroom"] = load_example_inflow(store, user=user)
    return outcome


def load_example_activities(store: Store, *, user: str = "voorbeeld",
                            path: str | Path | None = None) -> dict:
    """Load the fictional example activities, marked ``voorbeeld``.

    Partners are matched against the example organisations only, so load those first
    (:func:`load_example_data` does). Every row of the bundled sheet is valid; a row the
    check refuses is left out like in a user's import.

    Returns
    -------
    dict
        As :meth:`geo.register.activities.Activities.apply_import`.

    Raises
    ------
    StoreError
        When the file is missing or unreadable.
    """
    table, _ = _read_example(store, path, EXAMPLE_ACTIVITIES_FILE, read_planning)
    organisations = store.organisations()
    verdicts = check_planning(table, schools=store.schools(),
                              organisations=organisations[organisations["voorbeeld"]],
                              reference=store.reference)
    records = [{**record, "voorbeeld": True} for record in planning_records(verdicts)]
    # Example data are the application's own: written with the command line's rights.
    return store.activities.apply_import(records, user=user, role=LOCAL_ADMIN_ROLE)


def load_example_inflow(store: Store, *, user: str = "voorbeeld",
                        path: str | Path | None = None) -> dict:
    """Load the fictional example inflow, marked ``voorbeeld`` (its sets are replaced).

    Returns
    -------
    dict
        As :meth:`geo.register.inflow.InflowRegister.apply_import`.

    Raises
    ------
    StoreError
        When the file is missing or unreadable.
    """
    table, source = _read_example(store, path, EXAMPLE_INFLOW_FILE, read_inflow)
    records = inflow_records(check_inflow(table, reference=store.reference))
    # Example data are the application's own: written with the command line's rights.
    return store.inflow.apply_import(records, filename=source.name, user=user,
                                     role=LOCAL_ADMIN_ROLE, example=True)
