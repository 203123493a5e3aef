"""From verdicts to what is written and shown: records, result tables, the review list.

* :func:`to_records` turns verdicts into records for
  :meth:`geo.register.store.Store.apply_import`, reading each field as its type in
  :mod:`geo.fields` says;
* :func:`result_table` is the per-row result the CLI writes, :func:`preview_table` what
  the Beheer page shows before importing;
* :func:`check_values` checks one organisation typed in a form exactly as an import row,
  :func:`location_fields` is the location part of its record;
* :func:`review_queue` lists the organisations that need a human look, and
  :func:`parse_coordinates` reads coordinates typed while reviewing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from geo import fields as registry
from geo.addresses import place_key
from geo.errors import AddressError
from geo.intake.geocoding import Geocoder
from geo.intake.pausing import paused_gc
from geo.intake.rawtable import RawRow, RawTable
from geo.intake.reading import _cell_text
from geo.intake.verdicts import RowVerdict, check_rows, flag_defaults, read_flag
from geo.reference.data import Reference

#: Columns of :func:`result_table`, in order (the CLI's result CSV).
RESULT_COLUMNS = [
    "rij", "naam", "status", "nauwkeurigheid", *registry.names(registry.AREA_FIELDS), "lat",
    "lon", "melding",
]

#: Import kind → the register table its records are for.
_TABLES = {"partners": registry.ORGANISATIONS, "scholen": registry.SCHOOLS}

#: The areas of a location (columns of the register and of the result table).
_AREA_NAMES = registry.names(registry.AREA_FIELDS)

#: Fields whose text is stored in capitals.
_UPPERCASE = frozenset({"vestigingscode"})


def _ambassador(text: str, reference: Reference | None, areas: dict) -> str | None:
    """The subregion an ``Ambassadeur`` cell names: yes → the row's own, no → none."""
    value = text.strip()
    if not value:
        return None
    flag, _ = read_flag(value, "")
    if flag is False:
        return None
    if flag is True:
        sub = areas.get("subregio")
        return sub if sub and areas.get("in_werkgebied") else None
    if reference is not None:
        names = set(reference.default_division.subregion_of().values())
        for name in names:
            if place_key(name) == place_key(value):
                return name
    return value


#: Table → (the registry tuples read, (the fields an import reads, the flag defaults)).
_READ_ITEMS: dict[str, tuple[tuple, tuple[tuple, dict[str, bool]]]] = {}


def _read_items(table: str) -> tuple[tuple[registry.Field, ...], dict[str, bool]]:
    """The fields an import reads into a record besides the name, and the flag defaults.

    Derived once per field tuple of the registry (every row of an import asks).
    """
    parts = (registry.fields_of(table), registry.ORGANISATION_FIELDS)  # flags: the latter
    known = _READ_ITEMS.get(table)
    if known is None or any(a is not b for a, b in zip(known[0], parts, strict=True)):
        items = tuple(item for item in parts[0]
                      if item.name != "naam" and (item.synonyms or item.weak_synonyms))
        known = _READ_ITEMS[table] = (parts, (items, flag_defaults()))
    return known[1]


def _input_values(verdict: RowVerdict, table: str, present: set[str],
                  reference: Reference | None,
                  kinds: dict[str, str] | None = None) -> dict[str, object]:
    """The record's values of the fields an import reads, each read as its type.

    ``kinds`` remembers :func:`geo.fields.normalise_kind` per text over many rows.
    """
    kinds = {} if kinds is None else kinds
    items, defaults = _read_items(table)
    originals = {s.field: s.original for s in verdict.accepted}  # as the file had them
    out: dict[str, object] = {}
    for item in items:
        text = verdict.values.get(item.name, "")
        if item.name == "ambassadeur_voor":
            if item.name in present:
                out[item.name] = _ambassador(text, reference, verdict.areas)
        elif item.type == registry.YES_NO:
            if item.name in present:
                value, _ = read_flag(text, "")
                out[item.name] = defaults.get(item.name, False) if value is None else value
        elif item.type == registry.VOCABULARY and item.vocabulary == "kinds":
            if item.name in present:
                given = text.strip()
                if given not in kinds:
                    kinds[given] = registry.normalise_kind(given)
                out[item.name] = kinds[given]
                out["soort_origineel"] = originals.get(item.name, text.strip())
        elif item.name in present or text:  # postcode and place may come from one cell
            out[item.name] = text.strip().upper() if item.name in _UPPERCASE else text
    return out


