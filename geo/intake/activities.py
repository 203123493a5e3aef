"""Checking a planning sheet: every row of activities gets a verdict, as partners do.

The team plans its activities in a spreadsheet. Importing one flows like a partner list:

1. :func:`read_planning` reads ``.xlsx`` or ``.csv`` bytes with the same reader
   (:func:`geo.intake.reading.read_table`: size limits, hostile archives, encodings)
   and recognises the columns through the synonyms of :mod:`geo.activities`;
2. :func:`check_planning` gives every non-empty row an :class:`ActivityVerdict` — ``ok``,
   ``waarschuwing`` or ``fout`` — with Dutch messages naming the field, and the record
   the register would store;
3. :func:`planning_records` hands the rows that are not ``fout`` to
   :meth:`geo.register.activities.Activities.apply_import` (one transaction).

What a row needs and how it is matched
    * **Soort activiteit**: one of :data:`geo.activities.ACTIVITY_KINDS` (by label, code
      or a synonym such as "Tech Your Talent"); an unknown kind is a ``fout`` that lists
      the kinds and, when one is close, suggests it.
    * **Datum**: ``dd-mm-jjjj``, ``3 oktober 2024`` or ``jjjj-mm-dd`` (a spreadsheet date
      cell too); the school year follows from it.
    * **School**: by ``Vestigingscode``, or by the school's name (with the place when a
      name has several locations). A name that is not found is a ``fout`` with the
      closest school and its code as a suggestion: an activity at the wrong school would
      count the wrong school as reached.
    * **Plaats / Gemeente** when not at a school: the municipality is found from the
      place (the bundled CBS place names) or the GM code or municipality name.
    * **Partner**: organisation names from the register, several separated by ``;``
      (or each on its own line); a name not found is a ``fout``, with the closest name
      as a suggestion. Add the organisation first (Beheer or ``infrakaart import``).
    * **Status**: gepland, gegeven or geannuleerd (or words like "uitgevoerd",
      "afgezegd"); empty: ``gegeven`` when the date has passed, else ``gepland``.
    * **Aantal leerlingen**: a whole number, or empty.
    * **Notities**, **Gastdocenten**: staff only; never quoted in a message.

Bad rows never block good rows: a ``fout`` row is left out, the rest is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from rapidfuzz import fuzz, process

from geo import activities, vocabulary
from geo.errors import ImportFileError, shown
from geo.intake.duplicates import mark_repeats
from geo.intake.rawtable import NoTable, RawRow, RawTable
from geo.intake.reading import read_table
from geo.intake.records import kept_records, verdict_table
from geo.intake.spelling import Suggestion, place_index, suggest_place
from geo.intake.verdicts import RowVerdict
from geo.reference.data import Reference
from geo.settings import Settings

#: The columns a planning sheet must have.
REQUIRED_COLUMNS = ("soort", "datum")

#: Minimum similarity (0–100) for a suggested school, partner or kind.
SUGGESTION_SCORE = 80.0

#: Kinds that belong at a school: without one the row gets a warning.
SCHOOL_KINDS = ("gastles_vo", "gastles_vmbo", "voorlichting", "snuffelstage")

_SEPARATORS = re.compile(r"\s*(?:;|\n|\|)\s*")
_GM_CODE = re.compile(r"gm\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class ActivityVerdict(RowVerdict):
    """The verdict on one row of a planning sheet (see :class:`RowVerdict`).

    ``name`` is the activity as people read it (kind, date, school or place; never a
    staff-only value). ``record`` is what the register would store (empty for a ``fout``).
    """

    record: dict = field(default_factory=dict)


def read_planning(data: bytes, filename: str, *, settings: Settings | None = None) -> RawTable:
    """Read a planning sheet (``.xlsx`` or ``.csv``) into a :class:`RawTable`.

    Raises
    ------
    ImportFileError
        In Dutch, for everything :func:`~geo.intake.reading.read_table` refuses, a sheet
        without a header of a planning, or without a kind or date column.
    """
    try:
        table = read_table(data, filename, settings=settings, require_name=False,
                           columns=activities.activity_import_fields())
    except NoTable as err:
        raise ImportFileError(
            f"In '{shown(filename)}' is geen kopregel van een planning gevonden. Zet boven de "
            "gegevens een regel met kolomnamen zoals Soort activiteit, Datum, School, "
            "Partner, Aantal leerlingen en Status.") from err
    labels = activities.activity_labels()
    missing = [labels[name] for name in REQUIRED_COLUMNS if name not in table.columns]
    if missing:
        raise ImportFileError(
            f"'{shown(filename)}' mist een kolom voor: {', '.join(missing)}. Gevonden "
            f"kolommen: {', '.join(shown(c, 40) for c in table.header) or 'geen'}.")
    return table


# ------------------------------------------------------------------------------ matching


class _Schools:
    """The register's schools by code and by name key."""

    def __init__(self, schools: pd.DataFrame) -> None:
        self.records = schools.to_dict("records")
        self.by_code = {str(s["vestigingscode"]): s for s in self.records
                        if s["vestigingscode"]}
        self.by_key: dict[str, list[dict]] = {}
        for s in self.records:
            self.by_key.setdefault(vocabulary.name_key(s["naam"]), []).append(s)

    @staticmethod
    def described(school: dict) -> str:
        return (f"'{school['naam']}' in {school['plaats'] or school['gemeentenaam']} "
                f"(vestigingscode {school['vestigingscode']})")

    @staticmethod
    def lies_in(school: dict, place: str) -> bool:
        wanted = vocabulary.fold_text(place)
        return wanted in (vocabulary.fold_text(school["plaats"]),
                          vocabulary.fold_text(school["gemeentenaam"]))

    def closest(self, name: str, place: str) -> dict | None:
        """The school most like ``name`` (in ``place`` when some school lies there)."""
        pool = [s for s in self.records if place and self.lies_in(s, place)] or self.records
        keys = [vocabulary.name_key(s["naam"]) for s in pool]
        best = process.extractOne(vocabulary.name_key(name), keys, scorer=fuzz.WRatio,
                                  score_cutoff=SUGGESTION_SCORE)
        return None if best is None else pool[best[2]]


