"""Duplicates in an import: rows that are the same as another row or as the register.

Two rows are the same organisation when their name keys (:func:`geo.vocabulary.name_key`)
and their postcode keys (:func:`geo.addresses.postcode_key`) are equal; a school
also when its ``vestigingscode`` is. Names at the same postcode that are very similar,
and equal names at another postcode, are reported as possible duplicates (a warning,
nothing is merged). The store applies the same rule when an import is written
(:mod:`geo.register.imports`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from geo import vocabulary
from geo.addresses import place_key, postcode_key
from geo.intake.row_check import with_changes

if TYPE_CHECKING:
    from geo.intake.verdicts import RowVerdict

#: A kind of verdict (:func:`mark_repeats` returns the kind it is given).
_V = TypeVar("_V")

#: Names at the same postcode at least this similar are reported as possible duplicates.
SIMILAR_NAME_RATIO = 0.9


def _name_key(name: object) -> str:
    return vocabulary.name_key(str(name or ""))


def _similar(a: str, b: str) -> bool:
    if not (a and b):
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    # The quick ratios are upper bounds of the ratio: most pairs end there.
    return (matcher.real_quick_ratio() >= SIMILAR_NAME_RATIO
            and matcher.quick_ratio() >= SIMILAR_NAME_RATIO
            and matcher.ratio() >= SIMILAR_NAME_RATIO)


def _describe_postcode(key: str) -> str:
    if key.startswith("plaats:"):
        return f"plaats {key[7:]}"
    if key.startswith("?"):
        return f"postcode {key[1:]}"
    return f"postcode {key}" if key else "zonder postcode"


def _address_key(street: object, postcode: object, place: object) -> tuple[str, str, str]:
    def text(value: object) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else str(
            value)

    return (
        " ".join(text(street).casefold().split()),
        postcode_key(text(postcode)),
        place_key(text(place)),
    )


def _existing_index(existing: pd.DataFrame | None) -> list[dict]:
    if existing is None or existing.empty:
        return []
    rows = []
    for rec in existing.to_dict("records"):
        name = rec.get("naam")
        if name is None or (isinstance(name, float) and name != name):
            continue
        version = rec.get("versie")
        rows.append({
            "id": int(rec["id"]),
            "version": None if version is None or pd.isna(version) else int(version),
            "name": str(name),
            "key": _name_key(name),
            "pc": postcode_key(rec.get("postcode"), rec.get("plaats")),
            "code": str(rec.get("vestigingscode") or "").strip().upper(),
            "source": str(rec.get("bron") or ""),
            "by_hand": rec.get("nauwkeurigheid") == "handmatig",
            "address": _address_key(rec.get("straat"), rec.get("postcode"), rec.get("plaats")),
        })
    return rows


class _Register:
    """The register's rows indexed for the look-ups of :func:`mark_duplicates`."""

    def __init__(self, existing: pd.DataFrame | None) -> None:
        self.by_key: dict[tuple[str, str], dict] = {}
        self.by_pc: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        self.by_code: dict[str, dict] = {}
        for rec in _existing_index(existing):
            self.by_key.setdefault((rec["key"], rec["pc"]), rec)
            self.by_pc.setdefault(rec["pc"], []).append(rec)
            self.by_name.setdefault(rec["key"], []).append(rec)
            if rec["code"]:
                self.by_code.setdefault(rec["code"], rec)

    def possible(self, key: str, pc: str) -> list[str]:
        """Remarks about register rows that may be the same organisation."""
        remarks = []
        for rec in self.by_pc.get(pc, []) if pc else []:
            if _similar(key, rec["key"]):
                remarks.append(f"Mogelijk dubbel met '{rec['name']}' (nr. {rec['id']}) in het "
                               "register.")
                break
        for rec in self.by_name.get(key, []):
            remarks.append(f"Mogelijk dubbel met '{rec['name']}' (nr. {rec['id']}, "
                           f"{_describe_postcode(rec['pc'])}) in het register.")
            break
        return remarks


