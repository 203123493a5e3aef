"""Example data: fictional partners, so that a new register does not show an empty map.

The bundled list goes through the same intake as a user's file — read, checked and
placed with the offline geocoder, turned into records — and is then marked
``voorbeeld``. Loading twice updates the example rows instead of duplicating them; real
organisations are never touched (the list is only matched against example rows).

The example inflow (``instroom_voorbeeld.csv``: fictional counts of new mbo infra
students for 2024-2025 and 2025-2026, by real PC4 areas of the five regions) is loaded
with the partners through the inflow intake, marked ``voorbeeld``; loading again replaces
its sets, and it is removed with the example partners
(:meth:`geo.register.store.Store.delete_example_data`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from geo import fields
from geo.auth import LOCAL_ADMIN_ROLE
from geo.errors import ImportFileError, StoreError
from geo.intake.geocoding import OfflineGeocoder
from geo.intake.inflow import check_inflow, inflow_records, read_inflow
from geo.intake.reading import read_table
from geo.intake.records import to_records
from geo.intake.verdicts import check_rows
from geo.reference.data import Reference

if TYPE_CHECKING:
    from geo.register.store import Store

#: Name of the example partner list inside ``<data_dir>/voorbeeld/``.
EXAMPLE_FILE = "partners_voorbeeld.csv"

#: Name of the example inflow beside it.
EXAMPLE_INFLOW_FILE = "instroom_voorbeeld.csv"

#: The fields the example list has a column for.
EXAMPLE_FIELDS = ("naam", "soort", "donateur", "actief", "straat", "postcode", "plaats",
                  "contactpersoon", "email", "telefoon", "website", "notities")


def example_data_path(reference: Reference) -> Path:
    """The bundled example partner list (``data/voorbeeld/partners_voorbeeld.csv``)."""
    return Path(reference.data_dir) / "voorbeeld" / EXAMPLE_FILE


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
        As :meth:`geo.register.store.Store.apply_import`, plus ``"instroom"``: what
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
            outcome["instroom"] = load_example_inflow(store, user=user)
    return outcome


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
    source = Path(path) if path else (Path(store.reference.data_dir) / "voorbeeld"
                                      / EXAMPLE_INFLOW_FILE)
    try:
        table = read_inflow(source.read_bytes(), source.name)
    except (OSError, ImportFileError) as err:
        raise StoreError(f"Voorbeeldbestand {source} is onleesbaar: {err}") from err
    records = inflow_records(check_inflow(table, reference=store.reference))
    # Example data are the application's own: written with the command line's rights.
    return store.inflow.apply_import(records, filename=source.name, user=user,
                                     role=LOCAL_ADMIN_ROLE, example=True)