@paused_gc()  # thousands of records kept: no cyclic collection meanwhile (pausing.py)
def to_records(
    verdicts: Iterable[RowVerdict],
    *,
    kind: str = "partners",
    fields: set[str] | None = None,
    reference: Reference | None = None,
) -> list[dict]:
    """Records for :meth:`geo.register.store.Store.apply_import`, one per row to import.

    Rows without a name, repeated rows in the file and (for schools) schools already in
    the DUO list are left out — their verdict says so. Rows with a ``fout`` are kept,
    without a location (``lat``/``lon`` None, ``nauwkeurigheid`` ``"geen"``), so they can
    be reviewed.

    Parameters
    ----------
    verdicts : iterable of RowVerdict
        From :func:`geo.intake.verdicts.check_rows`.
    kind : {"partners", "scholen"}
    fields : set of str, optional
        Fields present as a column in the file (:attr:`RawTable.fields`); only those
        input fields are put in the records, so a re-import of a file without, say, an
        e-mail column never erases stored e-mail addresses. All fields when omitted.
    reference : Reference, optional
        Used to recognise subregion names in an ``Ambassadeur`` column.

    Returns
    -------
    list of dict
        Keys as in ``Store.organisations(include_personal=True)`` (or
        ``Store.schools()``); partner records also carry ``status`` and ``melding``;
        ``id`` when the row updates an existing record, with ``versie`` (the version
        seen now, so a later change by someone else is not overwritten) when known;
        ``rij``, the row number, for messages.
    """
    table = _TABLES[kind]
    records = []
    kinds: dict[str, str] = {}  # the few kinds a file names, each read once
    for v in verdicts:
        if v.skip or not v.name:
            continue
        record: dict[str, object] = {"rij": v.row, "naam": v.name}
        if v.existing_id is not None:
            record["id"] = v.existing_id
            if v.existing_version is not None:
                record["versie"] = v.existing_version
        present = fields if fields is not None else set(v.values)
        record.update(_input_values(v, table, present, reference, kinds))
        if v.keep_location:  # placed by hand at this address: the location stays
            if kind == "partners":
                record.update(status="ok", melding="")
        else:
            location = location_fields(v)
            if kind != "partners":  # schools have no review status
                del location["status"], location["melding"]
            placed = location["lat"] is not None
            record.update(location)
            record.update({name: v.areas.get(name) if placed else None
                           for name in _AREA_NAMES})
        records.append(record)
    return records


def result_table(verdicts: Iterable[RowVerdict]) -> pd.DataFrame:
    """One row per verdict with exactly :data:`RESULT_COLUMNS` (the CLI's result file)."""
    rows = []
    for v in verdicts:
        rows.append({
            "rij": v.row,
            "naam": v.name,
            "status": v.status,
            "nauwkeurigheid": v.precision if v.placed else "geen",
            **{name: v.areas.get(name) for name in _AREA_NAMES},
            "lat": round(v.lat, 6) if v.placed else None,
            "lon": round(v.lon, 6) if v.placed else None,
            "melding": v.message,
        })
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def kept_records(verdicts: Iterable[RowVerdict]) -> list[dict]:
    """The ``record`` of every verdict that is not ``fout`` (and has one), in order.

    For the kinds of file whose verdicts carry the record they would store (a planning
    sheet, inflow figures).
    """
    return [dict(v.record) for v in verdicts if v.status != "fout" and v.record]


