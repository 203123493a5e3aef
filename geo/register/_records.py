"""Cleaning a record before it is written: one validator per field type, from the registry.

:func:`clean_record` turns what a caller passes to the store (a form, an import, a
script) into the values to store: unknown keys are refused, every value is cleaned by
the validator of its field's type in :mod:`geo.fields` (text trimmed, yes/no parsed,
postcodes formatted, vocabularies checked), and the record-level rules follow (a name,
the kind and the text it came from, a location with its precision). Everything here is
pure; the store adds the derived values (areas, name key) and writes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from geo import activities, education_places, fields, vocabulary
from geo.addresses import format_postcode
from geo.errors import StoreError, shown
from geo.reference.data import Reference
from geo.reference.gazetteer import PRECISIONS
from geo.reference.regions import assign_areas

#: Dutch name of a record of each table, for messages.
TABLE_LABELS = {fields.ORGANISATIONS: "organisatie", fields.SCHOOLS: "school",
                fields.EDUCATION_PLACES: "opleidingslocatie", fields.ACTIVITIES: "activiteit"}

#: A key a record may carry that is no field: the spreadsheet row it came from.
ROW_KEY = "rij"


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' missing values."""
    if value is None:
        return True
    if isinstance(value, str | bool | int):  # the usual values, without asking pandas
        return False
    if type(value) is float:
        return value != value  # NaN
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def equal(old: object, new: object) -> bool:
    """Whether a stored value and a new one are the same (floats to 1e-9, bools as bools)."""
    if is_missing(old) and is_missing(new):
        return True
    if isinstance(old, float) or isinstance(new, float):
        try:
            return abs(float(old) - float(new)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) == bool(new)
    return old == new


