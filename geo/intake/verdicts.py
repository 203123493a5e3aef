"""Checking an import: every row of a :class:`RawTable` gets a :class:`RowVerdict`.

The import flows in pure steps, each testable and shown in a preview:

1. :func:`geo.intake.reading.read_table` reads ``.xlsx`` or ``.csv`` bytes as Dutch
   offices produce them into a :class:`~geo.intake.rawtable.RawTable`;
2. :func:`check_rows` (here) gives every non-empty row a verdict — ``ok``,
   ``waarschuwing`` (placed, with a remark) or ``fout`` (not placed) — with a Dutch
   message naming the field, by the rules of :mod:`geo.intake.row_check`. Geocoding
   goes through the :class:`~geo.intake.geocoding.Geocoder` given: one row at a time
   (PDOK), or :data:`BATCH_ROWS` rows at once when it can place many together (offline,
   :mod:`geo.intake.batch`; the same verdicts). Long runs report progress, can be
   stopped and resumed (:class:`ImportRun`). Duplicates within the file and against
   the register are marked by :mod:`geo.intake.duplicates`;
3. :func:`geo.intake.records.to_records` turns the verdicts into records for
   :meth:`geo.register.store.Store.apply_import`.

Text is stored verbatim (HTML in a name included); escaping happens on display.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import fields
from geo.intake import batch
from geo.intake.duplicates import mark_duplicates
from geo.intake.geocoding import Geocoder
from geo.intake.pausing import paused_gc
from geo.intake.rawtable import RawRow, RawTable
from geo.intake.row_check import (  # noqa: F401 - the verdict and its rules, re-exported
    RowVerdict,
    check_one,
    flag_defaults,
    judge,
    read_flag,
    read_row,
    with_changes,
)
from geo.intake.spelling import PlaceIndex, Suggestion, place_index
from geo.reference.data import Reference
from geo.reference.regions import assign_areas

log = logging.getLogger(__name__)

#: Kinds of import: the partner register or user-added schools.
KINDS = ("partners", "scholen")

#: Verdicts, from good to bad.
STATUSES = fields.STATUSES

#: Rows read, placed and judged together when the geocoder can place many at once.
BATCH_ROWS = 2000


@dataclass
class ImportRun:
    """State of one (possibly interrupted) check of an import file.

    :func:`check_rows` stores every row it has checked here as soon as it is done, so
    an interruption (a stop request, a Streamlit rerun) loses nothing; calling it again
    with the same run checks only the remaining rows. Plain data only: it may be kept in
    a session.

    Attributes
    ----------
    table : RawTable
        The file being checked.
    kind : str
        ``"partners"`` or ``"scholen"``.
    checked : dict
        Row number → verdict of the per-row check (before duplicate and area checks).
    accepted : dict
        Row number → the suggestions the user accepted for it; such a row is checked
        (again) with the suggested values.
    """

    table: RawTable
    kind: str = "partners"
    checked: dict[int, RowVerdict] = field(default_factory=dict)
    accepted: dict[int, tuple[Suggestion, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of non-empty rows in the file."""
        return len(self.table.rows)

    @property
    def done(self) -> int:
        """Number of rows checked so far."""
        return len(self.checked)

    @property
    def complete(self) -> bool:
        """True when every row has been checked."""
        return self.done >= self.total

    def in_order(self) -> list[RowVerdict]:
        """The per-row verdicts so far, in the order of the file."""
        return [self.checked[row.number] for row in self.table.rows if row.number in self.checked]


def _with_areas(verdicts: list[RowVerdict], reference: Reference) -> list[RowVerdict]:
    """Add municipality, subregion and region; remark rows outside the five regions."""
    lon = np.array([v.lon if v.placed else np.nan for v in verdicts], dtype=float)
    lat = np.array([v.lat if v.placed else np.nan for v in verdicts], dtype=float)
    frame = assign_areas(lon, lat, reference) if verdicts else pd.DataFrame()
    names = list(frame.columns)
    columns = [[v if isinstance(v, str | bool) or not pd.isna(v) else None
                for v in frame[name].tolist()] for name in names]
    out = []
    for verdict, found in zip(verdicts, zip(*columns, strict=True), strict=True):
        if not verdict.placed:
            out.append(with_changes(verdict, areas={}))
            continue
        row = dict(zip(names, found, strict=True))
        remarks = verdict.remarks
        if not row.get("in_werkgebied"):
            where = row.get("gemeentenaam") or "buiten Nederland of op zee"
            remarks = (*remarks, f"Ligt buiten de vijf arbeidsmarktregio's ({where}).")
        out.append(with_changes(verdict, areas=row, remarks=remarks))
    return out


def finish_verdicts(
    verdicts: Iterable[RowVerdict],
    *,
    reference: Reference,
    existing: pd.DataFrame | None,
    kind: str = "partners",
) -> list[RowVerdict]:
    """Add areas, the outside-the-regions remark and duplicate checks to per-row verdicts.

    Parameters
    ----------
    verdicts : iterable of RowVerdict
        Per-row verdicts as stored in :attr:`ImportRun.checked`, in input order.
    reference : Reference
    existing : pandas.DataFrame or None
        The register (``Store.organisations()`` or ``Store.schools()``).
    kind : {"partners", "scholen"}

    Returns
    -------
    list of RowVerdict
        New verdicts; the input is not changed.
    """
    return mark_duplicates(_with_areas(list(verdicts), reference), existing, kind)