def verdict_table(verdicts: Iterable[RowVerdict], *, name_column: str) -> pd.DataFrame:
    """Every row's verdict for people: ``Rij``, ``name_column``, ``Oordeel``, ``Melding``."""
    rows = [{"Rij": v.row, name_column: v.name, "Oordeel": v.status, "Melding": v.message}
            for v in verdicts]
    return pd.DataFrame(rows, columns=["Rij", name_column, "Oordeel", "Melding"])


def _shown(item: registry.Field, value: object) -> str:
    """A value of a record as the preview shows it (a kind by its label, ja/nee)."""
    if value is None:
        return ""
    if item.type == registry.YES_NO:
        return "ja" if value else "nee"
    if item.vocabulary == "kinds":
        return registry.kind_label(value)
    return str(value)


def read_fields(verdicts: Iterable[RowVerdict], *, kind: str = "partners",
                fields: set[str] | None = None) -> pd.DataFrame:
    """How each row's other fields will be stored, one column per field (Dutch labels).

    The public input fields the file has a column for besides name and address (soort,
    donateur, actief, …), read exactly as :func:`to_records` reads them; personal data
    and staff notes stay out of the preview.
    """
    verdicts = list(verdicts)
    table = _TABLES[kind]
    present = fields if fields is not None else {k for v in verdicts for k in v.values}
    shown = [item for item in registry.fields_of(table)
             if item.name in present and not item.staff_only and (item.synonyms or
             item.weak_synonyms) and item.name not in ("naam", "straat", "postcode", "plaats")]
    rows = [_input_values(v, table, present, None) for v in verdicts]
    return pd.DataFrame({item.label: [_shown(item, r.get(item.name)) for r in rows]
                         for item in shown}, index=range(len(verdicts)))


def preview_table(verdicts: Iterable[RowVerdict], *, kind: str = "partners",
                  fields: set[str] | None = None) -> pd.DataFrame:
    """The preview shown before importing: how every row will be read and stored.

    The address, the other public fields the file has (:func:`read_fields`, e.g.
    ``Soort`` and ``Donateur`` by their labels), the verdict, the areas, what importing
    does (``actie``), the suggestions (``voorstel``) and the message; no personal fields.
    """
    verdicts = list(verdicts)
    table = result_table(verdicts)
    for name in ("plaats", "postcode", "straat"):
        table.insert(2, name, [v.values.get(name, "") for v in verdicts])
    read = read_fields(verdicts, kind=kind, fields=fields)
    for position, column in enumerate(read.columns, start=5):
        table.insert(position, column, read[column].to_list())
    table.insert(
        len(table.columns) - 1, "actie",
        [
            "overslaan" if (v.skip or not v.name)
            else "bijwerken" if v.existing_id is not None else "nieuw"
            for v in verdicts
        ],
    )
    table.insert(len(table.columns) - 1, "voorstel",
                 ["; ".join(s.shown for s in v.suggestions) for v in verdicts])
    return table.drop(columns=["lat", "lon", "arbeidsmarktregio_code", "gemeentecode"])


def suggestion_choices(verdicts: Iterable[RowVerdict]) -> dict[int, str]:
    """Row → ``"Rij 7 — Naam: Plaats: Den Heldr → Den Helder"`` (plain text, select box)."""
    return {v.row: f"Rij {v.row} — {v.name}: " + "; ".join(s.shown for s in v.suggestions)
            for v in verdicts if v.suggestions}


# --------------------------------------------------------------------------- review & forms

#: Precisions that ask for a human look in the review list.
REVIEW_PRECISIONS = ("plaats", "geen")

#: Columns of :func:`review_queue` (no personal data).
REVIEW_COLUMNS = [
    "id", "naam", "straat", "postcode", "plaats", "status", "nauwkeurigheid", "melding",
    "lat", "lon", "versie",
]