class _Partners:
    """The register's organisations by name key."""

    def __init__(self, organisations: pd.DataFrame) -> None:
        self.by_key: dict[str, list[tuple[int, str]]] = {}
        for org_id, name in zip(organisations.get("id", []), organisations.get("naam", []),
                                strict=True):
            self.by_key.setdefault(vocabulary.name_key(name), []).append((int(org_id),
                                                                           str(name)))
        self.keys = list(self.by_key)

    def find(self, name: str) -> tuple[int | None, str]:
        """The id of the organisation called ``name``, or None and why (in Dutch)."""
        hits = self.by_key.get(vocabulary.name_key(name), [])
        if len(hits) == 1:
            return hits[0][0], ""
        if hits:
            numbers = ", ".join(str(i) for i, _ in hits)
            return None, (f"Partner '{shown(name, 60)}': meer dan één organisatie heet zo "
                          f"(nummers {numbers}); maak de namen in het register verschillend.")
        best = process.extractOne(vocabulary.name_key(name), self.keys, scorer=fuzz.WRatio,
                                  score_cutoff=SUGGESTION_SCORE) if self.keys else None
        hint = (f"; bedoeld is waarschijnlijk '{self.by_key[best[0]][0][1]}'"
                if best is not None else "")
        return None, (f"Partner '{shown(name, 60)}' staat niet in het register{hint}. Verbeter "
                      "de naam of voeg de organisatie eerst toe.")

    def split(self, text: str) -> list[str]:
        """The names in one cell: ``;``, ``|`` or a new line between them; else a comma."""
        names = [n for n in _SEPARATORS.split(text.strip()) if n]
        if len(names) == 1 and "," in names[0] and self.find(names[0])[0] is None:
            names = [n.strip() for n in names[0].split(",") if n.strip()]
        return names