def check_rows(
    table: RawTable,
    *,
    geocoder: Geocoder,
    reference: Reference,
    existing: pd.DataFrame | None,
    kind: str = "partners",
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    run: ImportRun | None = None,
) -> list[RowVerdict]:
    """Give every non-empty row of ``table`` a verdict.

    Parameters
    ----------
    table : RawTable
        From :func:`geo.intake.reading.read_table`.
    geocoder : Geocoder
        Places the addresses (its cache and offline fallback apply). One that also has
        ``geocode_many`` (:class:`~geo.intake.geocoding.OfflineGeocoder`) places a batch
        of rows at once.
    reference : Reference
        For the municipality, subregion and region of each location.
    existing : pandas.DataFrame or None
        The current register (``Store.organisations()`` for partners,
        ``Store.schools()`` for schools) to find organisations that are already known.
    kind : {"partners", "scholen"}
        What is being imported.
    progress : callable, optional
        Called as ``progress(done, total)`` after each row.
    should_stop : callable, optional
        Asked before each row; when it returns True the check stops and the verdicts of
        the rows done so far are returned.
    run : ImportRun, optional
        Keeps the per-row results between calls: rows already in ``run.checked`` are
        not checked again, new ones are stored as soon as they are done.

    Returns
    -------
    list of RowVerdict
        One verdict per checked row, in input order (all rows unless stopped).
    """
    if kind not in KINDS:
        raise ValueError(f"Onbekende soort import '{kind}'; kies uit {', '.join(KINDS)}.")
    if run is None:
        run = ImportRun(table, kind=kind)
    elif run.table is not table:
        raise ValueError("run belongs to another table")
    total = len(table.rows)
    places = place_index(reference)
    todo = [row for row in table.rows if row.number not in run.checked]
    many = callable(getattr(geocoder, "geocode_many", None))
    size = BATCH_ROWS if many else 1
    # Offline the whole check takes seconds: without the cyclic collector (pausing.py).
    with paused_gc() if many else nullcontext():
        for start in range(0, len(todo), size):
            chunk = todo[start:start + size]
            # Offline, a batch is placed at once (cheap); one by one otherwise, so that a
            # stop request is heard before the next row asks PDOK.
            checked = _check_many(chunk, run, geocoder, places) if many else [None]
            for row, verdict in zip(chunk, checked, strict=True):
                if should_stop is not None and should_stop():
                    log.info("import check stopped after %d of %d rows", run.done, total)
                    return finish_verdicts(run.in_order(), reference=reference,
                                           existing=existing, kind=kind)
                run.checked[row.number] = verdict or check_one(
                    row, geocoder, places, run.accepted.get(row.number, ()))
                if progress is not None:
                    progress(run.done, total)
        return finish_verdicts(run.in_order(), reference=reference, existing=existing,
                               kind=kind)


def _check_many(rows: list[RawRow], run: ImportRun, geocoder: Geocoder,
                places: PlaceIndex) -> list[RowVerdict]:
    """The verdicts of many rows, read and judged one by one, placed all at once.

    The same rules as :func:`check_one`; only the spelling suggestions and the places
    are looked up for the whole batch (:mod:`geo.intake.batch`).
    """
    labels, flags = fields.field_labels(), flag_defaults()
    reads = [read_row(row, run.accepted.get(row.number, ()), labels=labels, flags=flags)
             for row in rows]
    digits, _ = batch.postcode_parts([r.postcode_text for r in reads])
    agrees = batch.agreement(places, [r.place for r in reads], digits)
    suggestions = batch.suggestions(places, reads, digits, agrees)
    answers = iter(geocoder.geocode_many([r.query for r in reads if r.query is not None]))
    return [judge(read, found, None if read.query is None else next(answers), places,
                  geocoder, agrees=agree)
            for read, found, agree in zip(reads, suggestions, agrees, strict=True)]


def accept_suggestions(run: ImportRun, rows: Iterable[int] | None = None) -> int:
    """Accept the suggestions of ``rows`` (every row when None); returns how many.

    The rows' verdicts are dropped from ``run.checked``, so the next :func:`check_rows`
    with this run checks them again with the suggested values (and only them).
    """
    wanted = None if rows is None else set(rows)
    count = 0
    for number, verdict in list(run.checked.items()):
        if verdict.suggestions and (wanted is None or number in wanted):
            run.accepted[number] = (*run.accepted.get(number, ()), *verdict.suggestions)
            del run.checked[number]
            count += len(verdict.suggestions)
    return count


def count_statuses(verdicts: Iterable[RowVerdict]) -> dict[str, int]:
    """Number of rows per status, every status present (``{"ok": 3, ...}``)."""
    counts = dict.fromkeys(STATUSES, 0)
    for v in verdicts:
        counts[v.status] += 1
    return counts