def review_queue(organisations: pd.DataFrame) -> pd.DataFrame:
    """Organisations that need a human look: a warning, an error or a rough location.

    Parameters
    ----------
    organisations : pandas.DataFrame
        ``Store.organisations()`` (the public variant is enough).

    Returns
    -------
    pandas.DataFrame
        :data:`REVIEW_COLUMNS`; errors first, then warnings, then rough locations, each by
        name.
    """
    if organisations.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    frame = organisations.copy()
    for column in REVIEW_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    status = frame["status"].fillna("ok")
    needs = status.isin(["waarschuwing", "fout"]) | frame["nauwkeurigheid"].isin(
        REVIEW_PRECISIONS)
    frame = frame[needs].copy()
    order = {"fout": 0, "waarschuwing": 1}
    frame["_order"] = frame["status"].map(order).fillna(2)
    frame["_name"] = frame["naam"].astype(str).str.casefold()
    frame = frame.sort_values(["_order", "_name", "id"])
    return frame[REVIEW_COLUMNS].reset_index(drop=True)


_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"


def parse_coordinates(text: str) -> tuple[float, float]:
    """Read ``"52.6318, 4.7480"`` (lat, lon) as typed, also with decimal commas.

    Accepts ``"52.6318, 4.748"``, ``"52,6318 4,748"``, ``"52.6318;4.748"`` and
    ``"POINT(4.748 52.6318)"`` (WKT, longitude first).

    Returns
    -------
    (float, float)
        Latitude and longitude (WGS84).

    Raises
    ------
    AddressError
        When the text holds no two numbers or the point lies far outside the Netherlands.
    """
    raw = " ".join(str(text or "").split())
    wkt = re.fullmatch(rf"(?i)point\s*\(\s*({_NUMBER})\s+({_NUMBER})\s*\)", raw)
    if wkt:
        lon, lat = (float(v.replace(",", ".")) for v in wkt.groups())
    else:
        match = re.fullmatch(rf"({_NUMBER})\s*[;,\s]\s*({_NUMBER})", raw)
        if not match:
            raise AddressError(
                f"'{raw}' zijn geen coördinaten; typ breedtegraad en lengtegraad, "
                "bijvoorbeeld 52.6318, 4.7480."
            )
        lat, lon = (float(v.replace(",", ".")) for v in match.groups())
    if 3.0 <= lat <= 7.5 and 50.5 <= lon <= 53.7:  # typed the wrong way round
        lat, lon = lon, lat
    if not (50.5 <= lat <= 53.7 and 3.0 <= lon <= 7.5):
        raise AddressError(
            f"{lat:.5f}, {lon:.5f} ligt niet in Nederland; controleer de coördinaten "
            "(breedtegraad ± 52, lengtegraad ± 5)."
        )
    return lat, lon


def check_values(
    values: dict[str, object],
    *,
    geocoder: Geocoder,
    reference: Reference,
    existing: pd.DataFrame | None = None,
    kind: str = "partners",
) -> RowVerdict:
    """Check one organisation typed in a form, exactly as an import row is checked.

    Parameters
    ----------
    values : dict
        Field → value (``naam``, ``straat``, ``postcode``, ``plaats``, ...).
    geocoder, reference, existing, kind
        As in :func:`geo.intake.verdicts.check_rows`; leave the organisation being
        edited out of ``existing`` so it is not reported as its own duplicate.

    Returns
    -------
    RowVerdict
        With row number 0.
    """
    importable = set(registry.names(registry.import_fields()))
    texts = {k: _cell_text(v) for k, v in values.items() if k in importable}
    table = RawTable(filename="formulier", header_row=0, columns={k: k for k in texts},
                     unknown_columns=[], rows=[RawRow(number=0, values=texts)])
    (verdict,) = check_rows(table, geocoder=geocoder, reference=reference, existing=existing,
                            kind=kind)
    return verdict


def location_fields(verdict: RowVerdict) -> dict[str, object]:
    """The location part of a record (and its review status) from a verdict."""
    placed = verdict.placed and verdict.status != "fout"
    return {
        "lat": verdict.lat if placed else None,
        "lon": verdict.lon if placed else None,
        "nauwkeurigheid": verdict.precision if placed else "geen",
        "status": verdict.status,
        "melding": verdict.stored_message,
    }