@dataclass
class _Context:
    schools: _Schools
    partners: _Partners
    reference: Reference
    columns: frozenset[str]
    today: date
    towns: dict[str, str] = field(default_factory=dict)  # folded name or code → GM code

    def municipality(self, text: str) -> str | None:
        """The GM code of a municipality written as a code or a name, or None."""
        match = _GM_CODE.fullmatch(text.strip())
        if match:
            code = f"GM{match[1]}"
            return code if code in self.towns.values() else None
        return self.towns.get(vocabulary.fold_text(text))


# ------------------------------------------------------------------------------ one row


@dataclass
class _Row:
    """What the checks of one row collect."""

    record: dict
    problems: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    school: dict | None = None


def _kind(values: dict, out: _Row) -> None:
    text = values.get("soort", "").strip()
    code = activities.kind_from_text(text)
    if code is not None:
        out.record["soort"] = code
        return
    allowed = activities.activity_kind_labels()
    if not text:
        out.problems.append(f"Soort activiteit: niet ingevuld; kies uit {allowed}.")
        return
    words = activities.kind_words()
    best = process.extractOne(vocabulary.fold_text(text), list(words), scorer=fuzz.WRatio,
                              score_cutoff=SUGGESTION_SCORE)
    hint = ""
    if best is not None:
        label = activities.activity_kind_label(words[best[0]])
        hint = f" (bedoeld is waarschijnlijk {label})"
        out.suggestions.append(Suggestion("soort", text, words[best[0]],
                                          f"Soort '{text}' lijkt op {label}."))
    out.problems.append(f"Soort activiteit: '{shown(text, 40)}' is onbekend{hint}; kies uit "
                        f"{allowed}.")


def _date(values: dict, out: _Row, today: date) -> date | None:
    try:
        day = activities.parse_date(values.get("datum", ""))
    except ValueError as err:
        out.problems.append(f"Datum: {err}.")
        return None
    out.record["datum"] = day.isoformat()
    given = values.get("schooljaar", "").strip()
    if given:
        year = activities.school_year(day)
        try:
            agrees = activities.parse_school_year(given) == year
        except ValueError:
            agrees = False
        if not agrees:
            out.remarks.append(f"Schooljaar: '{shown(given, 20)}' past niet bij de datum; die "
                               f"valt in schooljaar {year}, dat wordt aangehouden.")
    return day


def _status(values: dict, out: _Row, day: date | None, ctx: _Context) -> None:
    if "status" not in ctx.columns:
        return  # the register decides for new activities; stored ones keep theirs
    text = values.get("status", "").strip()
    if text:
        status = activities.status_from_text(text)
        if status is None:
            out.problems.append(f"Status: '{shown(text, 30)}' is onbekend; kies uit "
                                "gepland, gegeven of geannuleerd.")
        else:
            out.record["status"] = status
    elif day is not None:
        status = activities.status_for_date(day, ctx.today)
        out.record["status"] = status
        out.notes.append(f"Status niet ingevuld: als '{status}' gelezen (de datum is "
                         + ("voorbij)." if status == activities.GIVEN else "nog niet geweest)."))


def _pupils(values: dict, out: _Row, ctx: _Context) -> None:
    if "aantal_leerlingen" not in ctx.columns:
        return
    text = values.get("aantal_leerlingen", "").strip()
    if not text:
        out.record["aantal_leerlingen"] = None
    elif re.fullmatch(r"\d+", text):
        out.record["aantal_leerlingen"] = int(text)
    else:
        out.problems.append(f"Aantal leerlingen: '{shown(text, 20)}' is geen heel getal; "
                            "vul een aantal in (of laat de cel leeg).")