def coordinate(value: object) -> float:
    """A coordinate as a float; NaN when missing or not a number."""
    if is_missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def yes_no_names() -> frozenset[str]:
    """Names of every yes/no field (stored as 0/1, read as bool)."""
    return frozenset(f.name for f in fields.all_fields() if f.type == fields.YES_NO)


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (read with dtype object) with yes/no as bool, ids int64, coordinates float."""
    types = {f.name: f.type for f in fields.all_fields()}
    for column in frame.columns:
        kind = types.get(column)
        if kind == fields.YES_NO:
            frame[column] = frame[column].astype(bool)
        elif kind == fields.INTEGER or column == "record_id":
            frame[column] = frame[column].astype("int64")
        elif kind == fields.NUMBER:
            frame[column] = frame[column].astype(float)
    return frame


def typed_row(row: dict) -> dict:
    """One row read from SQLite with yes/no fields as bool."""
    flags = yes_no_names()
    return {key: bool(value) if key in flags else value for key, value in row.items()}


# ------------------------------------------------------------------------------ per type


def _text(item: fields.Field, value: object) -> object:
    if type(value) is str:  # the usual value, read without asking pandas
        text = value.strip()
    else:
        text = "" if is_missing(value) else str(value).strip()
    return (text or None) if item.nullable else text


def yes_no(name: str, value: object) -> bool:
    """A yes/no value of field ``name`` (empty is no); a Dutch StoreError when unclear."""
    try:
        return bool(vocabulary.parse_yes_no(value))
    except ValueError as err:
        raise StoreError(f"Veld '{name}': '{value}' is geen ja/nee-waarde.") from err


def _yes_no(item: fields.Field, value: object) -> bool:
    return yes_no(item.name, value)


def _number(item: fields.Field, value: object) -> object:
    return None if is_missing(value) else value


def _postcode(item: fields.Field, value: object) -> str:
    return format_postcode(_text(item, value))


#: Field type → the function that cleans one value of it.
VALIDATORS: dict[str, Callable[[fields.Field, object], object]] = {
    fields.TEXT: _text, fields.EMAIL: _text, fields.PHONE: _text, fields.URL: _text,
    fields.VOCABULARY: _text, fields.POSTCODE: _postcode, fields.YES_NO: _yes_no,
    fields.NUMBER: _number, fields.INTEGER: _number,
}


#: Vocabulary name → the function that gives its values.
_VOCABULARIES: dict[str, Callable[[], tuple[str, ...]]] = {
    "kinds": fields.kind_codes,
    "statuses": lambda: fields.STATUSES,
    "precisions": lambda: PRECISIONS,
    "sources": lambda: ("duo", "gebruiker"),
    "place_kinds": education_places.place_kind_codes,
    "place_sources": lambda: tuple(education_places.PLACE_SOURCES),
    "activity_kinds": activities.activity_kind_codes,
    "activity_statuses": lambda: tuple(activities.ACTIVITY_STATUSES),
}


def allowed_values(name: str) -> tuple[str, ...]:
    """The values a vocabulary field may take (kinds are normalised, not refused)."""
    return _VOCABULARIES[name]()


# ------------------------------------------------------------------------------ records


def _ignored_keys(table: str) -> frozenset[str]:
    """Keys accepted in a record but ignored: derived or managed by the store."""
    managed = (f.name for f in (*fields.all_fields(), *fields.fields_of(table))
               if not f.settable)
    return frozenset({*managed, ROW_KEY})


#: Per table: the field tuples last read, and what :func:`_table_rules` derived from them.
_RULES: dict[str, tuple[tuple, tuple]] = {}


def _table_rules(table: str) -> tuple[tuple[fields.Field, ...], frozenset[str],
                                      frozenset[str], tuple, tuple, tuple]:
    """The settable fields of ``table``, their names, the ignored keys, and more.

    Also (name, field, validator) of each settable field, the required fields and the
    vocabulary fields.

    Derived once per table while the registry's tuples (those :func:`fields.all_fields`
    reads) are the same objects: every record of an import asks, and a test that swaps
    a tuple gets new rules.
    """
    parts = (fields.fields_of(table), fields.ORGANISATION_FIELDS, fields.SCHOOL_FIELDS,
             fields.fields_of(fields.EDUCATION_PLACES), fields.IMPORT_ONLY_FIELDS)
    known = _RULES.get(table)
    if known is not None and all(a is b for a, b in zip(known[0], parts, strict=True)):
        return known[1]
    settable = tuple(f for f in parts[0] if f.settable)
    rules = (settable, frozenset(f.name for f in settable), _ignored_keys(table),
             tuple((f.name, f, VALIDATORS[f.type]) for f in settable),
             tuple(f for f in settable if f.required),
             tuple(f for f in settable if f.type == fields.VOCABULARY))
    _RULES[table] = (parts, rules)
    return rules


def clean_record(table: str, record: dict, current: dict | None) -> dict:
    """Validate and normalise the settable fields of ``record`` (no derived values yet).

    Parameters
    ----------
    table : {"organisaties", "scholen", "opleidingslocaties", "activiteiten"}
        What the record is.
    record : dict
        Field → value as given; derived and managed keys are ignored.
    current : dict or None
        The stored row the record changes; None for a new row.

    Returns
    -------
    dict
        The settable fields of ``record``, cleaned, plus what follows from them. Text
        is trimmed and kept verbatim (HTML included); ``soort`` is normalised with
        :func:`geo.fields.normalise_kind` and the text as given kept in
        ``soort_origineel``; coordinates without a precision count as ``handmatig``;
        an activity's date is read (:func:`geo.activities.parse_date`) and stored as
        ``2024-10-03`` with its school year, its number of pupils as a whole number.

    Raises
    ------
    StoreError
        In Dutch, for an unknown key, a value of the wrong type, a missing name, an
        unknown status or precision, or half a location.
    """
    label = TABLE_LABELS[table]
    _, allowed, ignored, validators, required, vocabularies = _table_rules(table)
    if not allowed.issuperset(record):
        unknown = sorted(str(k) for k in record if k not in allowed and k not in ignored)
        if unknown:
            raise StoreError(f"Onbekende velden voor een {label}: " + ", ".join(unknown))
    values = {name: validate(item, record[name]) for name, item, validate in validators
              if name in record}
    for item in required:
        if item.name in values or current is None:
            if not values.get(item.name):
                raise StoreError(f"Een {label} moet een {item.label.lower()} hebben.")
    if table == fields.ORGANISATIONS:
        _apply_kind(values, current)
    if table == fields.ACTIVITIES:
        _apply_activity(values)
    _check_vocabularies(vocabularies, values)
    if "lat" in allowed:
        _apply_location(values, current)
    return values


def _apply_activity(values: dict) -> None:
    """An activity's date (ISO, with its school year), pupils, school and municipality codes."""
    if "datum" in values:
        try:
            day = activities.parse_date(values["datum"])
        except ValueError as err:
            raise StoreError(f"Datum: {err}.") from err
        values["datum"], values["schooljaar"] = day.isoformat(), activities.school_year(day)
    if "aantal_leerlingen" in values:
        values["aantal_leerlingen"] = _pupils(values["aantal_leerlingen"])
    if "vestigingscode" in values:
        values["vestigingscode"] = activities.school_code(values["vestigingscode"])
    code = values.get("gemeentecode")
    if code is not None:
        values["gemeentecode"] = code = str(code).strip().upper()
        if not re.fullmatch(r"GM\d{4}", code):
            raise StoreError(f"Gemeentecode '{code}' is geen CBS-gemeentecode (GM en vier "
                             "cijfers, bijvoorbeeld GM0361).")


