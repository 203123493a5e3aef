"""Checking an inflow file: new mbo infra students per school year and home area.

The mbo schools (or DUO open data) count their new infra students by home postcode
(PC4) or home municipality. Importing such a file flows like a partner list:

1. :func:`read_inflow` reads ``.xlsx`` or ``.csv`` bytes with the same reader
   (:func:`geo.intake.reading.read_table`: size limits, hostile archives, encodings)
   and recognises the columns through the synonyms of :data:`INFLOW_IMPORT_FIELDS`;
2. :func:`check_inflow` gives every non-empty row an :class:`InflowVerdict` — ``ok``,
   ``waarschuwing`` or ``fout`` — with Dutch messages that name the row's problem;
3. :func:`inflow_records` hands the rows that are not ``fout`` to
   :meth:`geo.register.inflow.InflowRegister.apply_import` (one transaction).

What a row needs
    * **Schooljaar**: ``2024-2025`` (also ``2024/2025`` or ``2024-25``).
    * **Postcode** (four digits; a full postcode is cut to its four digits) **or
      Gemeentecode** (``GM0361``, or the CBS number ``0361``) **or Gemeente** (a name).
      Units are joined on CBS codes, never on names: a name is only accepted when it is
      exactly the name of a municipality in the CBS table (a note says which code it
      became); a place name inside one municipality of the five regions counts there with
      a warning (old municipalities such as Heerhugowaard); anything else is a ``fout``
      with the closest municipality and its code as a suggestion.
    * **Aantal**: a whole number, 0 or more. ``<5`` (already suppressed by the source)
      cannot be added up and is a ``fout``.
    * **Bron**: who counted (a column, or the command's ``--bron``); re-importing the
      same school year and source replaces that set.
    * Optional **Opleiding**, **Locatie** (mbo place) and **Opmerking**.

A postcode or municipality outside the five regions is kept with a warning: it is stored
but counted in no unit. Bad rows never block good rows: a ``fout`` row is left out. A row
that repeats an earlier one (same school year, source, area, programme and place) is a
``fout``: it would be counted twice.

Messages never quote a count that is stored: a count is personal in small numbers, and
people see counts only through :mod:`geo.analysis.inflow` (suppressed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from rapidfuzz import fuzz, process

from geo import fields, vocabulary
from geo.addresses import parse_postcode
from geo.errors import ImportFileError, shown
from geo.intake.duplicates import mark_repeats
from geo.intake.rawtable import NoTable, RawTable
from geo.intake.reading import read_table
from geo.intake.records import kept_records, verdict_table
from geo.intake.verdicts import RowVerdict
from geo.reference.data import Reference
from geo.settings import Settings

#: The columns an inflow file may have (their synonyms are the headers recognised).
INFLOW_IMPORT_FIELDS: tuple[fields.Field, ...] = (
    fields.Field("schooljaar", "Schooljaar", fields.VOCABULARY, vocabulary="school_years",
                 synonyms=("Schooljaar", "Studiejaar", "Instroomjaar", "Jaar van instroom",
                           "Cohort"), weak_synonyms=("Jaar",)),
    fields.Field("postcode", "Postcode", fields.POSTCODE,
                 synonyms=("Postcode", "PC4", "Postcode 4", "Postcodecijfers", "Woonpostcode",
                           "Postcode woonadres", "Postcodegebied")),
    fields.Field("gemeentecode", "Gemeentecode", fields.VOCABULARY, vocabulary="gemeenten",
                 synonyms=("Gemeentecode", "GM-code", "CBS-code", "CBS-code gemeente",
                           "Gemeentenummer")),
    fields.Field("gemeente", "Gemeente", fields.VOCABULARY, vocabulary="gemeenten",
                 synonyms=("Gemeente", "Gemeentenaam", "Woongemeente", "Gemeente woonadres")),
    fields.Field("aantal", "Aantal", fields.INTEGER,
                 synonyms=("Aantal", "Instroom", "Aantal studenten", "Aantal instromers",
                           "Instromers", "Nieuwe studenten", "Aantal eerstejaars",
                           "Eerstejaars")),
    fields.Field("opleiding", "Opleiding",
                 synonyms=("Opleiding", "Opleidingsnaam", "Crebo", "Crebocode",
                           "Opleidingscode")),
    fields.Field("locatie", "Locatie",
                 synonyms=("Locatie", "Mbo-locatie", "Vestiging", "Instelling", "Mbo-school",
                           "School")),
    fields.Field("bron", "Bron", synonyms=("Bron", "Bron gegevens", "Herkomst")),
    fields.Field("opmerking", "Opmerking",
                 synonyms=("Opmerking", "Toelichting", "Notitie", "Notities")),
)

#: The fields stored verbatim as free text (any text is accepted and shown safely).
FREE_TEXT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in INFLOW_IMPORT_FIELDS if f.type == fields.TEXT)

#: Longest free text kept per field, in characters (a longer one is cut, with a warning).
MAX_TEXT_CHARS = 200

#: The largest count accepted in one row (more is a typing error, not one area's inflow).
MAX_COUNT = 10_000

#: Minimum similarity (0-100) for a suggested municipality.
SUGGESTION_SCORE = 80.0

_LABELS = {f.name: f.label for f in INFLOW_IMPORT_FIELDS}
_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})")
_GM_CODE = re.compile(r"(?:gm)?\s*(\d{1,4})", re.IGNORECASE)
_WHOLE = re.compile(r"\d+(?:[.,]0+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_SUPPRESSED = re.compile(r"[<≤]\s*=?\s*\d+")


def parse_school_year(text: object, *, today: date | None = None) -> str:
    """A school year as people write it, canonical: ``"2024/2025"``, ``"2024-25"`` → 2024-2025.

    Raises
    ------
    ValueError
        In Dutch, when the text is not two consecutive years, or lies before 1990 or
        after next school year.
    """
    given = str(text or "").strip()
    match = _SCHOOL_YEAR.fullmatch(given)
    if match:
        start, end = int(match[1]), int(match[2])
        if end == start + 1 or (len(match[2]) == 2 and end == (start + 1) % 100):
            latest = (today or date.today()).year + 1
            if not 1990 <= start <= latest:
                raise ValueError(f"schooljaar '{shown(given, 20)}' ligt niet tussen 1990 en "
                                 f"{latest}-{latest + 1}")
            return f"{start}-{start + 1}"
    if re.fullmatch(r"\d{4}", given):
        raise ValueError(f"'{given}' is één jaartal; schrijf het schooljaar als "
                         f"{given}-{int(given) + 1} of {int(given) - 1}-{given}")
    raise ValueError(f"'{shown(given, 20)}' is geen schooljaar; schrijf het als 2024-2025")


def parse_count(text: object) -> int:
    """A count as a spreadsheet writes it: ``12``, ``12,0``, ``1.250`` → int.

    Raises
    ------
    ValueError
        In Dutch: empty, negative, not whole, already suppressed (``<5``), too large.
    """
    given = str(text or "").strip().replace(" ", "")
    if not given:
        raise ValueError("aantal ontbreekt")
    if _SUPPRESSED.fullmatch(given):
        raise ValueError(f"aantal '{shown(given, 10)}' is al afgeschermd door de bron (een "
                         "getal tussen 0 en 4) en kan niet worden opgeteld; vraag de bron om "
                         "de echte aantallen of laat de rij weg")
    if given.startswith(("-", "\u2212")):
        raise ValueError(f"aantal '{shown(given, 12)}' is negatief")
    if _THOUSANDS.fullmatch(given):
        value = int(given.replace(".", ""))
    elif _WHOLE.fullmatch(given):
        value = int(re.split(r"[.,]", given)[0])
    elif re.fullmatch(r"\d+[.,]\d+", given):
        raise ValueError(f"aantal '{shown(given, 12)}' is geen heel getal")
    else:
        raise ValueError(f"aantal '{shown(given, 12)}' is geen getal")
    if value > MAX_COUNT:
        raise ValueError(f"aantal is groter dan {MAX_COUNT} voor één rij; is het goed "
                         "getypt?")
    return value


@dataclass(frozen=True)
class InflowVerdict(RowVerdict):
    """The verdict on one row of an inflow file (see :class:`RowVerdict`).

    ``name`` is the row as people read it (school year and area; never the count).
    ``record`` is what the register would store (empty for a ``fout``).
    """

    record: dict = field(default_factory=dict)


class Municipalities:
    """CBS municipality codes and names, and the five regions' place names, for matching.

    Parameters
    ----------
    reference : Reference
        ``gemeenten_rd`` (every Dutch municipality, 2024) and ``pc4`` (place names).
    """

    def __init__(self, reference: Reference) -> None:
        frame = reference.gemeenten_rd
        self.names = {str(c): str(n) for c, n in zip(frame["gemeentecode"],
                                                     frame["gemeentenaam"], strict=True)}
        self.by_name = {vocabulary.fold_text(n): c for c, n in self.names.items()}
        self.in_regions = set(reference.gemeentecodes)
        pc4 = reference.pc4
        self.pc4 = dict(zip(pc4["pc4"].astype(str), pc4["gemeentecode"].astype(str),
                            strict=True))
        self.places: dict[str, set[str]] = {}  # folded place name → codes in the regions
        for place, code in zip(pc4["plaats_certegis"], pc4["gemeentecode"], strict=True):
            if place and code in self.in_regions:
                self.places.setdefault(vocabulary.fold_text(place), set()).add(str(code))

    def described(self, code: str) -> str:
        """``"Alkmaar (GM0361)"``."""
        return f"{self.names.get(code, code)} ({code})"

    def closest(self, name: str) -> str | None:
        """The code of the municipality whose name is most like ``name``, or None."""
        best = process.extractOne(vocabulary.fold_text(name), list(self.by_name),
                                  scorer=fuzz.WRatio, score_cutoff=SUGGESTION_SCORE)
        return None if best is None else self.by_name[best[0]]


def read_inflow(data: bytes, filename: str, *, settings: Settings | None = None) -> RawTable:
    """Read an inflow file (``.xlsx`` or ``.csv``) into a :class:`RawTable`.

    Raises
    ------
    ImportFileError
        In Dutch, for everything :func:`~geo.intake.reading.read_table` refuses, and for a
        sheet without a school year, a count, or any area column.
    """
    try:
        table = read_table(data, filename, settings=settings, require_name=False,
                           columns=INFLOW_IMPORT_FIELDS)
    except NoTable as err:
        raise ImportFileError(
            f"In '{shown(filename)}' is geen kopregel van instroomcijfers gevonden. Zet boven "
            "de gegevens een regel met kolomnamen: Schooljaar, Postcode (of Gemeentecode), "
            "Aantal en Bron.") from err
    missing = [_LABELS[name] for name in ("schooljaar", "aantal") if name not in table.columns]
    if not {"postcode", "gemeentecode", "gemeente"} & set(table.columns):
        missing.append("Postcode of Gemeentecode")
    if missing:
        raise ImportFileError(
            f"'{shown(filename)}' mist een kolom voor: {', '.join(missing)}. Gevonden "
            f"kolommen: {', '.join(shown(c, 40) for c in table.header) or 'geen'}.")
    return table


# ------------------------------------------------------------------------------ one row


@dataclass
class _Row:
    record: dict
    problems: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _area(values: dict[str, str], out: _Row, towns: Municipalities) -> str:
    """Fill ``pc4`` and ``gemeentecode`` of the record; returns the area as people read it."""
    postcode = values.get("postcode", "").strip()
    code_text = values.get("gemeentecode", "").strip()
    name = values.get("gemeente", "").strip()
    code = None
    if postcode:
        parsed = parse_postcode(postcode)
        if parsed is None:
            out.problems.append(f"Postcode '{shown(postcode, 20)}' is geen Nederlandse "
                                "postcode (vier cijfers, zoals 1811).")
            return f"postcode {shown(postcode, 20)}"
        code = towns.pc4.get(parsed.pc4)
        if code is None:
            out.problems.append(f"Postcode {parsed.pc4} staat niet in de CBS-postcodetabel.")
            return f"postcode {parsed.pc4}"
        out.record["pc4"] = parsed.pc4
        given = _municipality(code_text, name, _Row({}), towns) if (code_text or name) else None
        if given is not None and given != code:
            out.remarks.append(f"Postcode {parsed.pc4} ligt in {towns.described(code)}, niet "
                               f"in {towns.described(given)}; de postcode telt.")
        where = f"postcode {parsed.pc4}"
    else:
        code = _municipality(code_text, name, out, towns)
        if code is None:
            if not (code_text or name):
                out.problems.append("Postcode en gemeente ontbreken: de rij hoort bij geen "
                                    "gebied.")
            return shown(code_text or name, 40) or "(geen gebied)"
        out.record["pc4"] = None
        where = towns.described(code)
    out.record["gemeentecode"] = code
    if code not in towns.in_regions:
        out.remarks.append(f"{where[0].upper()}{where[1:]} ligt in "
                           f"{towns.described(code)}, buiten de vijf regio's: de rij wordt "
                           "bewaard maar telt in geen gebied van de kaart.")
    return where


def _municipality(code_text: str, name: str, out: _Row, towns: Municipalities) -> str | None:
    """The GM code of a municipality given as a code or a name, or None (with a problem)."""
    if code_text:
        match = _GM_CODE.fullmatch(code_text)
        code = f"GM{int(match[1]):04d}" if match else None
        if code in towns.names:
            return code
        out.problems.append(f"Gemeentecode '{shown(code_text, 20)}' is geen CBS-gemeentecode "
                            "(zoals GM0361).")
        return None
    code = towns.by_name.get(vocabulary.fold_text(name))
    if code is not None:
        out.notes.append(f"Gemeente '{shown(name, 40)}' op naam herkend als "
                         f"{towns.described(code)}.")
        return code
    codes = towns.places.get(vocabulary.fold_text(name), set())
    if len(codes) == 1:
        code = next(iter(codes))
        out.remarks.append(f"'{shown(name, 40)}' is geen gemeente maar een plaats in "
                           f"{towns.described(code)}; daar geteld. Gebruik liever de "
                           "gemeentecode.")
        return code
    best = towns.closest(name)
    hint = (f"; bedoeld is waarschijnlijk {towns.described(best)}: vul die gemeentecode in "
            "als dat klopt") if best else "; gebruik de CBS-gemeentecode (zoals GM0361)"
    out.problems.append(f"Gemeente '{shown(name, 40)}' is niet gevonden{hint}.")
    return None


def _text(values: dict[str, str], name: str, out: _Row) -> str:
    text = " ".join(values.get(name, "").split())
    if len(text) > MAX_TEXT_CHARS:
        out.remarks.append(f"{_LABELS[name]}: langer dan {MAX_TEXT_CHARS} tekens; ingekort.")
        text = text[:MAX_TEXT_CHARS]
    return text


def _check_one(number: int, values: dict[str, str], remarks: tuple[str, ...],
               towns: Municipalities, source: str, today: date | None) -> InflowVerdict:
    out = _Row({"rij": number}, remarks=list(remarks))
    try:
        year = parse_school_year(values.get("schooljaar", ""), today=today)
        out.record["schooljaar"] = year
    except ValueError as err:
        year = ""
        out.problems.append(f"Schooljaar: {err}.")
    where = _area(values, out, towns)
    try:
        out.record["aantal"] = parse_count(values.get("aantal", ""))
    except ValueError as err:
        out.problems.append(f"{str(err)[0].upper()}{str(err)[1:]}.")
    bron = _text(values, "bron", out) or source
    if not bron:
        out.problems.append("Bron ontbreekt: vul een kolom Bron in (of gebruik --bron).")
    out.record["bron"] = bron
    for name in ("opleiding", "locatie", "opmerking"):
        out.record[name] = _text(values, name, out)
    label = " · ".join(part for part in (year, where) if part)
    return InflowVerdict(
        row=number, name=label, values=dict(values), problems=tuple(out.problems),
        remarks=tuple(out.remarks), notes=tuple(out.notes),
        record={} if out.problems else out.record)


def inflow_key(record: dict) -> tuple:
    """What makes a row unique within a set: school year, source, area, programme, place."""
    return (record["schooljaar"], vocabulary.fold_text(record["bron"]), record.get("pc4"),
            record["gemeentecode"] if record.get("pc4") is None else None,
            vocabulary.fold_text(record["opleiding"]), vocabulary.fold_text(record["locatie"]))


def check_inflow(table: RawTable, *, reference: Reference, source: str = "",
                 today: date | None = None) -> list[InflowVerdict]:
    """Check every row of an inflow file.

    Parameters
    ----------
    table : RawTable
        From :func:`read_inflow`.
    reference : Reference
        The CBS postcode and municipality tables.
    source : str
        The source of rows without one (the command's ``--bron``).
    today : date, optional
        For the latest school year accepted (default: today).

    Returns
    -------
    list of InflowVerdict
        One per non-empty row, in the order of the file.
    """
    towns = Municipalities(reference)
    source = " ".join(str(source or "").split())[:MAX_TEXT_CHARS]
    verdicts = [_check_one(row.number, row.values, row.remarks, towns, source, today)
                for row in table.rows]
    return mark_repeats(verdicts, inflow_key, _repeat)


def _repeat(verdict: InflowVerdict, earlier: int) -> InflowVerdict:
    return replace(verdict, record={}, problems=(
        f"Rij {verdict.row} herhaalt rij {earlier} (zelfde schooljaar, bron, gebied, "
        "opleiding en locatie); niet dubbel geteld.",))


def inflow_records(verdicts: Iterable[InflowVerdict]) -> list[dict]:
    """The records of the rows that are not ``fout``, for ``InflowRegister.apply_import``."""
    return kept_records(verdicts)


#: Columns of :func:`inflow_result_table`.
RESULT_COLUMNS = ("Rij", "Rij als gelezen", "Oordeel", "Melding")


def inflow_result_table(verdicts: Iterable[InflowVerdict]) -> pd.DataFrame:
    """The verdict of every row for people: row, school year and area, verdict, message."""
    return verdict_table(verdicts, name_column=RESULT_COLUMNS[1])