def _school(values: dict, out: _Row, ctx: _Context) -> None:
    code = activities.school_code(values.get("vestigingscode"))
    name = values.get("school", "").strip()
    place = values.get("plaats", "").strip()
    if code:
        school = ctx.schools.by_code.get(code)
        if school is None:
            out.problems.append(f"Vestigingscode '{shown(code, 12)}' staat niet in het "
                                "register (de DUO-scholen voor voortgezet onderwijs in de vijf "
                                "regio's, en scholen die het team heeft toegevoegd).")
            return
        if name and vocabulary.name_key(name) != vocabulary.name_key(school["naam"]) and (
                fuzz.WRatio(vocabulary.name_key(name), vocabulary.name_key(school["naam"]))
                < SUGGESTION_SCORE):
            out.remarks.append(f"School: '{shown(name, 60)}' past niet bij vestigingscode "
                               f"{code} ({school['naam']}); de vestigingscode is aangehouden.")
        out.school = school
    elif name:
        out.school = _school_by_name(name, place, out, ctx)
    if out.school is not None:
        out.record["vestigingscode"] = out.school["vestigingscode"]


def _school_by_name(name: str, place: str, out: _Row, ctx: _Context) -> dict | None:
    hits = ctx.schools.by_key.get(vocabulary.name_key(name), [])
    if place:
        hits = [s for s in hits if ctx.schools.lies_in(s, place)]
    if len(hits) == 1:
        out.notes.append(f"School gevonden op naam: {_Schools.described(hits[0])}.")
        return hits[0]
    if len(hits) > 1:
        found = "; ".join(_Schools.described(s) for s in hits[:5])
        out.problems.append(f"School '{shown(name, 60)}' heeft meer dan één vestiging: {found}. "
                            "Vul de vestigingscode in.")
        return None
    where = f" in {shown(place, 40)}" if place else ""
    best = ctx.schools.closest(name, place)
    if best is None:
        out.problems.append(f"School '{shown(name, 60)}'{where} staat niet in het register. Vul "
                            "de vestigingscode in, of laat School leeg en vul de plaats in.")
        return None
    out.suggestions.append(Suggestion("vestigingscode", name, best["vestigingscode"],
                                      f"School '{name}' lijkt op {_Schools.described(best)}."))
    out.problems.append(f"School '{shown(name, 60)}'{where} is niet precies gevonden; bedoeld "
                        f"is waarschijnlijk {_Schools.described(best)}. Vul die vestigingscode "
                        "in als dat klopt.")
    return None


def _place(values: dict, out: _Row, ctx: _Context) -> None:
    """The municipality and place of an activity that is not at a school."""
    place = values.get("plaats", "").strip()
    town = (values.get("gemeente", "") or values.get("gemeentecode", "")).strip()
    if "plaats" in ctx.columns:
        out.record["plaats"] = place
    code = None
    if town:
        code = ctx.municipality(town)
        if code is None:
            out.remarks.append(f"Gemeente '{shown(town, 40)}' is onbekend (gebruik de naam of "
                               "de CBS-code, zoals GM0361); de activiteit telt in geen gemeente.")
    elif place:
        index = place_index(ctx.reference)
        codes = index.municipalities(place)
        if len(codes) > 1:  # Hoorn (also on Terschelling): the one in the five regions
            codes = (codes & set(ctx.reference.gemeentecodes)) or codes
        if len(codes) == 1:
            code = next(iter(codes))
        elif codes:
            out.remarks.append(f"Plaats '{shown(place, 40)}' ligt in meer dan één gemeente; "
                               "vul de gemeente in om hem mee te tellen.")
        else:
            hint = suggest_place(index, place)
            if hint is not None:
                out.suggestions.append(hint)
            out.remarks.append(f"Plaats '{shown(place, 40)}' is onbekend"
                               + (f" (lijkt op {hint.suggestion})" if hint else "")
                               + "; de activiteit telt in geen gemeente.")
    if {"gemeente", "gemeentecode", "plaats"} & ctx.columns:
        out.record["gemeentecode"] = code
    if not (place or town):
        out.remarks.append("Geen school en geen plaats: de activiteit telt niet mee per school "
                           "of gemeente.")
    elif out.record.get("soort") in SCHOOL_KINDS:
        out.remarks.append(f"Een {activities.activity_kind_label(out.record['soort'])} hoort "
                           "bij een school: zonder school telt hij niet mee bij de bereikte "
                           "scholen.")