def mark_duplicates(verdicts: list[RowVerdict], existing: pd.DataFrame | None,
                    kind: str) -> list[RowVerdict]:
    """Mark rows that are the same (or possibly the same) as another row or the register.

    Parameters
    ----------
    verdicts : list of RowVerdict
        In input order.
    existing : pandas.DataFrame or None
        The register (``Store.organisations()`` or ``Store.schools()``).
    kind : {"partners", "scholen"}
        For schools a match with a DUO school is skipped, not updated.

    Returns
    -------
    list of RowVerdict
        New verdicts with ``existing_id``, ``duplicate_of``, ``skip`` and remarks set.
    """
    register = _Register(existing)
    seen_key: dict[tuple[str, str], RowVerdict] = {}
    seen_pc: dict[str, list[tuple[str, RowVerdict]]] = {}
    seen_name: dict[str, list[tuple[str, RowVerdict]]] = {}
    out: list[RowVerdict] = []
    for verdict in verdicts:
        if not verdict.name:
            out.append(verdict)
            continue
        key = _name_key(verdict.name)
        pc = postcode_key(verdict.values.get("postcode"), verdict.values.get("plaats"))
        remarks = list(verdict.remarks)
        changes: dict[str, object] = {"skip": verdict.skip}
        first = seen_key.get((key, pc))
        if first is not None:
            changes.update(duplicate_of=first.row, skip=verdict.skip or "dubbel")
            remarks.append(f"Dubbel in het bestand: zelfde organisatie als rij {first.row}; "
                           "deze rij wordt niet apart opgenomen.")
            out.append(with_changes(verdict, remarks=tuple(remarks), **changes))
            continue
        seen_key[(key, pc)] = verdict
        for other_key, other in seen_pc.get(pc, []) if pc else []:
            if other_key != key and _similar(key, other_key):
                remarks.append(f"Mogelijk dubbel met rij {other.row} ('{other.name}').")
                break
        for _, other in seen_name.get(key, []):
            remarks.append(
                f"Mogelijk dubbel met rij {other.row} ('{other.name}', andere postcode)."
            )
            break
        seen_pc.setdefault(pc, []).append((key, verdict))
        seen_name.setdefault(key, []).append((key, verdict))

        code = verdict.values.get("vestigingscode", "").strip().upper()
        match = (register.by_code.get(code) if code else None) or register.by_key.get((key, pc))
        if match is not None and kind == "scholen" and match["source"] == "duo":
            changes["skip"] = verdict.skip or "duo"
            remarks.append(f"Staat al in de DUO-scholenlijst als '{match['name']}' "
                           f"(nr. {match['id']}); niet opnieuw toegevoegd.")
        elif match is not None:
            changes.update(existing_id=match["id"], existing_version=match["version"])
            note = f"Staat al in het register (nr. {match['id']}): wordt bijgewerkt."
            same_address = match["address"] == _address_key(
                verdict.values.get("straat"), verdict.values.get("postcode"),
                verdict.values.get("plaats"))
            if match["by_hand"] and same_address:
                changes["keep_location"] = True
                note += " De handmatig geplaatste locatie blijft behouden."
            changes["register_note"] = note
        else:
            remarks.extend(register.possible(key, pc))
        if len(changes) == 1 and len(remarks) == len(verdict.remarks):
            out.append(verdict)  # nothing to mark: the same verdict
        else:
            out.append(with_changes(verdict, remarks=tuple(remarks), **changes))
    return out


def mark_repeats(verdicts: Iterable[_V], key: Callable[[dict], Hashable],
                 mark: Callable[[_V, int], _V]) -> list[_V]:
    """Mark rows whose record repeats an earlier row's (kinds that carry a ``record``).

    Parameters
    ----------
    verdicts : iterable of RowVerdict
        With a ``record`` (empty for a row that stores nothing), in input order.
    key : callable
        What makes two records the same (e.g. :func:`geo.activities.import_key`).
    mark : callable
        ``mark(verdict, earlier_row)``: the verdict of a repeat, given the row number
        of the first row with its key.

    Returns
    -------
    list of RowVerdict
        The verdicts in order: repeats as ``mark`` makes them, the others unchanged.
    """
    first: dict[Hashable, int] = {}
    out = []
    for verdict in verdicts:
        if verdict.record:
            found = key(verdict.record)
            if found in first:
                verdict = mark(verdict, first[found])
            else:
                first[found] = verdict.row
        out.append(verdict)
    return out