def _pupils(value: object) -> int | None:
    """A number of pupils: a whole number, 0 or more; None when not given."""
    if is_missing(value) or str(value).strip() == "":
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit():
        raise StoreError(f"Aantal leerlingen: '{shown(text, 40)}' is geen heel getal (0 of "
                         "meer).")
    return int(text)


#: [the :data:`geo.fields.KINDS` tuple last seen, its codes, text → normalised kind]:
#: every record of an import asks; a test that swaps the kinds gets a new memo.
_KINDS: list = [None, (), {}]


def _kinds() -> tuple[tuple[str, ...], dict[str, str]]:
    """The kind codes and the kinds normalised so far, for the current kinds."""
    if _KINDS[0] is not fields.KINDS:
        _KINDS[:] = [fields.KINDS, fields.kind_codes(), {}]
    return _KINDS[1], _KINDS[2]


def _normalised_kind(raw: str) -> str:
    """:func:`geo.fields.normalise_kind`, remembered per text."""
    known = _kinds()[1]
    if raw not in known:
        if len(known) > 10_000:
            known.clear()
        known[raw] = fields.normalise_kind(raw)
    return known[raw]


def _apply_kind(values: dict, current: dict | None) -> None:
    """Normalise ``soort``; keep the text as given unless a canonical kind was picked."""
    if "soort" in values:
        raw = str(values["soort"])
        values["soort"] = _normalised_kind(raw)
        if "soort_origineel" not in values and (current is None
                                                or raw not in _kinds()[0]):
            values["soort_origineel"] = raw
    elif current is None and values.get("soort_origineel"):
        values["soort"] = fields.normalise_kind(values["soort_origineel"])


def _check_vocabularies(settable: Iterable[fields.Field], values: dict) -> None:
    for item in settable:  # the vocabulary fields (others are skipped)
        if item.type != fields.VOCABULARY or item.name not in values:
            continue
        allowed = _kinds()[0] if item.vocabulary == "kinds" else allowed_values(
            item.vocabulary)
        if values[item.name] not in allowed:
            raise StoreError(f"{item.label} '{values[item.name]}' is onbekend; kies uit "
                             + ", ".join(allowed) + ".")


def _apply_location(values: dict, current: dict | None) -> None:
    """Both coordinates or neither, in range; the precision follows the location."""
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
    precision = values.get("nauwkeurigheid", current.get("nauwkeurigheid") if current else None)
    if lat is None:
        values["nauwkeurigheid"] = "geen"
    elif precision in (None, "geen"):
        if values.get("nauwkeurigheid") == "geen":
            raise StoreError("Nauwkeurigheid 'geen' past niet bij opgegeven coördinaten.")
        values["nauwkeurigheid"] = "handmatig"


def changes(values: dict, current: dict) -> dict:
    """The cleaned ``values`` that differ from the stored row ``current``."""
    return {k: v for k, v in values.items() if k in current and not equal(current[k], v)}


def field_order(names: Iterable[str]) -> tuple[str, ...]:
    """Field names in the order of the registry (unknown names last, as given)."""
    order: dict[str, int] = {}
    for item in fields.all_fields():
        order.setdefault(item.name, len(order))
    unique = list(dict.fromkeys(names))
    return tuple(sorted(unique, key=lambda name: order.get(name, len(order))))


# ------------------------------------------------------------------------------ areas

#: The areas derived from a location.
AREA_FIELDS = fields.names(fields.AREA_FIELDS)


def derive_areas(reference: Reference, lon: list[float], lat: list[float]) -> list[dict]:
    """Municipality, subregion and region of many points at once (None when unplaced)."""
    if not lon:
        return []
    frame = assign_areas(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float),
                         reference)
    columns = [[None if is_missing(value) else str(value) for value in frame[name].tolist()]
               for name in AREA_FIELDS]
    out = []
    for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
        if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
            out.append(dict.fromkeys(AREA_FIELDS))
        else:
            out.append({name: column[i] for name, column in zip(AREA_FIELDS, columns,
                                                                strict=True)})
    return out