def _partners(values: dict, out: _Row, ctx: _Context) -> None:
    if "partners" not in ctx.columns:
        return
    ids: list[int] = []
    for name in ctx.partners.split(values.get("partners", "")):
        org_id, problem = ctx.partners.find(name)
        if org_id is None:
            out.problems.append(problem)
        elif org_id not in ids:
            ids.append(org_id)
    out.record[activities.PARTNERS] = ids


def _check_one(row: RawRow, ctx: _Context) -> ActivityVerdict:
    values = row.values
    out = _Row(record={"rij": row.number}, remarks=list(row.remarks))
    _kind(values, out)
    day = _date(values, out, ctx.today)
    _status(values, out, day, ctx)
    _pupils(values, out, ctx)
    _school(values, out, ctx)
    if out.school is None and not (values.get("vestigingscode") or values.get("school")):
        _place(values, out, ctx)
    _partners(values, out, ctx)
    for name in ("notities", "gastdocenten"):
        if name in ctx.columns:
            out.record[name] = values.get(name, "")
    kind = out.record.get("soort")
    title = " · ".join(t for t in (
        activities.activity_kind_label(kind) if kind else shown(values.get("soort", ""), 40),
        activities.dutch_date(out.record.get("datum")) or shown(values.get("datum", ""), 20),
        out.school["naam"] if out.school else shown(values.get("school") or
                                                    values.get("plaats", ""), 60)) if t)
    return ActivityVerdict(
        row=row.number, name=title, values=dict(values), problems=tuple(out.problems),
        remarks=tuple(out.remarks), notes=tuple(out.notes),
        suggestions=tuple(out.suggestions),
        record={} if out.problems else out.record)


def check_planning(table: RawTable, *, schools: pd.DataFrame, organisations: pd.DataFrame,
                   reference: Reference, today: date | None = None) -> list[ActivityVerdict]:
    """Give every row of a planning sheet a verdict and the record to store.

    Parameters
    ----------
    table : RawTable
        From :func:`read_planning`.
    schools : pandas.DataFrame
        The register's schools (:meth:`~geo.register.store.Store.schools`).
    organisations : pandas.DataFrame
        The organisations partners are matched against (``id``, ``naam``; public data).
    reference : Reference
        Place and municipality names.
    today : date, optional
        For the status of a row without one (default: today).

    Returns
    -------
    list of ActivityVerdict
        One per non-empty row, in the order of the file. Rows with the same kind, date
        and school as an earlier row say so (a note: both are imported).
    """
    towns: dict[str, str] = {}
    frame = reference.gemeenten_rd
    for code, name in zip(frame["gemeentecode"], frame["gemeentenaam"], strict=True):
        towns[vocabulary.fold_text(name)] = str(code)
    ctx = _Context(_Schools(schools), _Partners(organisations), reference,
                   frozenset(table.fields), today or date.today(), towns)
    verdicts = [_check_one(row, ctx) for row in table.rows]
    return mark_repeats(verdicts, activities.import_key, _repeat)


def _repeat(verdict: ActivityVerdict, earlier: int) -> ActivityVerdict:
    return replace(verdict, notes=(*verdict.notes, (
        f"Zelfde soort, datum en school of plaats als rij {earlier}; beide worden als "
        "aparte activiteit opgenomen.")))


def planning_records(verdicts: Iterable[ActivityVerdict]) -> list[dict]:
    """The records of the rows that are not ``fout``, for ``Activities.apply_import``."""
    return kept_records(verdicts)


#: Columns of :func:`planning_result_table`.
RESULT_COLUMNS = ("Rij", "Activiteit", "Oordeel", "Melding")


def planning_result_table(verdicts: Iterable[ActivityVerdict]) -> pd.DataFrame:
    """The verdict of every row for people: row, activity, verdict, message (Dutch).

    The messages never quote notes or guest teachers.
    """
    return verdict_table(verdicts, name_column=RESULT_COLUMNS[1])
