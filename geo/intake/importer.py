"""Spreadsheet import: file → table → rows with verdicts → records for the register.

The flow is split in pure steps so each can be tested and shown in a preview:

1. :func:`read_table` (in :mod:`geo.intake.reading`, re-exported here) reads ``.xlsx`` or
   ``.csv`` bytes as Dutch offices produce them (``;``/``,``/tab separators, UTF-8 with
   or without BOM, Windows-1252, UTF-16, a title row or empty rows above the header,
   header synonyms), within bounds, into a :class:`RawTable` whose rows keep the row
   numbers the user sees in Excel.
2. :func:`check_rows` gives every non-empty row a :class:`RowVerdict` — ``ok``,
   ``waarschuwing`` (placed, with a remark) or ``fout`` (not placed) — with a Dutch
   message naming the field. Geocoding goes through the :class:`~geo.intake.geocoding.Geocoder`
   given; long runs report progress, can be stopped and resumed (:class:`ImportRun`).
3. :func:`to_records` turns the verdicts into records for
   :meth:`geo.register.store.Store.apply_import`; :func:`result_table` is the per-row result the
   CLI writes and the page shows.

Text is stored verbatim (HTML in a name included); escaping happens on display.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from geo.addresses import is_po_box, parse_postcode, place_key
from geo.intake.geocoding import AddressQuery, Geocoder
from geo.intake.rawtable import (
    FIELD_LABELS,
    RawRow,
    RawTable,
    header_field,  # noqa: F401 - re-exported: callers import it from here
)
from geo.intake.reading import _cell_text, read_table  # noqa: F401 - read_table re-exported
from geo.reference.data import Reference
from geo.reference.gazetteer import Location
from geo.reference.regions import assign_areas
from geo.register.store import INVALID_EMAIL_NOTE, name_key, normalise_soort

log = logging.getLogger(__name__)

#: Kinds of import: the partner register or user-added schools.
KINDS = ("partners", "scholen")

#: Verdicts, from good to bad.
STATUSES = ("ok", "waarschuwing", "fout")

#: Columns of :func:`result_table`, in order (the CLI's result CSV).
RESULT_COLUMNS = [
    "rij", "naam", "status", "nauwkeurigheid", "gemeentecode", "gemeentenaam", "subregio",
    "arbeidsmarktregio_code", "arbeidsmarktregio", "lat", "lon", "melding",
]

#: Names at the same postcode at least this similar are reported as possible duplicates.
SIMILAR_NAME_RATIO = 0.9

_TRUE = {"ja", "j", "x", "1", "true", "waar", "yes", "y", "v", "✓", "✔", "donateur", "actief"}
_FALSE = {"nee", "n", "0", "false", "onwaar", "no", "-", "niet", "inactief", "geen"}


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class RowVerdict:
    """The verdict on one input row.

    Attributes
    ----------
    rij : int
        Row number as the user sees it in Excel.
    naam : str
        The organisation's name, verbatim.
    values : dict
        Field → text as given (see :class:`RawRow`).
    lat, lon : float or None
        WGS84 location; None when not placed.
    nauwkeurigheid : str
        Precision code (:data:`geo.reference.gazetteer.PRECISIONS`), ``"geen"`` when not placed.
    bron : str
        Geocoder that placed the row (``"pdok"``, ``"offline"``) or empty.
    label : str
        What the geocoder found, e.g. ``"Dorpsstraat 1, 1703AB Heerhugowaard"``.
    candidates : tuple of Location
        Alternatives the geocoder offered (for the review list).
    problems : tuple of str
        Dutch messages that make the row a ``fout``.
    remarks : tuple of str
        Dutch messages that make the row a ``waarschuwing``.
    notes : tuple of str
        Informational Dutch messages (status unchanged).
    areas : dict
        ``gemeentecode``, ``gemeentenaam``, ``subregio``, ``arbeidsmarktregio_code``,
        ``arbeidsmarktregio``, ``in_werkgebied`` (filled after checking).
    existing_id : int or None
        The register id of the same organisation (or school): importing updates it.
    existing_version : int or None
        The ``versie`` of that organisation when the row was checked; importing refuses
        to overwrite a newer version (see :meth:`geo.register.store.Store.apply_import`).
    duplicate_of : int or None
        Row number of an earlier row in the file for the same organisation; this row is
        then not imported separately.
    skip : str
        Dutch reason why the row is not turned into a record, or empty.
    keep_location : bool
        True when the row updates an organisation that was placed by hand at the same
        address: the record then leaves its location alone.
    register_note : str
        What importing will do to the register (``"wordt bijgewerkt"``); shown, but not
        stored with the organisation, so re-importing an unchanged file changes nothing.
    """

    rij: int
    naam: str
    values: dict[str, str]
    lat: float | None = None
    lon: float | None = None
    nauwkeurigheid: str = "geen"
    bron: str = ""
    label: str = ""
    candidates: tuple[Location, ...] = ()
    problems: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    areas: dict[str, object] = field(default_factory=dict)
    existing_id: int | None = None
    existing_version: int | None = None
    duplicate_of: int | None = None
    skip: str = ""
    keep_location: bool = False
    register_note: str = ""

    @property
    def status(self) -> str:
        """``"fout"``, ``"waarschuwing"`` or ``"ok"``."""
        if self.problems:
            return "fout"
        if self.remarks:
            return "waarschuwing"
        return "ok"

    @property
    def melding(self) -> str:
        """All messages for this row in one Dutch sentence sequence."""
        return " ".join(
            m for m in (*self.problems, *self.remarks, *self.notes, self.register_note) if m
        )

    @property
    def stored_melding(self) -> str:
        """The messages kept with the organisation (about its data, not this import)."""
        return " ".join(m for m in (*self.problems, *self.remarks, *self.notes) if m)

    @property
    def placed(self) -> bool:
        """True when the row has a location."""
        return self.lat is not None and self.lon is not None


@dataclass
class ImportRun:
    """State of one (possibly interrupted) check of an import file.

    :func:`check_rows` stores every row it has checked here as soon as it is done, so
    an interruption (a stop request, a Streamlit rerun) loses nothing; calling it again
    with the same run checks only the remaining rows.

    Attributes
    ----------
    table : RawTable
        The file being checked.
    kind : str
        ``"partners"`` or ``"scholen"``.
    checked : dict
        Row number → verdict of the per-row check (before duplicate and area checks).
    """

    table: RawTable
    kind: str = "partners"
    checked: dict[int, RowVerdict] = field(default_factory=dict)

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


#: Value of a yes/no field when its cell is empty or not understood.
_FLAG_DEFAULTS = {"donateur": False, "actief": True}


def _parse_flag(text: str, label: str, *, default: bool = False) -> tuple[bool | None, str]:
    """``ja/nee/x/1/true`` → bool; (None, remark) when not understood; (None, "") if empty."""
    key = text.strip().casefold().rstrip(".")
    if not key:
        return None, ""
    if key in _TRUE:
        return True, ""
    if key in _FALSE:
        return False, ""
    reading = "ja" if default else "nee"
    return None, f"{label}: '{text}' niet begrepen (gebruik ja of nee); als '{reading}' gelezen."


_POSTCODE_IN_TEXT = re.compile(r"^\s*([1-9][0-9]{3}\s*[A-Za-z]{2})\b[\s,]*(.*)$")


def _split_postcode_place(values: dict[str, str]) -> tuple[str, str]:
    """Postcode and place, also when written together in one cell (``1703 AB Heerhugowaard``)."""
    postcode = values.get("postcode", "").strip()
    plaats = values.get("plaats", "").strip()
    if postcode and parse_postcode(postcode) is None:  # "1703 AB Heerhugowaard"
        match = _POSTCODE_IN_TEXT.match(postcode)
        if match and match.group(2):
            postcode, plaats = match.group(1), plaats or match.group(2).strip()
    if not postcode:
        match = _POSTCODE_IN_TEXT.match(plaats)
        if match:
            postcode, plaats = match.group(1), match.group(2).strip()
    if not postcode:  # "Dorpsstraat 1, 1703 AB Heerhugowaard" in the address column
        straat = values.get("straat", "")
        match = re.search(r",\s*([1-9][0-9]{3}\s*[A-Za-z]{2})\b\s*(.*)$", straat)
        if match:
            postcode = match.group(1)
            plaats = plaats or match.group(2).strip(" ,")
            values["straat"] = straat[: match.start()].strip()
    if not plaats and values.get("gemeente", "").strip():
        plaats = values["gemeente"].strip()
    return postcode, plaats


_PHONE_CHARACTERS = re.compile(r"[0-9+()\-\s./]+")


def _contact_notes(values: dict[str, str]) -> list[str]:
    """Notes on the contact fields; fixes a phone number that lost its leading zero.

    The notes name the field and what is wrong but never the value: contact data are
    personal, and the notes end up in the public ``melding``.
    """
    notes = []
    phone = values.get("telefoon", "").strip()
    if re.fullmatch(r"[1-9]\d{8}", phone):  # a number cell lost its leading zero
        values["telefoon"] = phone = "0" + phone
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE_CHARACTERS.fullmatch(phone) or not 8 <= digits <= 15:
            notes.append("Telefoon: ongeldig telefoonnummer; controleer de telefoonkolom "
                         "van deze rij.")
    email = values.get("email", "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        notes.append(INVALID_EMAIL_NOTE)
    if "@" in values.get("contactpersoon", ""):
        notes.append("Contactpersoon: lijkt een e-mailadres in plaats van een naam; "
                     "controleer de kolom contactpersoon van deze rij.")
    return notes


def _sentence_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _new_sentences(message: str, said: Sequence[str]) -> list[str]:
    """Sentences of ``message`` that do not repeat something in ``said``."""
    known = [_sentence_key(s) for s in said]
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", message.strip()):
        key = _sentence_key(sentence)
        if key and not any(k.startswith(key) or key in k for k in known):
            out.append(sentence)
            known.append(key)
    return out


def _check_one(row: RawRow, geocoder: Geocoder, kind: str) -> RowVerdict:
    """Check and geocode one row (no duplicate or area checks yet)."""
    values = dict(row.values)
    naam = values.get("naam", "").strip()
    problems: list[str] = []
    remarks: list[str] = list(row.remarks)  # how the text was read (geo.intake.reading)
    notes: list[str] = []
    postcode_text, plaats = _split_postcode_place(values)
    straat = values.get("straat", "").strip()
    land = values.get("land", "").strip()
    postcode = parse_postcode(postcode_text) if postcode_text else None
    if postcode is not None:
        values["postcode"] = str(postcode)
    elif postcode_text:
        values["postcode"] = postcode_text
    if plaats:
        values["plaats"] = plaats
    values["straat"] = straat

    for flag, default in _FLAG_DEFAULTS.items():
        if flag in values:
            _, remark = _parse_flag(values[flag], FIELD_LABELS[flag], default=default)
            if remark:
                remarks.append(remark)
    notes.extend(_contact_notes(values))

    if not naam:
        problems.append("Naam: ontbreekt; de rij wordt niet in het register opgenomen.")
        return RowVerdict(row.rij, naam, values, problems=tuple(problems),
                          remarks=tuple(remarks), notes=tuple(notes),
                          skip="geen naam")
    query = AddressQuery(straat=straat, postcode=postcode_text, plaats=plaats, land=land)
    if not query.is_dutch:
        problems.append(
            f"Land: buitenlands adres ({land}); alleen adressen in Nederland worden geplaatst."
        )
    elif not (straat or postcode_text or plaats):
        problems.append("Adres: straat, postcode en plaats ontbreken; niet geplaatst.")
    elif postcode_text and postcode is None:
        problems.append(
            f"Postcode: '{postcode_text}' is geen geldige Nederlandse postcode (onjuist of "
            "buitenlands); niet geplaatst."
        )
    if problems:
        return RowVerdict(row.rij, naam, values, problems=tuple(problems),
                          remarks=tuple(remarks), notes=tuple(notes))

    po_box = is_po_box(straat)
    if po_box:
        query = replace(query, straat="")
    result = geocoder.geocode(query)
    location = result.location
    if location is None:
        message = result.message or "het adres is niet gevonden."
        field_name = "Adres"
        if not straat and not postcode_text:
            field_name = "Plaats"
        if not message.casefold().startswith(field_name.casefold()):
            message = f"{field_name}: {message}"
        problems.append(f"{message} Niet geplaatst.")
        return RowVerdict(row.rij, naam, values, bron=result.source,
                          candidates=tuple(result.candidates), problems=tuple(problems),
                          remarks=tuple(remarks), notes=tuple(notes))
    if po_box:
        remarks.append(
            "Postbus: geplaatst op de postcode van de postbus, niet op het gebouw; "
            "vul zo mogelijk het bezoekadres in."
        )
    if location.precision == "plaats":
        remarks.append("Alleen op plaatsnaam geplaatst (kan kilometers afwijken).")
    went_offline = result.source == "offline" and getattr(geocoder, "went_offline", False)
    if went_offline:
        reason = getattr(geocoder, "offline_reason", "") or "PDOK was niet te gebruiken."
        remarks.append(f"{reason} Daarom offline geplaatst (minder precies).")
    for message in (result.message, location.note):
        notes.extend(
            s for s in _new_sentences(message, [*remarks, *notes])
            if not (went_offline and _sentence_key(s).startswith("pdok onbereikbaar"))
        )
    return RowVerdict(
        row.rij, naam, values, lat=location.lat, lon=location.lon,
        nauwkeurigheid=location.precision, bron=result.source, label=location.label,
        candidates=tuple(result.candidates), problems=tuple(problems),
        remarks=tuple(remarks), notes=tuple(notes),
    )


def _name_key(naam: object) -> str:
    return name_key(str(naam or ""))


def _postcode_key(postcode: object, plaats: object = "") -> str:
    """Normalised postcode (``1703AB`` or ``1703``), else ``plaats:<name>``, else empty."""
    parsed = parse_postcode(postcode) if postcode is not None and str(postcode).strip() else None
    if parsed is not None:
        return parsed.pc6 or parsed.pc4
    if postcode is not None and str(postcode).strip() and str(postcode) != "nan":
        return "?" + re.sub(r"\s+", "", str(postcode)).casefold()
    place = place_key(plaats) if plaats is not None and str(plaats) != "nan" else ""
    return f"plaats:{place}" if place else ""


def _similar(a: str, b: str) -> bool:
    return bool(a and b) and difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME_RATIO


def _describe_postcode(key: str) -> str:
    if key.startswith("plaats:"):
        return f"plaats {key[7:]}"
    if key.startswith("?"):
        return f"postcode {key[1:]}"
    return f"postcode {key}" if key else "zonder postcode"


def _with_areas(verdicts: list[RowVerdict], reference: Reference) -> list[RowVerdict]:
    """Add municipality, subregion and region; remark rows outside the five regions."""
    lon = np.array([v.lon if v.placed else np.nan for v in verdicts], dtype=float)
    lat = np.array([v.lat if v.placed else np.nan for v in verdicts], dtype=float)
    areas = assign_areas(lon, lat, reference) if verdicts else pd.DataFrame()
    out = []
    for i, verdict in enumerate(verdicts):
        if not verdict.placed:
            out.append(replace(verdict, areas={}))
            continue
        row = {k: (None if pd.isna(v) else v) for k, v in areas.iloc[i].to_dict().items()}
        remarks = verdict.remarks
        if not row.get("in_werkgebied"):
            where = row.get("gemeentenaam") or "buiten Nederland of op zee"
            remarks = (*remarks, f"Ligt buiten de vijf arbeidsmarktregio's ({where}).")
        out.append(replace(verdict, areas=row, remarks=remarks))
    return out


def _address_key(straat: object, postcode: object, plaats: object) -> tuple[str, str, str]:
    def text(value: object) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else str(
            value)

    return (
        " ".join(text(straat).casefold().split()),
        _postcode_key(text(postcode)),
        place_key(text(plaats)),
    )


def _existing_index(existing: pd.DataFrame | None, kind: str) -> list[dict]:
    if existing is None or existing.empty:
        return []
    rows = []
    for rec in existing.to_dict("records"):
        naam = rec.get("naam")
        if naam is None or (isinstance(naam, float) and naam != naam):
            continue
        version = rec.get("versie")
        rows.append({
            "id": int(rec["id"]),
            "versie": None if version is None or pd.isna(version) else int(version),
            "naam": str(naam),
            "key": _name_key(naam),
            "pc": _postcode_key(rec.get("postcode"), rec.get("plaats")),
            "vestigingscode": str(rec.get("vestigingscode") or "").strip().upper(),
            "bron": str(rec.get("bron") or ""),
            "handmatig": rec.get("nauwkeurigheid") == "handmatig",
            "adres": _address_key(rec.get("straat"), rec.get("postcode"), rec.get("plaats")),
        })
    return rows


def _with_duplicates(
    verdicts: list[RowVerdict], existing: pd.DataFrame | None, kind: str
) -> list[RowVerdict]:
    """Mark rows that are the same (or possibly the same) as another row or the register."""
    register = _existing_index(existing, kind)
    by_key: dict[tuple[str, str], dict] = {}
    by_pc: dict[str, list[dict]] = {}
    by_name: dict[str, list[dict]] = {}
    by_code: dict[str, dict] = {}
    for rec in register:
        by_key.setdefault((rec["key"], rec["pc"]), rec)
        by_pc.setdefault(rec["pc"], []).append(rec)
        by_name.setdefault(rec["key"], []).append(rec)
        if rec["vestigingscode"]:
            by_code.setdefault(rec["vestigingscode"], rec)

    seen_key: dict[tuple[str, str], RowVerdict] = {}
    seen_pc: dict[str, list[tuple[str, RowVerdict]]] = {}
    seen_name: dict[str, list[tuple[str, RowVerdict]]] = {}
    out: list[RowVerdict] = []
    for verdict in verdicts:
        if not verdict.naam:
            out.append(verdict)
            continue
        key = _name_key(verdict.naam)
        pc = _postcode_key(verdict.values.get("postcode"), verdict.values.get("plaats"))
        remarks = list(verdict.remarks)
        notes = list(verdict.notes)
        existing_id = None
        existing_version = None
        duplicate_of = None
        keep_location = False
        register_note = ""
        skip = verdict.skip

        first = seen_key.get((key, pc))
        if first is not None:
            duplicate_of = first.rij
            skip = skip or "dubbel"
            remarks.append(
                f"Dubbel in het bestand: zelfde organisatie als rij {first.rij}; deze rij "
                "wordt niet apart opgenomen."
            )
        else:
            seen_key[(key, pc)] = verdict
            for other_key, other in seen_pc.get(pc, []) if pc else []:
                if other_key != key and _similar(key, other_key):
                    remarks.append(f"Mogelijk dubbel met rij {other.rij} ('{other.naam}').")
                    break
            for _, other in seen_name.get(key, []):
                remarks.append(
                    f"Mogelijk dubbel met rij {other.rij} ('{other.naam}', andere postcode)."
                )
                break
            seen_pc.setdefault(pc, []).append((key, verdict))
            seen_name.setdefault(key, []).append((key, verdict))

            code = verdict.values.get("vestigingscode", "").strip().upper()
            match = (by_code.get(code) if code else None) or by_key.get((key, pc))
            if match is not None and kind == "scholen" and match["bron"] == "duo":
                skip = skip or "duo"
                remarks.append(
                    f"Staat al in de DUO-scholenlijst als '{match['naam']}' (nr. {match['id']}); "
                    "niet opnieuw toegevoegd."
                )
            elif match is not None:
                existing_id = match["id"]
                existing_version = match["versie"]
                register_note = f"Staat al in het register (nr. {match['id']}): wordt bijgewerkt."
                same_address = match["adres"] == _address_key(
                    verdict.values.get("straat"), verdict.values.get("postcode"),
                    verdict.values.get("plaats"))
                if match["handmatig"] and same_address:
                    keep_location = True
                    register_note += " De handmatig geplaatste locatie blijft behouden."
            else:
                for rec in by_pc.get(pc, []) if pc else []:
                    if _similar(key, rec["key"]):
                        remarks.append(
                            f"Mogelijk dubbel met '{rec['naam']}' (nr. {rec['id']}) in het "
                            "register."
                        )
                        break
                for rec in by_name.get(key, []):
                    remarks.append(
                        f"Mogelijk dubbel met '{rec['naam']}' (nr. {rec['id']}, "
                        f"{_describe_postcode(rec['pc'])}) in het register."
                    )
                    break
        out.append(replace(verdict, remarks=tuple(remarks), notes=tuple(notes),
                           existing_id=existing_id, existing_version=existing_version,
                           duplicate_of=duplicate_of, skip=skip,
                           keep_location=keep_location, register_note=register_note))
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
    return _with_duplicates(_with_areas(list(verdicts), reference), existing, kind)


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
        From :func:`read_table`.
    geocoder : Geocoder
        Places the addresses (its cache and offline fallback apply).
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
    for row in table.rows:
        if row.rij in run.checked:
            continue
        if should_stop is not None and should_stop():
            log.info("import check stopped after %d of %d rows", run.done, total)
            break
        run.checked[row.rij] = _check_one(row, geocoder, kind)
        if progress is not None:
            progress(run.done, total)
    done = [run.checked[row.rij] for row in table.rows if row.rij in run.checked]
    return finish_verdicts(done, reference=reference, existing=existing, kind=kind)


# --------------------------------------------------------------------------- output

_PARTNER_TEXT_FIELDS = (
    "straat", "postcode", "plaats", "land", "website", "contactpersoon", "email", "telefoon",
    "notities",
)
_AREA_FIELDS = (
    "gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code", "arbeidsmarktregio",
)


def _ambassador(text: str, reference: Reference | None, areas: dict) -> str | None:
    value = text.strip()
    if not value:
        return None
    flag, _ = _parse_flag(value, "")
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
        From :func:`check_rows`.
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
    records = []
    for v in verdicts:
        if v.skip or not v.naam:
            continue
        present = fields if fields is not None else set(v.values)

        def has(name: str, present: set[str] = present) -> bool:
            return name in present

        rec: dict[str, object] = {"rij": v.rij, "naam": v.naam}
        if v.existing_id is not None:
            rec["id"] = v.existing_id
            if v.existing_version is not None:
                rec["versie"] = v.existing_version
        for name in ("straat", "postcode", "plaats"):
            if has(name) or v.values.get(name):
                rec[name] = v.values.get(name, "")
        if kind == "partners":
            for name in _PARTNER_TEXT_FIELDS:
                if name not in rec and has(name):
                    rec[name] = v.values.get(name, "")
            if has("soort"):
                original = v.values.get("soort", "").strip()
                rec["soort"] = normalise_soort(original)
                rec["soort_origineel"] = original
            for flag, default in _FLAG_DEFAULTS.items():
                if has(flag):
                    value, _ = _parse_flag(v.values.get(flag, ""), "")
                    rec[flag] = default if value is None else value
            if has("ambassadeur_voor"):
                rec["ambassadeur_voor"] = _ambassador(
                    v.values.get("ambassadeur_voor", ""), reference, v.areas
                )
        else:
            for name in ("vestigingscode", "onderwijsstructuur"):
                if has(name):
                    value = v.values.get(name, "").strip()
                    rec[name] = value.upper() if name == "vestigingscode" else value
        if v.keep_location:
            if kind == "partners":
                rec["status"] = "ok"
                rec["melding"] = ""
            records.append(rec)
            continue
        placed = v.placed and v.status != "fout"
        rec["lat"] = v.lat if placed else None
        rec["lon"] = v.lon if placed else None
        rec["nauwkeurigheid"] = v.nauwkeurigheid if placed else "geen"
        for name in _AREA_FIELDS:
            rec[name] = v.areas.get(name) if placed else None
        if kind == "partners":  # schools have no review status
            rec["status"] = v.status
            rec["melding"] = v.stored_melding
        records.append(rec)
    return records


def result_table(verdicts: Iterable[RowVerdict]) -> pd.DataFrame:
    """One row per verdict with exactly :data:`RESULT_COLUMNS` (the CLI's result file)."""
    rows = []
    for v in verdicts:
        rows.append({
            "rij": v.rij,
            "naam": v.naam,
            "status": v.status,
            "nauwkeurigheid": v.nauwkeurigheid if v.placed else "geen",
            **{name: v.areas.get(name) for name in _AREA_FIELDS},
            "lat": round(v.lat, 6) if v.placed else None,
            "lon": round(v.lon, 6) if v.placed else None,
            "melding": v.melding,
        })
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def preview_table(verdicts: Iterable[RowVerdict]) -> pd.DataFrame:
    """The preview shown before importing: no personal fields, address columns added."""
    verdicts = list(verdicts)
    table = result_table(verdicts)
    for name in ("plaats", "postcode", "straat"):
        table.insert(2, name, [v.values.get(name, "") for v in verdicts])
    table.insert(
        len(table.columns) - 1, "actie",
        [
            "overslaan" if (v.skip or not v.naam)
            else "bijwerken" if v.existing_id is not None else "nieuw"
            for v in verdicts
        ],
    )
    return table.drop(columns=["lat", "lon", "arbeidsmarktregio_code", "gemeentecode"])


def count_statuses(verdicts: Iterable[RowVerdict]) -> dict[str, int]:
    """Number of rows per status, every status present (``{"ok": 3, ...}``)."""
    counts = dict.fromkeys(STATUSES, 0)
    for v in verdicts:
        counts[v.status] += 1
    return counts


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
    from geo.errors import AddressError

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
        As in :func:`check_rows`; leave the organisation being edited out of
        ``existing`` so it is not reported as its own duplicate.

    Returns
    -------
    RowVerdict
        With row number 0.
    """
    texts = {k: _cell_text(v) for k, v in values.items() if k in FIELD_LABELS}
    table = RawTable(filename="formulier", header_row=0, columns={k: k for k in texts},
                     unknown_columns=[], rows=[RawRow(rij=0, values=texts)])
    (verdict,) = check_rows(table, geocoder=geocoder, reference=reference, existing=existing,
                            kind=kind)
    return verdict


def location_fields(verdict: RowVerdict) -> dict[str, object]:
    """The location part of a record for :meth:`Store.save_organisation`."""
    placed = verdict.placed and verdict.status != "fout"
    return {
        "lat": verdict.lat if placed else None,
        "lon": verdict.lon if placed else None,
        "nauwkeurigheid": verdict.nauwkeurigheid if placed else "geen",
        "status": verdict.status,
        "melding": verdict.stored_melding,
    }
